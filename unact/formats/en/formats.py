# English dates as the portal writes them ("30 November 2026"); other languages use
# Django's own formats for their locale, so templates only name DATE_FORMAT.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"

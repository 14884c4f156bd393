# Burmese dates as numbers, day first ("14/03/2025, 09:30"). Django has no Burmese month
# names (its catalogue leaves them untranslated, so "F" and "N" would print "March" on
# a Burmese page), and a format string cannot carry them: each letter of DATE_FORMAT
# only selects a value. Day/month/year in digits is how dates are written on forms and
# notices in Myanmar. See docs/translation.md.
DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d/m/Y, H:i"
YEAR_MONTH_FORMAT = "m/Y"
MONTH_DAY_FORMAT = "d/m"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

"""Automatic checks on comment text: personal data, links and blocklist words.

Pure functions of the text, so every rule can be tested on its own; the services
decide what a finding does to a comment.
"""

import re
import unicodedata

from django.utils.html import urlize
from django.utils.translation import gettext_lazy as _

# Every pattern here runs on visitor text, so each one runs in linear time: no match
# attempt may rescan a run of characters that earlier attempts scanned already
# (tests/test_hostile_input.py feeds them hundreds of thousands of characters).

# An email address anywhere in the text. It starts where a run of the characters of a
# local part starts: tried from every character of the run, a run of n letters not
# followed by an @ took n²/2 steps (a 5,000-letter comment, half a second).
EMAIL_PATTERN = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.I
)
# A social or chat handle such as @name (not the middle of an email address).
HANDLE_PATTERN = re.compile(r"(?<![\w.@])@[A-Za-z0-9_.]{3,}")
# Messaging apps used in the region, followed by something that looks like an id or a
# number, and their short links (line.me, wa.me, t.me, zalo.me, u.wechat.com).
_MESSAGING_APP = (
    r"(?:\b(?:line|whats\s?app|wa|telegram|tg|we\s?chat|weixin|wx|zalo|viber|signal"
    r"|kakao(?:talk)?|imo)\b|微信|ไลน์|ไอดีไลน์)"
)
MESSAGING_PATTERN = re.compile(
    # "LINE id: somchai", "wechat: abc_12", or the app name followed by an id with a digit
    # ("Zalo 0912…", "line somchai99"); "the line between them" is not an id.
    rf"{_MESSAGING_APP}\s*(?:(?:id|號|号)\s*[:：=\-]?|[:：=])\s*[@+]?[\w.\-]{{3,}}"
    # (the digit within an id's first 64 characters: an unbounded look-ahead rescanned
    # the rest of the text after every "line-" of "line-line-line-…").
    rf"|{_MESSAGING_APP}\s*[@+]?(?=[\w.\-]{{0,63}}\d)[\w.\-]{{3,}}"
    # "WhatsApp +66 81 234 5678": the app's name, then a number.
    rf"|{_MESSAGING_APP}\s*[:：=]?\s*\+?\d[\d\s\-]{{5,}}"
    # In Thai or Chinese, the app's name followed by anything is an id.
    r"|(?:微信|ไลน์|ไอดีไลน์)\s*[:：=]?\s*[@+]?[\w.\-]{3,}",
    re.I,
)
MESSAGING_LINK_PATTERN = re.compile(
    r"\b(?:line\.me|lin\.ee|wa\.me|chat\.whatsapp\.com|t\.me|telegram\.me|zalo\.me|u\.wechat\.com|weixin\.qq\.com)/",
    re.I,
)
# A run of digits with the separators people type in phone numbers (any script's digits).
DIGIT_RUN_PATTERN = re.compile(r"\+?\d(?:[\d\s().\-/]*\d)?")
# Country codes of the Greater Mekong Sub-region: Cambodia, China, Lao PDR, Myanmar,
# Thailand, Viet Nam.
REGION_COUNTRY_CODES = ("855", "86", "856", "95", "66", "84")

PHONE = _("a phone number")
EMAIL = _("an email address")
HANDLE = _("a social media handle")
MESSAGING_ID = _("a messaging app id (LINE, WhatsApp, Telegram, WeChat, Zalo…)")


def _digits(run):
    """The ASCII digits of a run, whatever script they were typed in (๐๑๒, ໐໑໒, ၀၁၂…)."""
    return "".join(str(unicodedata.digit(char)) for char in run if char.isdigit())


def looks_like_phone_number(run):
    """Whether a digit run has the shape of a phone number in the region's formats."""
    digits = _digits(run)
    count = len(digits)
    if run.startswith("+"):
        return 8 <= count <= 15
    if digits.startswith("00"):
        return 10 <= count <= 17
    if digits.startswith("0"):
        # National numbers with a trunk 0: Thailand 02-123-4567 / 081-234-5678, Viet Nam
        # 090 123 4567, Cambodia 012 345 678, Lao PDR 020 5555 1234, Myanmar 09 ...
        return 9 <= count <= 11
    if digits.startswith("1") and count == 11 and digits[1] in "3456789":
        return True  # Chinese mobile: 138 0013 8000
    if count >= 10 and digits.startswith(REGION_COUNTRY_CODES):
        return count <= 13  # an international number typed without the +
    return False


def personal_data_found(text):
    """What kinds of personal contact data the text seems to contain, in a stable order."""
    found = []
    if any(
        looks_like_phone_number(match.group())
        for match in DIGIT_RUN_PATTERN.finditer(text)
    ):
        found.append(PHONE)
    if EMAIL_PATTERN.search(text):
        found.append(EMAIL)
    if MESSAGING_PATTERN.search(text) or MESSAGING_LINK_PATTERN.search(text):
        found.append(MESSAGING_ID)
    if HANDLE_PATTERN.search(EMAIL_PATTERN.sub(" ", text)):
        found.append(HANDLE)
    return found


_LINK = re.compile(r'<a href="(?!mailto:)')
_RAW_URL = re.compile(r"\bhttps?://|\bwww\.", re.I)


def count_links(text):
    """The number of links in the text: what the page would turn into links, or more."""
    return max(
        len(_LINK.findall(urlize(text, autoescape=True))), len(_RAW_URL.findall(text))
    )


def _phrase_pattern(phrase):
    escaped = re.escape(phrase.strip())
    if phrase.isascii():
        return re.compile(rf"(?<!\w){escaped}(?!\w)", re.I)
    # Thai, Lao, Khmer, Burmese and Chinese do not separate words with spaces.
    return re.compile(escaped, re.I)


def blocked_phrases_found(text, phrases):
    """The phrases of the blocklist that occur in the text."""
    return [
        phrase
        for phrase in phrases
        if phrase.strip() and _phrase_pattern(phrase).search(text)
    ]

"""Words of indexed text and of queries, the same way for every script and database.

Thai, Lao, Khmer, Burmese and Chinese are written without spaces between words, so
text is split with ICU's dictionary-based word break iterator (PyICU), which knows
those languages as well as every spaced script. Each word is then folded: lower
case, and Latin letters without their diacritics ("Người" and "nguoi" are the same
word), while the marks of other scripts, which are part of their letters, stay.

Indexing (services.py) and queries (queries.py) both go through `fold_words`, so a
query finds exactly the words that were indexed, on PostgreSQL and SQLite alike.
"""

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass, field

import icu
import snowballstemmer

from django.conf import settings

# ICU rule statuses of a word break: below 100 are spaces and punctuation; numbers,
# letters, kana and ideographs come above (UBRK_WORD_NONE_LIMIT = 100).
_WORD_STATUS = 100
# The longest word kept: longer "words" are noise (a pasted URL, a row of letters).
MAX_WORD_LENGTH = 60
# The most words a query is made of; the rest is dropped (the page says the query was cut
# only for length; 16 words of any script is more than any real search).
MAX_QUERY_WORDS = 16

_local = threading.local()


def _iterator():
    """One word break iterator per thread: made once (it loads ICU's dictionaries), reused."""
    iterator = getattr(_local, "iterator", None)
    if iterator is None:
        iterator = _local.iterator = icu.BreakIterator.createWordInstance(
            icu.Locale.getRoot()
        )
    return iterator


def words_with_offsets(text):
    """(offset, word) of each word of a text as written, in order (spaces and punctuation
    left out)."""
    if not text:
        return []
    iterator = _iterator()
    iterator.setText(text)
    # ICU counts in UTF-16 code units: a character beyond U+FFFF (an emoji, a rare
    # ideograph) is two of them, so offsets are mapped back to the string's own.
    position = _utf16_positions(text) if max(text) > "\uffff" else None
    # Only a text where two scripts touch can hold a word of two scripts (most have none).
    mixed = _MIXED.search(text) is not None
    words, start = [], iterator.first()
    for end in iterator:
        if iterator.getRuleStatus() >= _WORD_STATUS:
            begin, stop = (
                (start, end) if position is None else (position[start], position[end])
            )
            if stop - begin <= MAX_WORD_LENGTH:
                word = text[begin:stop]
                if mixed and _MIXED.search(word):
                    # ICU keeps "COMMITการ" (Latin letters run into Thai) as one word: split it by script.
                    words.extend(
                        (begin + part.start(), part.group(0))
                        for part in _SCRIPT_RUN.finditer(word)
                    )
                else:
                    words.append((begin, word))
        start = end
    return words


# Latin letters (and the punctuation ICU keeps inside a word, "don't", "U.N"), and the rest.
_LATIN = "\\x00-\u024f\u1e00-\u1eff\u2000-\u206f"
_MIXED = re.compile(f"[{_LATIN}][^{_LATIN}]|[^{_LATIN}][{_LATIN}]")
_SCRIPT_RUN = re.compile(f"[{_LATIN}]+|[^{_LATIN}]+")


def _utf16_positions(text):
    positions = []
    for index, char in enumerate(text):
        positions.append(index)
        if char > "\uffff":
            positions.append(index)
    positions.append(len(text))
    return positions


def split_words(text):
    """The words of a text as written, in order."""
    return [word for _offset, word in words_with_offsets(text)]


def _latin_fold_table():
    """Latin letters with diacritics -> their base letter, one character for one."""
    table = {}
    for ranges in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for code in range(*ranges):
            char = chr(code)
            base = "".join(
                c
                for c in unicodedata.normalize("NFD", char)
                if not unicodedata.combining(c)
            ).lower()
            if len(base) == 1 and base != char:
                table[code] = base
    # Letters that are not a base letter with a mark, but which readers type without it.
    table.update(
        {
            ord(k): v
            for k, v in {
                "đ": "d",
                "Đ": "d",
                "ð": "d",
                "Ð": "d",
                "ø": "o",
                "Ø": "o",
                "ł": "l",
                "Ł": "l",
                "ı": "i",
                "ħ": "h",
                "Ħ": "h",
            }.items()
        }
    )
    return table


_FOLD_TABLE = _latin_fold_table()


def fold_text(text):
    """Lower case, Latin letters without diacritics; same length as the NFC text it is given
    (so an offset found in the folded text is an offset in the original)."""
    folded = text.translate(_FOLD_TABLE).lower()
    return folded if len(folded) == len(text) else text.translate(_FOLD_TABLE)


@functools.lru_cache(maxsize=65536)
def fold(word):
    """One word as it is indexed and searched."""
    word = unicodedata.normalize("NFC", word)
    folded = fold_text(word)
    if any(unicodedata.combining(char) for char in folded):
        # Marks typed separately (a lone combining accent after a Latin letter): drop those.
        folded = "".join(
            char
            for index, char in enumerate(folded)
            if not (
                unicodedata.combining(char) and index and folded[index - 1] < "\u0250"
            )
        )
    return folded


def fold_words(text):
    """The folded words of a text, in order."""
    return [
        fold(word) for word in split_words(unicodedata.normalize("NFC", text or ""))
    ]


def is_latin(word):
    return word[:1] < "\u0250"


_SUFFIXES = (
    "ations",
    "ation",
    "ings",
    "ing",
    "ions",
    "ion",
    "ers",
    "er",
    "ies",
    "ied",
    "ed",
    "es",
    "s",
    "y",
    "e",
)


@functools.lru_cache(maxsize=4096)
def rough_stem(word):
    """A crude English stem, only to highlight "trafficked" for "trafficking" (PostgreSQL's
    stemmer found it); matching itself never uses this."""
    if not is_latin(word):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


# Stems (SQLite) --------------------------------------------------------------------

# PostgreSQL's `english` configuration leaves these words out of vectors and queries (its
# english.stop, the Snowball project's list); SQLite's matching does the same.
ENGLISH_STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now""".split()
)


def _stemmer():
    """One Snowball stemmer per thread (a stemmer keeps state while it works), or None
    when Snowball has no stemmer of SEARCH_CONFIG's name."""
    if not hasattr(_local, "stemmer"):
        name = settings.SEARCH_CONFIG
        _local.stemmer = (
            snowballstemmer.stemmer(name)
            if name in snowballstemmer.algorithms()
            else None
        )
    return _local.stemmer


def is_stop_word(word):
    return settings.SEARCH_CONFIG == "english" and word in ENGLISH_STOP_WORDS


@functools.lru_cache(maxsize=65536)
def stem(word):
    """A folded word as SQLite indexes and searches English documents: its stem by the
    Snowball stemmer of PostgreSQL's configuration (SEARCH_CONFIG, "english":
    "trafficked" and "traffickers" are "traffick"); a stop word as it is, kept so that
    phrases stay in place (queries.py leaves stop words out of other terms)."""
    stemmer = _stemmer()
    if stemmer is None or is_stop_word(word):
        return word
    return stemmer.stemWord(word)


# Queries ---------------------------------------------------------------------------


@dataclass
class Term:
    """One part of a query: its words, all required (anywhere, or as a phrase), or excluded."""

    words: list
    phrase: bool = False
    excluded: bool = False


@dataclass
class ParsedQuery:
    """A query as clauses that must all hold; each clause is one term or alternatives ("or")."""

    clauses: list = field(default_factory=list)

    @property
    def words(self):
        """The words a result may show highlighted (those not excluded)."""
        return [
            word
            for clause in self.clauses
            for term in clause
            if not term.excluded
            for word in term.words
        ]

    def can_match(self):
        """A query matches something only with a word that is not excluded."""
        return any(not term.excluded for clause in self.clauses for term in clause)


# A quoted phrase (its closing quote optional), or a run of anything but spaces.
_QUERY_PART = re.compile(r'[-+]*"[^"]*"?|[^\s"]+')


def parse_query(query):
    """The query's terms: "quoted phrase", -word (left out), word or word (alternatives).

    Anything else is a word to find; operator characters of any search syntax
    (& | ! : * < > ( )) are punctuation to the word splitter, so they never reach a database.
    """
    parsed, pending_or, budget = ParsedQuery(), False, MAX_QUERY_WORDS
    for match in _QUERY_PART.finditer(query):
        part = match.group(0)
        if part.casefold() == "or" and parsed.clauses:
            pending_or = True
            continue
        stripped = part.lstrip("-+")
        excluded = part.startswith("-") and bool(stripped)
        phrase = stripped.startswith('"')
        words = fold_words(stripped.strip('"'))[:budget]
        if not words:
            continue
        budget -= len(words)
        term = Term(words=words, phrase=phrase and len(words) > 1, excluded=excluded)
        if (
            pending_or
            and not excluded
            and not any(other.excluded for other in parsed.clauses[-1])
        ):
            parsed.clauses[-1].append(term)
        else:
            parsed.clauses.append([term])
        pending_or = False
        if not budget:
            break
    return parsed

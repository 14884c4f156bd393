"""Results' titles and excerpts with the words of the query in <mark>, whole words only.

Made in Python from the stored plain text of the page's ten results: the first
occurrence of a query word picks the excerpt (in the folded text, which has the same
offsets as the original), and the excerpt is split into words by ICU, so a word is
marked only when the whole word matches, in every script. Everything is escaped;
only <mark> is added (marked()).
"""

import re

from django.utils.html import format_html

from .words import fold, fold_text, is_latin, rough_stem, words_with_offsets

EXCERPT_CHARS = 240
_BOUNDARY = re.compile(r"\s")


def marked(pieces):
    """(text, is_match) pieces as HTML: each escaped, the matches in <mark>.

    One format_html for the whole text (one per piece cost twice as much).
    """
    if not pieces:
        return format_html("{}", "")
    template = "".join(
        "<mark>{}</mark>" if is_match else "{}" for _text, is_match in pieces
    )
    return format_html(template, *[text for text, _is_match in pieces])


class Highlighter:
    def __init__(self, words):
        self.words = set(words)
        self.stems = {rough_stem(word) for word in words if is_latin(word)}
        # Where an excerpt starts: a Latin word at a word start (its stem, as PostgreSQL
        # found other forms of it), another script anywhere (checked word by word in mark()).
        starts = sorted(
            {rough_stem(word) if is_latin(word) else word for word in words},
            key=len,
            reverse=True,
        )
        self.pattern = (
            re.compile(
                "|".join(
                    (r"(?<!\w)" if is_latin(start) else "") + re.escape(start)
                    for start in starts
                )
            )
            if starts
            else None
        )

    def matches(self, word):
        folded = fold(word)
        return folded in self.words or (
            is_latin(folded) and rough_stem(folded) in self.stems
        )

    def _pieces(self, text):
        """(text, marked) pieces: the words that match, and the text between them."""
        pieces, position = [], 0
        for word_start, word in words_with_offsets(text):
            if self.matches(word):
                if word_start > position:
                    pieces.append((text[position:word_start], False))
                pieces.append((word, True))
                position = word_start + len(word)
        if position < len(text):
            pieces.append((text[position:], False))
        return pieces

    def mark(self, text):
        """The whole text, escaped, its matching words in <mark>."""
        return marked(self._pieces(text or ""))

    def find(self, text):
        """The offset of the first likely match in a text, or None."""
        if not text or self.pattern is None:
            return None
        found = self.pattern.search(fold_text(text))
        return found.start() if found else None

    def excerpt(self, text, at):
        """About EXCERPT_CHARS of text around offset `at`, cut at spaces, marked."""
        start = max(0, at - EXCERPT_CHARS // 3)
        if start:
            space = _BOUNDARY.search(text, start, start + 20)
            start = space.end() if space else start
        end = start + EXCERPT_CHARS
        if end < len(text):
            space = _BOUNDARY.search(text, end - 20, end)
            end = space.start() if space else end
        pieces = self._pieces(text[start:end])
        if start:
            pieces.insert(0, ("…", False))
        if end < len(text):
            pieces.append(("…", False))
        return marked(pieces)

    def snippet(self, summary, body):
        """The summary when it has a match, else the body around its first match, else
        the summary (or the body's beginning)."""
        at = self.find(summary)
        if at is not None:
            return self.excerpt(summary, at)
        at = self.find(body)
        if at is not None:
            return self.excerpt(body, at)
        return self.excerpt(summary or body or "", 0)

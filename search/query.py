"""Parse what a user typed into words, quoted phrases and document notations.

No operators are interpreted (AND/OR/field:value/wildcards are plain words): users of
an e-office type subjects, names and numbers, and a syntax error must never be shown.
"""

from __future__ import annotations

import dataclasses
import re

from search.analysis import nfc, split_numbers, syllables

_QUOTE_RE = re.compile(r"[\"“”„«»]([^\"“”„«»]*)[\"“”„«»]")

#: Longest query we analyse; longer input is cut (keeps pathological queries cheap).
MAX_QUERY_CHARS = 500
#: More words than this and the query is treated as a question: any word may match.
MAX_REQUIRED_WORDS = 8


@dataclasses.dataclass(frozen=True)
class ParsedQuery:
    """``chunks``: runs of adjacent syllables (lower case, diacritics as typed)."""

    chunks: tuple[tuple[str, ...], ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    numbers: tuple[str, ...] = ()

    @property
    def words(self) -> list[str]:
        return [w for chunk in self.chunks for w in chunk]

    @property
    def empty(self) -> bool:
        return not (self.chunks or self.phrases or self.numbers)


def parse(text: str) -> ParsedQuery:
    """Split user text; never raises on any input."""
    text = nfc(text or "")[:MAX_QUERY_CHARS]
    phrases: list[tuple[str, ...]] = []
    chunks: list[tuple[str, ...]] = []
    numbers: list[str] = []

    def plain(part: str) -> None:
        found, rest = split_numbers(part)
        numbers.extend(n for n in found if n not in numbers)
        # A notation splits the text: syllables on either side are not adjacent.
        for piece in re.split(r"[\n,;.:!?()\[\]]", rest):
            words = tuple(syllables(piece))
            if words:
                chunks.append(words)

    pos = 0
    for m in _QUOTE_RE.finditer(text):
        plain(text[pos : m.start()])
        found, rest = split_numbers(m.group(1))
        numbers.extend(n for n in found if n not in numbers)
        words = tuple(syllables(rest))
        if len(words) > 1:
            phrases.append(words)
        elif words:
            chunks.append(words)
        pos = m.end()
    plain(text[pos:])
    return ParsedQuery(tuple(chunks), tuple(phrases), tuple(numbers))

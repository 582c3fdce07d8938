"""Vietnamese text analysis: NFC, case and accent folding, syllable bigrams, numbers.

Vietnamese writes one syllable per space-separated token and most words have two
syllables ("hợp đồng", "bảo hiểm"), so a bag of syllables matches scattered text too
easily. Adjacent syllable pairs (bigrams) are indexed in their own field so that
documents containing the words rank above documents that only contain the syllables;
measured against pyvi word segmentation on the ALQAC 2022 questions (docs/search.md).

Three views of the same text are indexed:

- ``folded``: lower case, diacritics removed, đ → d (what users type on any keyboard);
- ``exact``: lower case with diacritics, so "bản" ranks above "bán" when typed with
  accents;
- ``bigram``: folded adjacent syllable pairs joined by ``_``.
"""

from __future__ import annotations

import re
import unicodedata

from whoosh.analysis import Filter, Token, Tokenizer
from whoosh.support.charset import accent_map

#: Words: letters and digits (NFC text, so every Vietnamese letter is one \w).
WORD_PATTERN = r"\w+"

_word_re = re.compile(WORD_PATTERN)
#: Punctuation or a line break between two syllables: they are not adjacent.
_break_re = re.compile(r"[.,;:!?()\[\]{}\"“”«»\n]")

#: Vietnamese document notation: "15/QĐ-UBND", "91/2015/QH13", "123/2024/NĐ-CP",
#: "45/TTr-SNV", "01/VBHN-VPQH": a number, an optional "/year", then "/" and a part
#: starting with a letter (so dates like 12/05/2024 are not notations).
_NUMBER_RE = re.compile(
    r"(?<![\w/])\d{1,6}[^\W\d_]{0,3}(?:/\d{4})?/[^\W\d_]\w*(?:[.–—-]\w+)*(?![\w/])"
)
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (decomposed accents break tokenizers)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics, including đ → d."""
    return nfc(text).lower().translate(accent_map)


def syllables(text: str) -> list[str]:
    """Lower-case syllables of ``text`` with diacritics kept."""
    return _word_re.findall(nfc(text).lower())


def normalize_number(number: str) -> str:
    """Canonical form of a document notation: "15/qđ - ubnd" → "15/QD-UBND"."""
    text = fold(number).translate(_DASHES)
    text = re.sub(r"\s*([/-])\s*", r"\1", text.strip())
    text = re.sub(r"\s+", " ", text)
    return text.upper()


def looks_like_number(token: str) -> bool:
    """True if ``token`` (one whitespace-free token) is a document notation."""
    return bool(_NUMBER_RE.fullmatch(nfc(token)))


def find_numbers(text: str) -> set[str]:
    """Normalised document notations mentioned in ``text``."""
    return {normalize_number(m.group(0)) for m in _NUMBER_RE.finditer(nfc(text))}


def split_numbers(text: str) -> tuple[list[str], str]:
    """Split user text into (normalised notations, the rest of the text)."""
    text = nfc(text)
    numbers = [normalize_number(m.group(0)) for m in _NUMBER_RE.finditer(text)]
    return numbers, _NUMBER_RE.sub("\n", text)


def bigrams(words: list[str]) -> list[str]:
    """Adjacent pairs ``a_b`` of already analysed syllables."""
    return [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


#: One character in, one character out: offsets in folded text match the original.
_FOLD_1TO1 = {k: v for k, v in accent_map.items() if isinstance(v, str) and len(v) == 1}


class SyllableTokenizer(Tokenizer):
    """Syllables (``\\w+``), leaving a position hole at punctuation and line breaks.

    The hole stops phrase queries from matching across "đất, đai"; ``token.breaks``
    tells :class:`PairFilter` not to pair across it. Lower-casing (and folding, with
    ``folded=True``) is done on the whole text at once, far faster than per-token
    filters in pure Python.
    """

    def __init__(self, folded: bool = False):
        self.folded = folded

    def __eq__(self, other):
        return type(other) is type(self) and other.folded == self.folded

    def _normal(self, text: str) -> str:
        text = text.lower()
        return text.translate(_FOLD_1TO1).translate(accent_map) if self.folded else text

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = self._normal(value)
            t.boost, t.stopped, t.breaks = 1.0, False, False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        normal = self._normal(value)
        aligned = len(normal) == len(value)  # else fold token by token
        source = normal if aligned else value
        pos, prev_end = start_pos, 0
        for m in _word_re.finditer(source):
            breaks = bool(_break_re.search(source, prev_end, m.start()))
            if breaks and pos != start_pos:
                pos += 1
            t.text = m.group() if aligned else self._normal(m.group())
            t.boost, t.stopped, t.breaks = 1.0, False, breaks
            if keeporiginal:
                t.original = value[m.start() : m.end()]
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + m.start(), start_char + m.end()
            yield t
            pos += 1
            prev_end = m.end()


class PairFilter(Filter):
    """Adjacent syllable pairs ``a_b``, never across punctuation (see tokenizer)."""

    def __call__(self, tokens):
        prev = None
        for t in tokens:
            text = t.text
            if prev is not None and not getattr(t, "breaks", False):
                start = t.startchar if t.chars else None
                t.text = f"{prev[0]}_{text}"
                if t.chars:
                    t.startchar = prev[1]
                yield t
                t.text = text
                if t.chars:
                    t.startchar = start
            prev = (text, t.startchar if t.chars else None)


def folded_analyzer():
    """Whoosh analyzer of the main field: syllables, lower case, no diacritics."""
    return SyllableTokenizer(folded=True)


def exact_analyzer():
    """Whoosh analyzer of the exact field: syllables, lower case, diacritics kept."""
    return SyllableTokenizer()


def bigram_analyzer():
    """Whoosh analyzer of the bigram field: folded adjacent syllable pairs."""
    return folded_analyzer() | PairFilter()

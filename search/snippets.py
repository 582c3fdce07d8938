"""HTML snippets: the densest window of matches, escaped, with <mark> around matches.

Matching is done on folded text (same length as the original for Vietnamese), so
"quyet dinh" marks "Quyết định". One regex over the text instead of Whoosh's
token-by-token highlighter: about 30× faster on 2 KB documents.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from search.analysis import fold

WINDOW = 240  #: characters shown
LEAD = 60  #: characters before the first match in the window


def lead(text: str, chars: int = WINDOW) -> str:
    """The start of ``text``, escaped, cut at a space."""
    if len(text) <= chars:
        return html.escape(text)
    return html.escape(text[:chars].rsplit(" ", 1)[0]) + " …"


def snippet(text: str, words: Iterable[str], chars: int = WINDOW) -> str:
    """Escaped window of ``text`` with ``words`` marked (folded); else the lead."""
    words = sorted({fold(w) for w in words if w}, key=len, reverse=True)
    folded = fold(text)
    if not words or len(folded) != len(text):
        return lead(text, chars)
    alternatives = "|".join(map(re.escape, words))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    matches = [(m.start(), m.end(), m.group()) for m in pattern.finditer(folded)]
    if not matches:
        return lead(text, chars)
    # Window with the most distinct words (then the most matches), starting at a match.
    best, best_key = 0, (-1, -1)
    for i, (start, _, _) in enumerate(matches):
        inside = [w for s, e, w in matches[i:] if e <= start - LEAD + chars]
        key = (len(set(inside)), len(inside))
        if key > best_key:
            best, best_key = i, key
    begin = max(0, matches[best][0] - LEAD)
    if begin:
        space = text.find(" ", begin, matches[best][0])
        begin = space + 1 if space != -1 else begin
    end = min(len(text), begin + chars)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > matches[best][1] else end
    out, at = [], begin
    for start, stop, _ in matches:
        if start < begin or stop > end:
            continue
        out.append(html.escape(text[at:start]))
        out.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        at = stop
    out.append(html.escape(text[at:end]))
    return ("… " if begin else "") + "".join(out) + (" …" if end < len(text) else "")

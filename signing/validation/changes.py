"""Our own check of what changed after a signature, besides pyHanko's diff policy.

pyHanko's difference analysis is a whitelist, and at least one published shadow attack
("replace" variant) passes it as FORM_FILLING. This module looks at the page content
itself: any object reachable from a signed page (content streams, resources, XObjects,
inherited attributes) that a later revision overwrites with different data, any page
added, removed or reordered, and any annotation added or altered after signing that
is not the widget of a signature field or of a field the caller expects to be filled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyhanko.pdf_utils import generic

#: page keys that are not page content (annotations are checked separately)
_SKIP_KEYS = frozenset({"/Annots", "/Parent", "/B", "/Thumb", "/StructParents"})
_INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
_MAX_NODES = 20_000
_MAX_DEPTH = 64


def _get(obj, key):
    """``obj[key]`` dereferenced, or None (pyHanko's ``.get`` does not dereference)."""
    if not isinstance(obj, generic.DictionaryObject):
        return None
    try:
        return obj[key]
    except KeyError:
        return None


def _key(ref) -> tuple[int, int]:
    return (ref.idnum, ref.generation)


def _page_refs(handler) -> list[tuple[int, int]]:
    """Page object references in document order (bounded walk of the page tree)."""
    result: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    root_pages = handler.root.raw_get("/Pages")
    stack = [root_pages]
    while stack and len(seen) < _MAX_NODES:
        node_ref = stack.pop()
        if not isinstance(node_ref, generic.IndirectObject):
            continue
        k = _key(node_ref)
        if k in seen:
            continue
        seen.add(k)
        node = node_ref.get_object()
        if not isinstance(node, generic.DictionaryObject):
            continue
        if _get(node, "/Type") == "/Pages" or "/Kids" in node:
            kids = _get(node, "/Kids")
            if isinstance(kids, generic.ArrayObject):
                stack.extend(reversed([kids.raw_get(i) for i in range(len(kids))]))
        else:
            result.append(k)
    return result


def _raw_items(obj):
    if isinstance(obj, generic.DictionaryObject):
        return [obj.raw_get(k) for k in obj]
    if isinstance(obj, generic.ArrayObject):
        return [obj.raw_get(i) for i in range(len(obj))]
    return []


def _reachable(handler, start: generic.DictionaryObject, extra=(), seen=None) -> set:
    """References reachable from a page dictionary, skipping annotations and parents.

    ``seen`` is shared between pages so resources used by every page (fonts,
    images) are walked once; the objects found first on a page are returned.
    """
    found: set[tuple[int, int]] = set()
    seen = set() if seen is None else seen
    stack = [(start.raw_get(k), 0) for k in start if k not in _SKIP_KEYS]
    stack.extend((v, 0) for v in extra)
    while stack and len(found) < _MAX_NODES:
        value, depth = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(value, generic.IndirectObject):
            k = _key(value)
            if k in seen:
                continue
            seen.add(k)
            found.add(k)
            value = value.get_object()
        if isinstance(value, generic.DictionaryObject | generic.ArrayObject):
            items = (
                [value.raw_get(k) for k in value if k not in ("/Parent", "/P")]
                if isinstance(value, generic.DictionaryObject)
                else _raw_items(value)
            )
            stack.extend((v, depth + 1) for v in items)
    return found


def _same(a, b, depth=0) -> bool:
    """Structural equality with references compared by number (no dereferencing)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return (
            isinstance(a, generic.IndirectObject)
            and isinstance(b, generic.IndirectObject)
            and _key(a) == _key(b)
        )
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        if not (
            isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject)
        ):
            return False
        if a.encoded_data != b.encoded_data:
            return False
    if isinstance(a, generic.DictionaryObject):
        if not isinstance(b, generic.DictionaryObject) or set(a) != set(b):
            return False
        return all(_same(a.raw_get(k), b.raw_get(k), depth + 1) for k in a)
    if isinstance(a, generic.ArrayObject):
        if not isinstance(b, generic.ArrayObject) or len(a) != len(b):
            return False
        return all(_same(a.raw_get(i), b.raw_get(i), depth + 1) for i in range(len(a)))
    return type(a) is type(b) and a == b


def _field_info(annot: generic.DictionaryObject) -> tuple[str, str | None, bool]:
    """Fully qualified name, field type and whether a value is set (walks /Parent)."""
    names: list[str] = []
    ftype = None
    has_value = False
    node = annot
    for _ in range(_MAX_DEPTH):
        if not isinstance(node, generic.DictionaryObject):
            break
        if "/T" in node:
            names.append(str(node["/T"]))
        if ftype is None and "/FT" in node:
            ftype = str(node["/FT"])
        has_value = has_value or "/V" in node
        node = _get(node, "/Parent")
    return ".".join(reversed(names)), ftype, has_value


def _visible(annot: generic.DictionaryObject) -> bool:
    """Has an appearance and a non-empty rectangle (could cover page content)."""
    rect = _get(annot, "/Rect")
    try:
        x1, y1, x2, y2 = (float(v) for v in rect)
    except (TypeError, ValueError):
        return False
    return "/AP" in annot and abs(x2 - x1) > 0 and abs(y2 - y1) > 0


def _annot_refs(page) -> list:
    annots = _get(page, "/Annots")
    if not isinstance(annots, generic.ArrayObject):
        return []
    return [annots.raw_get(i) for i in range(len(annots))]


def _by_key(handler, k: tuple[int, int]):
    return generic.Reference(k[0], k[1], pdf=handler).get_object()


@dataclass
class Changes:
    """What changed after a signature, beyond signatures and allowed fields."""

    content: list[str] = field(default_factory=list)  #: pages, content, resources
    annotations: list[str] = field(default_factory=list)  #: annotations and widgets
    fields: set[str] = field(default_factory=set)  #: unexpected field names


def find_changes(reader, signed_revision: int, allowed_fields: set[str]) -> Changes:
    """Describe content changes made after ``signed_revision``.

    ``allowed_fields`` are fields whose widgets may be added or changed (signature
    fields, fields the caller expects to be filled).
    """
    found = Changes()
    total = reader.xrefs.total_revisions
    if signed_revision >= total - 1:
        return found
    old = reader.get_historical_resolver(signed_revision)
    changed: set[tuple[int, int]] = set()
    for rev in range(signed_revision + 1, total):
        changed |= {_key(r) for r in reader.xrefs.explicit_refs_in_revision(rev)}

    old_pages, new_pages = _page_refs(old), _page_refs(reader)
    if old_pages != new_pages:
        found.content.append(
            f"pages added, removed or reordered ({len(old_pages)} -> {len(new_pages)})"
        )

    seen: set[tuple[int, int]] = set()
    for no, page_key in enumerate(old_pages, start=1):
        old_page = _by_key(old, page_key)
        new_page = _by_key(reader, page_key)
        parents = []
        node = _get(old_page, "/Parent")
        for _ in range(_MAX_DEPTH):
            if not isinstance(node, generic.DictionaryObject):
                break
            parents.extend(node.raw_get(k) for k in _INHERITABLE if k in node)
            node = _get(node, "/Parent")
        touched = _reachable(old, old_page, extra=parents, seen=seen) & changed
        content_changed = any(
            not _same(_by_key(old, k), _by_key(reader, k)) for k in touched
        )
        if page_key in changed and isinstance(new_page, generic.DictionaryObject):
            keys = (set(old_page) | set(new_page)) - _SKIP_KEYS
            content_changed = content_changed or any(
                not _same(old_page.raw_get(k), new_page.raw_get(k))
                for k in keys
                if k in old_page and k in new_page
            )
            content_changed = content_changed or set(old_page) - _SKIP_KEYS != (
                set(new_page) - _SKIP_KEYS
            )
        if content_changed:
            found.content.append(f"page {no}: content or resources replaced")

        old_annots = {_key(a) for a in _annot_refs(old_page) if hasattr(a, "idnum")}
        for a in _annot_refs(new_page):
            if not isinstance(a, generic.IndirectObject):
                found.annotations.append(f"page {no}: inline annotation added")
                continue
            k = _key(a)
            if k in old_annots and k not in changed:
                continue
            annot = a.get_object()
            if not isinstance(annot, generic.DictionaryObject):
                continue
            subtype = str(_get(annot, "/Subtype") or "?")
            verb = "changed" if k in old_annots else "added"
            if subtype == "/Widget":
                name, ftype, signed = _field_info(annot)
                if ftype == "/Sig" and not signed and _visible(annot):
                    # an empty signature box drawn over the page hides content
                    found.annotations.append(
                        f"page {no}: unsigned signature field '{name}' {verb}"
                    )
                    continue
                if ftype == "/Sig" or name in allowed_fields:
                    continue
                found.fields.add(name)  # reported as a field, not an annotation
            else:
                found.annotations.append(f"page {no}: annotation {subtype} {verb}")
    return found

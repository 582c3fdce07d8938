"""Child process: print the text of a DOCX or ODT file (run by search.extract).

``python -m search._office docx|odt PATH MAX_CHARS``. Runs under the limits set by the
parent; parses XML without DTDs, entities or network, and refuses zip members whose
uncompressed size is out of proportion (zip bombs).
"""

from __future__ import annotations

import sys
import zipfile

from lxml import etree

MAX_MEMBER_BYTES = 200 * 1024 * 1024

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

DOCX_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")


def _parse(z: zipfile.ZipFile, name: str):
    info = z.getinfo(name)
    if info.file_size > MAX_MEMBER_BYTES:
        raise SystemExit(f"{name} is too large ({info.file_size} bytes)")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    with z.open(name) as f:
        return etree.parse(f, parser)


def _docx(z: zipfile.ZipFile) -> str:
    paragraphs: list[str] = []
    names = set(z.namelist())
    for part in DOCX_PARTS:
        if part not in names:
            continue
        for p in _parse(z, part).iter(W + "p"):
            bits = []
            for el in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
                if el.tag == W + "t":
                    bits.append(el.text or "")
                else:
                    bits.append("\t" if el.tag == W + "tab" else "\n")
            paragraphs.append("".join(bits))
    return "\n".join(paragraphs)


def _odt_text(el) -> str:
    out = [el.text or ""]
    for child in el:
        if child.tag == TEXT + "s":
            out.append(" " * int(child.get(TEXT + "c", "1") or 1))
        elif child.tag == TEXT + "tab":
            out.append("\t")
        elif child.tag == TEXT + "line-break":
            out.append("\n")
        elif child.tag not in (TEXT + "note-citation",):
            out.append(_odt_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _odt(z: zipfile.ZipFile) -> str:
    root = _parse(z, "content.xml")
    return "\n".join(_odt_text(el) for el in root.iter(TEXT + "p", TEXT + "h"))


def main(argv: list[str]) -> int:
    kind, path, max_chars = argv[0], argv[1], int(argv[2])
    with zipfile.ZipFile(path) as z:
        text = _docx(z) if kind == "docx" else _odt(z)
    sys.stdout.write(text[:max_chars])
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.exit(main(sys.argv[1:]))

"""Fonts with full Vietnamese coverage for signature appearances and stamped text.

pyHanko 0.38 writes glyph widths in the font's own units, so a font whose unitsPerEm
is not 1000 (DejaVu has 2048) comes out about twice too widely spaced. The shipped
fonts are DejaVu subsets (Latin + Vietnamese) rescaled to 1000 units per em; the
subset is also ~7x smaller, which makes visible signing much faster.

Regenerate with ``python -m signing.fonts`` (needs fonts-dejavu-core).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

FONT_DIR = Path(__file__).parent / "fonts"

#: Sans-serif font for signature appearances (name, position) and form fields.
SANS = FONT_DIR / "DejaVuSans-vi.ttf"
#: Bold variant, used for the signer's position line.
SANS_BOLD = FONT_DIR / "DejaVuSans-Bold-vi.ttf"
#: Times-like serif for the attachment stamp (NĐ 30 asks for Times New Roman 10 pt).
SERIF = FONT_DIR / "DejaVuSerif-vi.ttf"

#: Basic Latin, Latin-1, Latin Extended A/B, combining marks, Vietnamese block,
#: general punctuation (dashes, quotes).
VIETNAMESE_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0300, 0x036F),
    (0x1EA0, 0x1EFF),
    (0x2010, 0x2027),
)

_SOURCES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SERIF: "DejaVuSerif.ttf",
}


@functools.cache
def font_bytes(path: Path) -> bytes:
    """Bytes of a shipped font file, read once per process."""
    return Path(path).read_bytes()


def build_subset(source: Path, target: Path) -> None:
    """Subset ``source`` to Vietnamese and rescale it to 1000 units per em."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(source))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    unicodes = [cp for lo, hi in VIETNAMESE_RANGES for cp in range(lo, hi + 1)]
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    font.save(str(target))


def main(source_dir: str = "/usr/share/fonts/truetype/dejavu") -> None:
    for target, name in _SOURCES.items():
        build_subset(Path(source_dir) / name, target)
        print(f"{target.name}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:])

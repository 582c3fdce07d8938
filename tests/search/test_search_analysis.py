import unicodedata

import pytest

from search import analysis
from search.query import parse


def test_fold_covers_vietnamese_letters_and_d_stroke():
    assert analysis.fold("ĐÚNG đắn Ưu tiên Nghị định") == "dung dan uu tien nghi dinh"


def test_fold_accepts_decomposed_text():
    nfd = unicodedata.normalize("NFD", "Quyết định")
    assert analysis.fold(nfd) == "quyet dinh"
    assert analysis.syllables(nfd) == ["quyết", "định"]


@pytest.mark.parametrize(
    "raw", ["15/QĐ-UBND", "15/qd-ubnd", "15/QD-UBND", "15 / qđ – ubnd", "15/Qđ-Ubnd"]
)
def test_document_numbers_normalise_to_one_form(raw):
    assert analysis.normalize_number(raw) == "15/QD-UBND"


def test_find_numbers_skips_dates():
    text = "Căn cứ Luật số 91/2015/QH13, Nghị định 123/2024/NĐ-CP ngày 12/05/2024."
    assert analysis.find_numbers(text) == {"91/2015/QH13", "123/2024/ND-CP"}


def test_parse_splits_phrases_numbers_and_words():
    parsed = parse('hợp đồng 15/QD-UBND "bảo hiểm xã hội" mua bán')
    assert parsed.numbers == ("15/QD-UBND",)
    assert parsed.phrases == (("bảo", "hiểm", "xã", "hội"),)
    assert parsed.chunks == (("hợp", "đồng"), ("mua", "bán"))


@pytest.mark.parametrize("text", ["", '"', "AND OR NOT:*?", "((", "a" * 10_000, "\x00"])
def test_parse_never_fails(text):
    parse(text)


def test_snippet_picks_densest_window_and_escapes():
    from search.snippets import snippet

    text = (
        "Mở đầu <b>. " + "lorem ipsum " * 40 + "Phê duyệt dự án & kế hoạch đầu tư. " * 2
    )
    out = snippet(text, ["du", "an", "ke", "hoach"])
    assert out.startswith("… ") and "<mark>dự</mark> <mark>án</mark> &amp;" in out
    assert "<b>" not in out
    assert snippet("<i>không khớp</i>", ["xyz"]) == "&lt;i&gt;không khớp&lt;/i&gt;"

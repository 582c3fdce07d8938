import datetime as dt

import pytest

from search.index import IndexDocument, Viewer
from search.whoosh_index import WhooshIndex


@pytest.fixture
def make_index(tmp_path):
    """Factory: a fresh WhooshIndex in its own folder."""
    counter = iter(range(1000))

    def make(**kwargs) -> WhooshIndex:
        return WhooshIndex(tmp_path / f"ix{next(counter)}", **kwargs)

    return make


@pytest.fixture
def index(make_index):
    return make_index()


@pytest.fixture
def make_doc():
    """Factory: an IndexDocument with defaults (public within agency A)."""

    def make(id: str, **fields) -> IndexDocument:
        fields.setdefault("version", "1")
        fields.setdefault("agency_id", "A")
        fields.setdefault("public_in_agency", True)
        fields.setdefault("issued_date", dt.date(2024, 1, 1))
        return IndexDocument(id=id, **fields)

    return make


@pytest.fixture
def viewer():
    return Viewer(agency_id="A", user_id="u1", department_ids=("d1",))

import datetime as dt

import pytest

from search.index import IndexDocument, Viewer
from search.sharded_index import AgencyShardedIndex
from search.whoosh_index import WhooshIndex


@pytest.fixture(params=["whoosh", "sharded"])
def make_index(request, tmp_path):
    """Factory: a fresh index in its own folder; every contract test runs on both
    implementations (one index, one index per agency)."""
    counter = iter(range(1000))
    backend = {"whoosh": WhooshIndex, "sharded": AgencyShardedIndex}[request.param]

    def make(**kwargs):
        return backend(tmp_path / f"ix{next(counter)}", **kwargs)

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

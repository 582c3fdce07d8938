"""Search inside docflow: the index backend, extracted text, index jobs, pages and commands.

The mapping from an incoming document to a search entry lives in
``docflow/documents/indexing.py``; this package keeps the rest (wiring, jobs, UI, CLI).
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from search.index import SearchIndex
from search.sharded_index import AgencyShardedIndex
from search.whoosh_index import WhooshIndex

#: SEARCH_BACKEND short name -> class (both take the folder and ``lock_timeout``).
BACKENDS: dict[str, type[SearchIndex]] = {
    "whoosh-per-agency": AgencyShardedIndex,
    "whoosh": WhooshIndex,
}


def build_index(settings: dict[str, Any]) -> SearchIndex:
    """Build the index named by SEARCH_BACKEND (validated at start-up by settings.py)."""
    backend = BACKENDS[settings["SEARCH_BACKEND"]]
    return backend(
        settings["SEARCH_INDEX_PATH"],
        lock_timeout=float(settings["SEARCH_LOCK_TIMEOUT"]),
    )


def get_index() -> SearchIndex:
    return current_app.extensions["docflow.search"]

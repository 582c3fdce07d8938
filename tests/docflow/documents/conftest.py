"""Incoming-document tests use the shared office fixtures (tests/docflow/conftest.py)."""

from tests.docflow.office import METADATA, Office, make_pdf

__all__ = ["METADATA", "Office", "make_pdf"]

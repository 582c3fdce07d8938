"""docflow: paperless document management and digital signatures for Vietnamese agencies."""

from .app import create_app

__all__ = ["create_app"]

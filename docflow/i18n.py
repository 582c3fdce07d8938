"""Marks strings for translation that are translated later, at display time."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Return ``message`` unchanged; the extractor collects it (see scripts/i18n_vi.py)."""
    return message

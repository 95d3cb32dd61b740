"""Timestamps as sources write them (OAI-PMH datestamps, sitemap lastmod): ISO 8601, maybe with Z."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=4096)  # a bulk load gives thousands of records the same datestamp
def parse_datestamp(text: str | None) -> datetime | None:
    """An aware datetime (UTC when the text names no zone), or None for empty or unreadable text."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)

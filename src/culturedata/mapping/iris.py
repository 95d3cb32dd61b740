"""Stable IRIs: the same record gets the same IRIs on every run.

Slug rule, documented in docs/mapping.md: accents are dropped (é → e), letters lowered,
every run of characters other than a-z, 0-9, '.', '_' and '-' becomes one '-', and
leading or trailing '-' are trimmed. "1998.3.12" stays "1998.3.12"; "Boîte à bijoux #2"
becomes "boite-a-bijoux-2".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

_UNSAFE = re.compile(r"[^a-z0-9._-]+")


@lru_cache(maxsize=1024)  # a record's id is slugged for its graph and again for its IRIs
def slug(text: str) -> str:
    ascii_text = text if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # A lone surrogate (from a JSON escape such as "\ud800") is no Unicode, but its record
    # still needs a graph IRI to be reported under: its code is percent-encoded as is.
    return _UNSAFE.sub("-", ascii_text.lower()).strip("-") or quote(text, safe="", errors="surrogatepass")


def graph_iri(base: str, source_id: str, local_id: str) -> str:
    """The named graph holding everything one record says."""
    return f"{base}graph/{source_id}/{slug(local_id)}"

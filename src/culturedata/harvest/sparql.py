"""A remote SPARQL endpoint: one CONSTRUCT query, fetched in pages of `page_size`.

Each page is `query` followed by `LIMIT page_size OFFSET n`, POSTed as the SPARQL 1.1
Protocol says, and asks for N-Triples; it becomes one record ("page 3") whose payload is
that page's triples. The run ends on an empty page. Give the query an `ORDER BY` so that
pages do not overlap or miss solutions, and no LIMIT/OFFSET of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from culturedata.errors import ConfigError, HarvestError
from culturedata.harvest.options import read_options
from culturedata.harvest.transport import HTTP_OPTIONS, HarvestSession, HttpSettings
from culturedata.records import SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

OPTIONS: dict[str, tuple[Any, Any]] = {
    "query": (str, ""),
    "page_size": (int, 10000),
    "max_pages": (int, 0),
    **HTTP_OPTIONS,
}
OWN_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\s+\d+\s*$", re.IGNORECASE)
NTRIPLES = "application/n-triples"


def harvest_sparql(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    if not source.url:
        raise ConfigError("harvest.needs_url", where=source.where)
    query = opts["query"].strip()
    if not re.search(r"\bCONSTRUCT\b", query, re.IGNORECASE) or OWN_LIMIT.search(query):
        raise ConfigError("harvest.sparql_query", where=source.where)
    size = max(1, opts["page_size"])
    with HarvestSession(HttpSettings.from_options(opts)) as session:
        number = 0
        while not opts["max_pages"] or number < opts["max_pages"]:
            number += 1
            body = fetch_page(session, source.url, f"{query}\nLIMIT {size} OFFSET {(number - 1) * size}")
            lines = sorted(line for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
            if not lines:
                return
            payload = b"\n".join(lines) + b"\n"
            yield SourceRecord(
                source_id=source.id,
                local_id=f"page-{number}",
                payload=payload,
                media_type=NTRIPLES,
                content_hash=content_hash(payload),
                origin=source.url,
                location=f"page {number}",
            )


def fetch_page(session: HarvestSession, endpoint: str, query: str) -> bytes:
    response = session.fetch(endpoint, method="POST", data={"query": query}, headers={"Accept": NTRIPLES})
    with response:
        if response.status_code != 200:
            raise HarvestError(
                "harvest.sparql_failed", url=endpoint, status=response.status_code, detail=response.text[:300]
            )
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if media_type not in (NTRIPLES, "text/plain"):
            raise HarvestError("harvest.sparql_failed", url=endpoint, status=200, detail=media_type)
        return response.content

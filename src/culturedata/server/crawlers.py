"""What search engines read first: /robots.txt and the sitemaps of the entity pages.

The sitemap protocol allows 50,000 URLs per file: past that, /sitemap.xml is an index of
/sitemaps/<n>.xml pages. Listing the entities scans the whole store, so it runs on a query
thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable
from typing import TypeVar
from xml.sax.saxutils import escape

import pyoxigraph as ox
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from culturedata.iris import entity_space
from culturedata.server.reader import select
from culturedata.server.sparql import problem

T = TypeVar("T")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
PAGE_SIZE = 50_000  # the protocol's limit for one file
# Pages for people and crawlers; the endpoints, the upload form and the search (endless combinations
# of words and facets, every entity already in the sitemap) are not pages to index.
ROBOTS = """User-agent: *
Allow: /
Disallow: /sparql
Disallow: /store
Disallow: /validate
Disallow: /search
Disallow: /reconcile
Sitemap: {sitemap}
"""


class EntityCount:
    """How many entity pages the snapshot last asked for has, counted once per snapshot: the
    index needs only that, and each sitemap page asks the store for its own slice, so memory
    stays flat however many entities there are."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: str | None = None
        self._count = 0

    def count(self, store: ox.Store, snapshot: str | None, prefix: str) -> int:
        with self._lock:  # two crawlers at once count once
            if snapshot is None or snapshot != self._snapshot:
                query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_ENTITIES.format(prefix=ox.Literal(prefix))} }}"
                self._count = int(next(iter(select(store, query)))["n"].value)
                self._snapshot = snapshot
            return self._count


_ENTITIES = "GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix}))"


def _page(store: ox.Store, prefix: str, number: int) -> list[str]:
    query = f"""SELECT DISTINCT ?s WHERE {{ {_ENTITIES.format(prefix=ox.Literal(prefix))} }}
                ORDER BY ?s LIMIT {PAGE_SIZE} OFFSET {(number - 1) * PAGE_SIZE}"""
    return [row["s"].value for row in select(store, query)]


async def robots(request: Request) -> Response:
    return PlainTextResponse(ROBOTS.format(sitemap=f"{request.app.state.settings.base_iri}sitemap.xml"))


async def sitemap(request: Request) -> Response:
    """The whole list when it fits in one file, else the index of its pages."""
    count = await _on_query_thread(request, lambda state, store, snapshot, prefix:
                                   state.entity_count.count(store, snapshot, prefix))
    if count is None:
        return problem(request, 503, "server.no_snapshot")
    if count <= PAGE_SIZE:
        return _urlset(await _on_query_thread(request, lambda _s, store, _n, prefix: _page(store, prefix, 1)) or [])
    base = request.app.state.settings.base_iri
    pages = "".join(f"<sitemap><loc>{escape(base)}sitemaps/{n}.xml</loc></sitemap>"
                    for n in range(1, math.ceil(count / PAGE_SIZE) + 1))
    return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">{pages}</sitemapindex>')


async def sitemap_page(request: Request) -> Response:
    number: int = request.path_params["number"]
    if number < 1:
        return problem(request, 404, "server.no_sitemap", number=number)
    iris = await _on_query_thread(request, lambda _s, store, _n, prefix: _page(store, prefix, number))
    if iris is None:
        return problem(request, 503, "server.no_snapshot")
    if not iris:
        return problem(request, 404, "server.no_sitemap", number=number)
    return _urlset(iris)


async def _on_query_thread(request: Request, work: Callable[[State, ox.Store, str | None, str], T]) -> T | None:
    """`work` over the served snapshot, on a query thread (it scans the store); None without one."""
    state = request.app.state
    store, snapshot = state.reader.current()
    if store is None:
        return None
    prefix = entity_space(state.settings.base_iri)
    return await asyncio.get_running_loop().run_in_executor(state.query_threads, work, state, store, snapshot, prefix)


def _urlset(iris: list[str]) -> Response:
    urls = "".join(f"<url><loc>{escape(iri)}</loc></url>" for iri in iris)
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">{urls}</urlset>')


def _xml(body: str) -> Response:
    return Response(f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n', media_type="application/xml")

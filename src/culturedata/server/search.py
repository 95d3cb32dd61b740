"""/search: the names of everything published, found through the served snapshot's search
index (pooling/searchindex.py), with facets by type, region and institution, as a page or as
JSON (`?format=json`, or `Accept: application/json`).

The index is SQLite, read on a query thread; a visitor's words are quoted before FTS5 sees
them, and the text, the filters and the page are bounded, so no input costs more than one
bounded query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from culturedata.pooling import FACET_KINDS, MAX_QUERY, Facet, Hit, Results, SearchIndex, local_name
from culturedata.server.negotiation import choose
from culturedata.server.rendering import page_lang, render
from culturedata.server.sparql import problem

PAGE_SIZE = 20
MAX_PAGE = 50  # past 1 000 results, a visitor narrows the search rather than pages on
MAX_FILTERS = 20
T = TypeVar("T")


async def with_index(request: Request, work: Callable[[SearchIndex], T]) -> T | None:
    """`work` over the served snapshot's index on a query thread; None when there is none
    (nothing published yet, a writable server, or a snapshot published before the index)."""
    state = request.app.state
    index = SearchIndex.of(state.reader.served().location)
    if index is None:
        return None
    return await asyncio.get_running_loop().run_in_executor(state.query_threads, work, index)


@dataclass(frozen=True, slots=True)
class FacetLink:
    kind: str
    value: str
    label: str
    count: int
    selected: bool
    href: str  # the same search with this filter added, or taken off when it is on


def _filters(request: Request) -> dict[str, list[str]]:
    return {kind: [v[:300] for v in request.query_params.getlist(kind)][:MAX_FILTERS] for kind in FACET_KINDS}


def _page(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page", "1")), MAX_PAGE))
    except ValueError:
        return 1


def entity_href(request: Request, iri: str | None) -> str | None:
    """The link to an entity's page on this server; None for an IRI outside our entity space."""
    base: str = request.app.state.settings.base_iri
    return "/" + iri[len(base):] if iri and iri.startswith(base) else None


def _facet_links(q: str, filters: dict[str, list[str]], facets: list[Facet], lang: str) -> dict[str, list[FacetLink]]:
    links: dict[str, list[FacetLink]] = {kind: [] for kind in FACET_KINDS}
    for facet in facets:
        chosen = filters.get(facet.kind, [])
        selected = facet.value in chosen
        changed = {**filters, facet.kind: [v for v in chosen if v != facet.value] if selected else [*chosen, facet.value]}
        params = [("q", q)] + [(kind, v) for kind, values in changed.items() for v in values]
        label = facet.label(lang)  # a type by its schema.org name, as the entity pages show it
        links[facet.kind].append(FacetLink(facet.kind, facet.value, label, facet.count, selected,
                                           "/search?" + urlencode(params)))
    return links


def _hit_json(request: Request, hit: Hit, lang: str, labels: dict[str, dict[str, str]]) -> dict[str, object]:
    return {
        "id": hit.iri, "name": hit.label(lang), "types": [{"id": t, "name": local_name(t)} for t in hit.types],
        "page": entity_href(request, hit.iri),
        "region": hit.region, "region_label": labels.get(hit.region or "", {}).get(lang),
        "institution": hit.institution, "institution_label": labels.get(hit.institution or "", {}).get(lang),
        "cluster": hit.cluster, "born": hit.born, "died": hit.died,
    }


def _wants_json(request: Request) -> bool:
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept")
    return bool(accept) and choose(accept, ["text/html", "application/json"]) == "application/json"


async def search_page(request: Request) -> Response:
    q = request.query_params.get("q", "")[:MAX_QUERY]
    filters, page = _filters(request), _page(request)
    lang = page_lang(request)

    def work(index: SearchIndex) -> tuple[Results, dict[str, dict[str, str]]]:
        results = index.search(q, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        labels = {**index.labels("region"), **index.labels("institution")}
        return results, labels

    outcome = await with_index(request, work) if q.strip() else (Results([], 0, False, []), {})
    if outcome is None:
        return problem(request, 503, "server.search.unavailable")
    results, labels = outcome
    facets = _facet_links(q, filters, results.facets, lang)
    if _wants_json(request):
        return JSONResponse({
            "query": q, "filters": filters, "page": page, "page_size": PAGE_SIZE, "total": results.total,
            "capped": results.capped, "results": [_hit_json(request, h, lang, labels) for h in results.hits],
            "facets": {kind: [{"value": f.value, "label": f.label, "count": f.count, "selected": f.selected}
                              for f in links] for kind, links in facets.items()},
        }, headers={"Vary": "Accept, Accept-Language, Cookie"})
    more = page * PAGE_SIZE < results.total and page < MAX_PAGE
    params = [("q", q)] + [(kind, v) for kind, values in filters.items() for v in values]
    return render(request, "search.html", q=q, results=results, facets=facets, page=page, page_size=PAGE_SIZE,
                  more=more, here=urlencode(params), href=lambda iri: entity_href(request, iri),
                  place=lambda value: labels.get(value or "", {}).get(lang) or labels.get(value or "", {}).get("fr"))


__all__ = ["entity_href", "search_page", "with_index"]

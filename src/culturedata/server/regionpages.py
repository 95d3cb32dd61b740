"""The pages of the regions: /regions (the 17 regions, their counts and the map) and
/regions/{code} (a region's institutions, objects, events and places, a page at a time).

The figures come from `regions.RegionIndex`, once per snapshot; every query runs on a query
thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from culturedata.server.regions import KINDS, PAGE_SIZE, Entry, Figures, RegionIndex, compute, listing
from culturedata.server.rendering import page_lang, render
from culturedata.server.sparql import problem

T = TypeVar("T")


async def _on_query_thread(request: Request, work: Callable[[ox.Store, Figures], T]) -> T | None:
    """`work` over the served snapshot and its figures, on a query thread; None without a snapshot."""
    state = request.app.state
    store, snapshot = state.reader.current()
    if store is None:
        return None
    index: RegionIndex = state.region_index
    base: str = state.settings.base_iri

    def run() -> T:
        figures = index.figures(store, snapshot, base) if snapshot is not None else compute(store, base)
        return work(store, figures)

    return await asyncio.get_running_loop().run_in_executor(state.query_threads, run)


def local_path(request: Request, iri: str) -> str | None:
    """The link to an entity's page on this server; None for an IRI outside our entity space."""
    base: str = request.app.state.settings.base_iri
    return "/" + iri[len(base):] if iri.startswith(base) else None


async def regions_page(request: Request) -> Response:
    figures = await _on_query_thread(request, lambda _store, figures: figures)
    if figures is None:
        return problem(request, 503, "server.no_snapshot")
    lang = page_lang(request)
    return render(request, "regions.html", figures=figures, kinds=list(KINDS), label=lambda r: r.label(lang))


async def region_page(request: Request) -> Response:
    code = request.path_params["code"]
    kind = request.query_params.get("kind")
    try:
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        page = 0
    if (kind is not None and kind not in KINDS) or page < 1 or (page > 1 and kind is None):
        return problem(request, 404, "server.regions.no_page")
    shown = [kind] if kind else list(KINDS)

    def work(store: ox.Store, figures: Figures) -> tuple[Figures, dict[str, tuple[list[Entry], bool]]] | None:
        region = figures.region(code)
        if region is None:
            return None
        total = figures.counts[region.code]
        # A page past the last is refused before it is asked for: the OFFSET never scans beyond the region.
        if page > 1 and (page - 1) * PAGE_SIZE >= total[shown[0]]:
            return None
        return figures, {k: listing(store, region, k, page) for k in shown if total[k]}

    outcome = await _on_query_thread(request, work)
    if outcome is None:
        if request.app.state.reader.store() is None:
            return problem(request, 503, "server.no_snapshot")
        return problem(request, 404, "server.regions.no_page")
    figures, lists = outcome
    region = figures.region(code)
    lang = page_lang(request)
    return render(request, "region.html", figures=figures, region=region, label=region.label(lang) if region else code,
                  counts=figures.counts[code], kinds=list(KINDS), shown=shown, lists=lists, kind=kind, page=page,
                  page_size=PAGE_SIZE, href=lambda iri: local_path(request, iri))


__all__ = ["region_page", "regions_page"]

"""The pages of the regions: /regions (the 17 regions, their counts and the map) and
/regions/{code} (a region's institutions, objects, events and places, a page at a time).

The figures come from `regions.RegionIndex`, once per snapshot; every query runs on a query
thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from culturedata.messages import t
from culturedata.server.headers import content_security_policy
from culturedata.server.regions import (
    KINDS,
    MAX_POINTS,
    PAGE_SIZE,
    Entry,
    Figures,
    Point,
    RegionIndex,
    compute,
    listing,
)
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


@dataclass(frozen=True, slots=True)
class MapView:
    points: list[dict[str, object]]  # one marker per place: lat, lon, items (what stands there)
    located: int  # entities on the map
    tiles: str  # server.map_tiles, empty for none
    tile_host: str  # credited under the map
    regions: list[dict[str, object]]  # each region's name where the map writes it
    limit: int = MAX_POINTS


def _map(request: Request, figures: Figures, points: list[Point], lang: str) -> MapView:
    """The map's context: its markers, one per place (a museum and its building share one), with
    what stands there; the tile URL and the host to credit."""
    regions = {r.code: r.label(lang) for r in figures.regions}
    groups: dict[tuple[float, float], list[dict[str, str | None]]] = {}
    for point in points:
        groups.setdefault((round(point.lat, 5), round(point.lon, 5)), []).append({
            "name": point.name(lang), "kind": point.kind, "kind_label": t(f"server.regions.{point.kind}", lang),
            "href": local_path(request, point.iri), "region": regions.get(point.region or "", "")})
    markers: list[dict[str, object]] = [{"lat": lat, "lon": lon, "items": items} for (lat, lon), items in groups.items()]
    tiles: str = request.app.state.settings.map_tiles
    host = tiles.partition("://")[2].split("/", 1)[0].replace("{s}.", "", 1)
    names = [{"code": code, "name": regions[code], "lat": lat, "lon": lon}
             for code, (lat, lon) in sorted(figures.centres.items())]
    return MapView(markers, len(points), tiles, host, names)


def _with_tiles(request: Request, response: Response) -> Response:
    """A map page's policy lets in the configured tile host's images (headers.py); no other page's does."""
    tiles: str = request.app.state.settings.map_tiles
    if tiles:
        response.headers["Content-Security-Policy"] = content_security_policy(tiles=tiles)
    return response


async def regions_page(request: Request) -> Response:
    figures = await _on_query_thread(request, lambda _store, figures: figures)
    if figures is None:
        return problem(request, 503, "server.no_snapshot")
    lang = page_lang(request)
    return _with_tiles(request, render(request, "regions.html", figures=figures, kinds=list(KINDS), region=None,
                                       label=lambda r: r.label(lang), view=_map(request, figures, figures.points, lang)))


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
    points = [p for p in figures.points if p.region == code]
    response = render(
        request, "region.html", figures=figures, region=region, label=region.label(lang) if region else code,
        counts=figures.counts[code], kinds=list(KINDS), shown=shown, lists=lists, kind=kind, page=page,
        page_size=PAGE_SIZE, href=lambda iri: local_path(request, iri), view=_map(request, figures, points, lang))
    return response if kind else _with_tiles(request, response)  # a kind's list has no map


__all__ = ["region_page", "regions_page"]

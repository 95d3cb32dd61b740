"""What is where: the 17 administrative regions with their institutions, objects, events and
places, and the coordinates the map shows.

An entity is in a region through a short chain of places, never an unbounded path: an
object through the institution that holds it (`qcp:heldBy`), an institution or an event
through its `schema:location` (or its own `schema:containedInPlace`), then at most three
`schema:containedInPlace` steps (a hall in a theatre, the theatre in a municipality, the
municipality in its region; the shipped vocabularies place each municipality in its region).

The counts and the map's points scan every entity of a kind, so they are worked out once per
snapshot (`RegionIndex`, as describe.py counts triples) on a query thread; a region's listing
asks for one page at a time (LIMIT), so its cost is bounded by the region, not the store.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from culturedata.iris import reference_graph
from culturedata.server.reader import select

SCHEMA = "http://schema.org/"
PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX qcp: <https://w3id.org/culturedata/ns/qcp#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# The chain from an entity to its region: bounded (no `+`), so its cost per entity is fixed.
WHERE = ("qcp:heldBy?/(schema:location|schema:containedInPlace)"
         "/schema:containedInPlace?/schema:containedInPlace?")
# The types each kind counts. A schema:Museum is both an organisation and a place; it counts
# as an institution. Municipalities are schema:AdministrativeArea, never counted as places.
KINDS: dict[str, tuple[str, ...]] = {
    "institutions": ("Organization", "Museum", "Library", "ArchiveOrganization", "PerformingGroup"),
    "objects": ("qcp:HeritageObject",),
    "events": ("Event", "BusinessEvent", "ChildrensEvent", "ComedyEvent", "DanceEvent", "EducationEvent",
               "EventSeries", "ExhibitionEvent", "Festival", "FoodEvent", "LiteraryEvent", "MusicEvent",
               "PublicationEvent", "SaleEvent", "ScreeningEvent", "SocialEvent", "SportsEvent", "TheaterEvent",
               "VisualArtsEvent"),
    "places": ("Place", "CivicStructure", "EventVenue", "LandmarksOrHistoricalBuildings", "MovieTheater",
               "MusicVenue", "PerformingArtsTheater", "TouristAttraction"),
}
MAPPED = ("institutions", "places")  # the kinds the map shows
PAGE_SIZE = 50
MAX_POINTS = 5_000  # markers on the map of all regions; past it the page says how many are left out
# Quebec's extent, a little wider: coordinates outside it are data errors (a dropped minus sign).
QUEBEC = (44.0, 63.5, -80.5, -56.0)  # south, north, west, east


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # the official two-digit code, "01" to "17"
    iri: str
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("fr") or self.code


@dataclass(frozen=True, slots=True)
class Point:
    iri: str
    kind: str
    lat: float
    lon: float
    region: str | None  # the region's code
    names: dict[str, str]

    def name(self, lang: str) -> str:
        return best(self.names, lang) or self.iri


@dataclass
class Figures:
    """One snapshot's regions, counts per region and kind, and the map's points."""

    regions: list[Region]
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # region code -> kind -> entities
    points: list[Point] = field(default_factory=list)
    left_out: int = 0  # points beyond MAX_POINTS
    outside: int = 0  # coordinates outside Quebec, not drawn
    # Where the map writes each region's name: the mean of its municipalities' coordinates (the
    # vocabulary's approximate centres), so that a map without tiles still shows where is where.
    centres: dict[str, tuple[float, float]] = field(default_factory=dict)

    def region(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)


@dataclass(frozen=True, slots=True)
class Entry:
    iri: str
    names: dict[str, str]

    def name(self, lang: str) -> str:
        return best(self.names, lang) or self.iri


def best(names: dict[str, str], lang: str) -> str | None:
    """The name in `lang`, else French, else untagged, else any."""
    for key in (lang, "fr", ""):
        if names.get(key):
            return names[key]
    return next(iter(names.values()), None)


def types(kind: str) -> str:
    return " ".join(t if ":" in t else f"schema:{t}" for t in KINDS[kind])


def region_values(regions: list[Region]) -> str:
    return " ".join(f"<{r.iri}>" for r in regions)


class RegionIndex:
    """The figures of the snapshot last asked for, worked out once per snapshot (a writable
    store, whose content changes, is counted on every call)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: str | None = None
        self._figures: Figures | None = None

    def figures(self, store: ox.Store, snapshot: str | None, base: str) -> Figures:
        with self._lock:  # two visitors at once count once
            if snapshot is None or snapshot != self._snapshot or self._figures is None:
                self._figures = compute(store, base)
                self._snapshot = snapshot
            return self._figures


def compute(store: ox.Store, base: str) -> Figures:
    figures = Figures(regions(store, base))
    if not figures.regions:
        return figures
    by_iri = {r.iri: r.code for r in figures.regions}
    figures.counts = {r.code: Counter() for r in figures.regions}
    for kind in KINDS:
        query = f"""{PREFIXES}SELECT ?region (COUNT(DISTINCT ?e) AS ?n) WHERE {{
  VALUES ?type {{ {types(kind)} }}
  VALUES ?region {{ {region_values(figures.regions)} }}
  ?e a ?type ; {WHERE} ?region .
}} GROUP BY ?region"""
        for row in select(store, query, union=True):
            figures.counts[by_iri[row["region"].value]][kind] = int(row["n"].value)
    _points(store, figures, by_iri)
    figures.centres = _centres(store, base, by_iri)
    return figures


def _centres(store: ox.Store, base: str, by_iri: dict[str, str]) -> dict[str, tuple[float, float]]:
    query = f"""{PREFIXES}SELECT ?r (AVG(?lat) AS ?la) (AVG(?lon) AS ?lo) WHERE {{
  GRAPH <{reference_graph(base, "municipalities")}> {{
    ?m schema:containedInPlace ?r ; schema:latitude ?lat ; schema:longitude ?lon }}
}} GROUP BY ?r"""
    centres = {}
    for row in select(store, query):
        code = by_iri.get(row["r"].value)
        if code is not None and row["la"] is not None and row["lo"] is not None:
            centres[code] = (float(row["la"].value), float(row["lo"].value))
    return centres


def regions(store: ox.Store, base: str) -> list[Region]:
    """The 17 regions of the shipped vocabulary, as the snapshot's reference graph has them."""
    query = f"""{PREFIXES}SELECT ?r ?code ?label WHERE {{
  GRAPH <{reference_graph(base, "regions")}> {{ ?r skos:notation ?code ; skos:prefLabel ?label }}
}}"""
    found: dict[str, Region] = {}
    for row in select(store, query):
        iri, label = row["r"].value, row["label"]
        region = found.setdefault(iri, Region(row["code"].value, iri, {}))
        if isinstance(label, ox.Literal):
            region.labels[label.language or ""] = label.value
    return sorted(found.values(), key=lambda r: r.code)


def _points(store: ox.Store, figures: Figures, by_iri: dict[str, str]) -> None:
    """Institutions and places with coordinates: their own schema:geo, or their location's."""
    kinds = " ".join(f'({t if ":" in t else "schema:" + t} "{kind}")' for kind in MAPPED for t in KINDS[kind])
    query = f"""{PREFIXES}SELECT ?e ?kind (SAMPLE(?lat) AS ?la) (SAMPLE(?lon) AS ?lo) (SAMPLE(?region) AS ?r) WHERE {{
  VALUES (?type ?kind) {{ {kinds} }}
  ?e a ?type ; schema:location?/schema:geo ?g .
  ?g schema:latitude ?lat ; schema:longitude ?lon .
  OPTIONAL {{ ?e {WHERE} ?region VALUES ?region {{ {region_values(figures.regions)} }} }}
}} GROUP BY ?e ?kind ORDER BY ?e LIMIT {MAX_POINTS * 2}"""
    seen: set[str] = set()
    for row in select(store, query, union=True):
        iri = row["e"].value
        if iri in seen:  # a Museum is an institution and a place: one marker
            continue
        try:
            lat, lon = float(row["la"].value), float(row["lo"].value)
        except (TypeError, ValueError, AttributeError):
            continue
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        south, north, west, east = QUEBEC
        if not (south <= lat <= north and west <= lon <= east):
            figures.outside += 1
            continue
        seen.add(iri)
        if len(figures.points) >= MAX_POINTS:
            figures.left_out += 1
            continue
        region = row["r"].value if row["r"] is not None else None
        figures.points.append(Point(iri, row["kind"].value, lat, lon, by_iri.get(region or ""), {}))
    _name(store, figures.points)


def names(store: ox.Store, iris: list[str]) -> dict[str, dict[str, str]]:
    """schema:name of each IRI, by language tag ("" untagged): one query for a bounded list."""
    found: dict[str, dict[str, str]] = {iri: {} for iri in iris}
    for start in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + 500])
        query = f"{PREFIXES}SELECT ?e ?name WHERE {{ VALUES ?e {{ {values} }} ?e schema:name ?name }}"
        for row in select(store, query, union=True):
            name = row["name"]
            if isinstance(name, ox.Literal):
                found[row["e"].value].setdefault(name.language or "", name.value)
    return found


def _name(store: ox.Store, points: list[Point]) -> None:
    found = names(store, [p.iri for p in points])
    for point in points:
        point.names.update(found[point.iri])


def listing(store: ox.Store, region: Region, kind: str, page: int) -> tuple[list[Entry], bool]:
    """One page of a region's entities of a kind, in IRI order, and whether another follows."""
    query = f"""{PREFIXES}SELECT DISTINCT ?e WHERE {{
  VALUES ?type {{ {types(kind)} }}
  ?e a ?type ; {WHERE} <{region.iri}> .
}} ORDER BY ?e LIMIT {PAGE_SIZE + 1} OFFSET {(page - 1) * PAGE_SIZE}"""
    iris = [row["e"].value for row in select(store, query, union=True)]
    more = len(iris) > PAGE_SIZE
    iris = iris[:PAGE_SIZE]
    found = names(store, iris)
    return [Entry(iri, found[iri]) for iri in iris], more

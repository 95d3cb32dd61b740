"""Lookups into the shipped SKOS concept schemes (`ontologies/**/*.ttl`).

A mapping value with `lookup: regions` turns "Saguenay–Lac-Saint-Jean", "saguenay lac saint jean"
or "02" into the concept IRI `…/vocab/regions/02`. Labels (pref, alt, hidden) and notations
match without regard to case, accents, hyphens or dashes. With `follow: <property>` the match
is replaced by what the concept points to (a municipality concept → its region).

A name several concepts share (Quebec has two L'Ange-Gardien, in two regions) is never settled
by picking one. What the record says beside the name narrows the candidates (`Hints`): the
census division or region written next to it ("Saint-Damase (Les Maskoutains)") or given in
another field, the postal code's prefix (FSA) when the candidates' census divisions are known to
hold it, and the place's coordinates when one candidate's centre is clearly the nearest. If the
candidates still lead to different answers, the lookup answers nothing and names them
(`Found.ambiguous`). A place the hints put outside Quebec (another province, another country, a
postal code outside G, H and J) gets no concept at all (`Found.outside`).

A scheme is named by the last segment of its IRI (`https://w3id.org/culturedata/vocab/regions`
→ `regions`) or by its full IRI.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from culturedata.mapping.transforms import normalise_key

SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "http://schema.org/"
_LABELS = (SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", SKOS + "notation")
_FACTS = (SCHEMA + "latitude", SCHEMA + "longitude", SCHEMA + "postalCodePrefix")
BROADER = SKOS + "broader"
_AROUND = (BROADER, SCHEMA + "containedInPlace")  # a municipality's census division and region

HINTS = ("postal_code", "province", "country", "division", "region", "latitude", "longitude")

_QUEBEC = {"qc", "pq", "que", "quebec"}
_CANADA = {"ca", "can", "canada"}
_OTHER_PROVINCES = {
    "alberta", "british columbia", "colombie britannique", "manitoba", "new brunswick", "nouveau brunswick",
    "newfoundland and labrador", "terre neuve et labrador", "newfoundland", "terre neuve", "nova scotia",
    "nouvelle ecosse", "northwest territories", "territoires du nord ouest", "nunavut", "ontario",
    "prince edward island", "ile du prince edouard", "saskatchewan", "yukon",
}
_POSTAL = re.compile(r"^([A-Z]\d[A-Z])(\d[A-Z]\d)?$")
# K1A is the federal government's FSA on both sides of the Ottawa River: ODCAF places the
# Canadian Museum of History, in Gatineau, at K1A 0M8. It says nothing about the province.
_EITHER_SIDE = {"K1A"}
NEAR_KM = 100.0  # a centre farther than this from the place decides nothing
CLEARLY_NEARER = 2.0  # the nearest centre must be this many times nearer than the next one


@dataclass(frozen=True, slots=True)
class Hints:
    """What a record says about a place beside its municipality's name (empty: nothing)."""

    postal_code: str = ""
    province: str = ""
    country: str = ""
    division: str = ""  # census division (MRC) name or code
    region: str = ""  # administrative region name or code
    latitude: str = ""
    longitude: str = ""


@dataclass(frozen=True, slots=True)
class Found:
    iris: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()  # the concepts a shared name leaves undecided
    outside: bool = False  # the hints place it outside Quebec: no concept applies


@dataclass(slots=True)
class Scheme:
    iri: str
    labels: dict[str, list[str]] = field(default_factory=dict)  # normalised label -> concept IRIs
    links: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (concept, property) -> IRIs
    # Shared by every scheme of a load: each concept's normalised labels, literal facts and display name.
    names: dict[str, set[str]] = field(default_factory=dict, repr=False)
    facts: dict[tuple[str, str], list[str]] = field(default_factory=dict, repr=False)
    titles: dict[str, str] = field(default_factory=dict, repr=False)
    found: dict[tuple[str, str | None, Hints | None], Found] = field(default_factory=dict, repr=False, compare=False)

    def find(self, text: str, follow: str | None = None) -> list[str]:
        """The concepts (or what they point to) for the text; none when it is unknown or when
        concepts sharing the name lead to different answers."""
        return list(self.resolve(text, follow).iris)

    def resolve(self, text: str, follow: str | None = None, hints: Hints | None = None) -> Found:
        # Labels repeat from record to record (a museum's municipalities): answers are kept
        # for the last few thousand distinct questions.
        key = (text, follow, hints)
        found = self.found.get(key)
        if found is None:
            if len(self.found) >= 4096:
                self.found.clear()
            found = self.found[key] = self._resolve(text, follow, hints)
        return found

    def describe(self, concept: str) -> str:
        """"L'Ange-Gardien (21040) — La Côte-de-Beaupré (2421)": enough for a person to choose."""
        within = [self.titles[b] for b in self.links.get((concept, BROADER), []) if b in self.titles]
        return " — ".join([self.titles.get(concept, concept), *within])

    def _resolve(self, text: str, follow: str | None, hints: Hints | None) -> Found:
        if hints is not None and outside_quebec(hints):
            return Found(outside=True)
        concepts, qualifiers = self._match(text)
        if len(concepts) > 1:
            concepts = self._narrow(concepts, qualifiers, hints or Hints())
        answers = dict.fromkeys(tuple(self.links.get((c, follow), [])) if follow else (c,) for c in concepts)
        if len(answers) == 1:
            return Found(next(iter(answers)))
        return Found(ambiguous=tuple(concepts)) if len(answers) > 1 else Found()

    def _match(self, text: str) -> tuple[list[str], list[str]]:
        """The concepts the first matching form of the text names, and the other forms (the
        "Les Maskoutains" of "Saint-Damase (Les Maskoutains)"), which may tell homonyms apart."""
        forms = _candidates(text)
        for form in forms:
            concepts = self.labels.get(normalise_key(form))
            if concepts:
                return concepts, [f for f in forms[1:] if f != form]
        return [], []

    def _narrow(self, concepts: list[str], qualifiers: list[str], hints: Hints) -> list[str]:
        """Each piece of evidence in turn keeps the candidates it fits; evidence that fits none
        of them is set aside rather than trusted."""
        tests: list[Callable[[str], bool]] = [self._named(q) for q in (*qualifiers, hints.division, hints.region) if q]
        fsa = _fsa(hints.postal_code)
        if fsa:
            tests.append(lambda concept: any(fsa in self.facts.get((b, SCHEMA + "postalCodePrefix"), [])
                                             for b in self.links.get((concept, BROADER), [])))
        for test in tests:
            kept = [c for c in concepts if test(c)]
            if kept:
                concepts = kept
            if len(concepts) == 1:
                return concepts
        nearest = self._nearest(concepts, hints)
        return [nearest] if nearest else concepts

    def _named(self, text: str) -> Callable[[str], bool]:
        """Whether a concept lies in the division or region the text names."""
        key = normalise_key(text)
        return lambda concept: any(key in self.names.get(target, ()) for link in _AROUND
                                   for target in self.links.get((concept, link), []))

    def _nearest(self, concepts: list[str], hints: Hints) -> str | None:
        """The candidate whose centre (its own, else its census division's) is near the place
        and clearly nearer than every other; None when any candidate has no centre."""
        try:
            latitude, longitude = float(hints.latitude), float(hints.longitude)
        except ValueError:
            return None
        distances: list[tuple[float, str]] = []
        for concept in concepts:
            centre = self._centre(concept)
            if centre is None:
                return None
            distances.append((_km(latitude, longitude, *centre), concept))
        distances.sort()
        (first, concept), (second, _) = distances[0], distances[1]
        return concept if first <= NEAR_KM and second >= CLEARLY_NEARER * first else None

    def _centre(self, concept: str) -> tuple[float, float] | None:
        for place in (concept, *self.links.get((concept, BROADER), [])):
            latitude = self.facts.get((place, SCHEMA + "latitude"))
            longitude = self.facts.get((place, SCHEMA + "longitude"))
            if latitude and longitude:
                return float(latitude[0]), float(longitude[0])
        return None


def outside_quebec(hints: Hints) -> bool:
    """Whether the country, the province or the postal code says the place is not in Quebec.
    A value that says neither (empty, "Montérégie", "n/a") decides nothing."""
    country = normalise_key(hints.country)
    if country and country not in _CANADA and "/" not in hints.country:  # an IRI is not read here
        return True
    province = normalise_key(hints.province)
    if province and province not in _QUEBEC and (len(province) == 2 or province in _OTHER_PROVINCES):
        return True
    postal = hints.postal_code.replace(" ", "").replace("-", "").upper()
    match = _POSTAL.match(postal)
    if match:
        return match.group(1) not in _EITHER_SIDE and postal[0] not in "GHJ"
    return postal.isdigit() and len(postal) in (4, 5)  # a ZIP or European code: not Canadian


def _fsa(postal_code: str) -> str:
    match = _POSTAL.match(postal_code.replace(" ", "").upper())
    return match.group(1) if match else ""


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


_PARENTHESIS = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def _candidates(text: str) -> list[str]:
    """"Laurentides (15)" is tried whole, then as "Laurentides", then as "15"; "15 - Laurentides" too."""
    match = _PARENTHESIS.match(text)
    if match:
        return [text, match.group(1), match.group(2)]
    return [text, *(part for part in re.split(r"\s+[-–—]\s+", text) if part != text)]


@dataclass(slots=True)
class Vocabularies:
    schemes: dict[str, Scheme]

    def scheme(self, name: str) -> Scheme | None:
        return self.schemes.get(name)

    @property
    def names(self) -> list[str]:
        return sorted(n for n in self.schemes if "/" not in n)


@cache
def load_vocabularies(directory: Path) -> Vocabularies:
    """Every concept scheme under `directory`, read once per process (with pyoxigraph's parser:
    rdflib takes seconds on the municipality table)."""
    import pyoxigraph as ox

    triples: list[tuple[str, str, object]] = []
    for path in sorted(directory.rglob("*.ttl")) if directory.is_dir() else []:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            triples.append((quad.subject.value, quad.predicate.value, quad.object))
    schemes: dict[str, Scheme] = {}
    concept_schemes: dict[str, list[Scheme]] = {}
    names: dict[str, set[str]] = {}
    facts: dict[tuple[str, str], list[str]] = {}
    titles: dict[str, str] = {}
    for concept, predicate, obj in triples:
        if predicate != SKOS + "inScheme":
            continue
        scheme_iri = obj.value  # type: ignore[attr-defined]
        scheme = schemes.get(scheme_iri)
        if scheme is None:
            scheme = Scheme(scheme_iri, names=names, facts=facts, titles=titles)
            schemes[scheme_iri] = scheme
            schemes.setdefault(scheme_iri.rstrip("/#").rsplit("/", 1)[-1], scheme)
        concept_schemes.setdefault(concept, []).append(scheme)
    notations: dict[str, str] = {}
    for concept, predicate, obj in triples:
        members = concept_schemes.get(concept)
        if not members:
            continue
        if predicate in _LABELS:
            key = normalise_key(obj.value)  # type: ignore[attr-defined]
            names.setdefault(concept, set()).add(key)
            for scheme in members:
                found = scheme.labels.setdefault(key, [])
                if concept not in found:
                    found.append(concept)
            if predicate == SKOS + "prefLabel":
                titles.setdefault(concept, obj.value)  # type: ignore[attr-defined]
            elif predicate == SKOS + "notation":
                notations.setdefault(concept, obj.value)  # type: ignore[attr-defined]
        elif predicate in _FACTS and isinstance(obj, ox.Literal):
            facts.setdefault((concept, predicate), []).append(obj.value)
        elif isinstance(obj, ox.NamedNode):
            for scheme in members:
                scheme.links.setdefault((concept, predicate), []).append(obj.value)
    for concept, notation in notations.items():
        titles[concept] = f"{titles[concept]} ({notation})" if concept in titles else notation
    return Vocabularies(schemes)

"""The persons and organisations of a snapshot, as `Entity`s, read from its record graphs.

Only the sources' own graphs are read (record and provider graphs): not the system graph,
the shipped vocabularies, nor the pooling graph itself. An entity described in several
records (a Wikidata-keyed IRI two museums share) is one `Entity` with all their facts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from culturedata import iris
from culturedata.authorities import canonical
from culturedata.pooling.entities import ORGANISATION, PERSON, Entity, site_key
from culturedata.pooling.names import fold

SCHEMA = "http://schema.org/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
NEQ = "http://www.wikidata.org/prop/direct/P10503"
# The schema.org types read as persons or organisations (the profile's and the mappings').
TYPES = {
    f"{SCHEMA}Person": PERSON,
    **{f"{SCHEMA}{name}": ORGANISATION for name in (
        "Organization", "PerformingGroup", "MusicGroup", "TheaterGroup", "DanceGroup", "Museum",
        "PerformingArtsTheater", "ArtGallery", "Library", "EducationalOrganization", "GovernmentOrganization",
        "NGO", "LocalBusiness", "Corporation")},
}
# A node its source types as a schema:Place (a venue, a building) is a place, whatever else it is
# typed (PerformingArtsTheater, Museum and Library are places and organisations in schema.org): a
# theatre company and the hall named after it are two things, never linked here.
PLACE = "place"
PLACE_TYPE = f"{SCHEMA}Place"
NAMES = {f"{SCHEMA}name", f"{SCHEMA}alternateName", f"{SCHEMA}legalName"}
BORN = {f"{SCHEMA}birthDate", f"{SCHEMA}foundingDate"}
DIED = {f"{SCHEMA}deathDate", f"{SCHEMA}dissolutionDate"}
PLACES = {f"{SCHEMA}birthPlace", f"{SCHEMA}deathPlace", f"{SCHEMA}location", f"{SCHEMA}address",
          f"{SCHEMA}addressLocality", f"{SCHEMA}containedInPlace"}
# Places too wide to tell two things apart: two libraries of one administrative region are not
# one library for that, and two in different regions differ already by their towns.
WIDE_PLACES = (iris.REGIONS, iris.CENSUS_DIVISIONS)
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # what a quad's object may be
_YEAR = re.compile(r"^-?(\d{4})")


@dataclass
class _Facts:
    kinds: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)
    born: int | None = None
    died: int | None = None
    places: set[str] = field(default_factory=set)
    authorities: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


def read_entities(store: ox.Store, base: str) -> list[Entity]:
    facts: defaultdict[str, _Facts] = defaultdict(_Facts)
    for type_iri, kind in TYPES.items():
        for quad in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(type_iri), None):
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode) or not isinstance(quad.subject, ox.NamedNode):
                continue
            source = iris.graph_source(base, graph.value)
            if source is None:
                continue
            entity = facts[quad.subject.value]
            entity.kinds.add(kind)
            entity.sources.add(source)
            _read(store, quad.subject, graph, entity)
    for quad in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(PLACE_TYPE), None):
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value in facts:
            facts[quad.subject.value].kinds.add(PLACE)
    return [_entity(subject, f) for subject, f in sorted(facts.items()) if f.names and len(f.kinds) == 1]


def _read(store: ox.Store, subject: ox.NamedNode, graph: ox.NamedNode, into: _Facts) -> None:
    for quad in store.quads_for_pattern(subject, None, None, graph):
        predicate, value = quad.predicate.value, quad.object
        if predicate in NAMES and isinstance(value, ox.Literal) and value.value not in into.names:
            into.names.append(value.value)
        elif predicate in BORN:
            into.born = into.born or _year(value)
        elif predicate in DIED:
            into.died = into.died or _year(value)
        elif predicate in (f"{SCHEMA}sameAs", OWL_SAME_AS):
            _authority(value.value if not isinstance(value, ox.Triple) else "", None, into)
        elif predicate == NEQ and isinstance(value, ox.Literal):
            _authority(value.value, "neq", into)
        elif predicate == f"{SCHEMA}identifier":
            _identifier(store, value, graph, into)
        elif predicate == f"{SCHEMA}url" and isinstance(value, ox.NamedNode | ox.Literal):
            if key := site_key(value.value):
                into.sites.add(key)
        elif predicate in PLACES:
            _place(store, value, graph, into, depth=0)


def _authority(text: str, only: str | None, into: _Facts) -> None:
    found = canonical(text, only) if text else None
    if found:
        into.authorities.add(found)


def _identifier(store: ox.Store, value: Term, graph: ox.NamedNode, into: _Facts) -> None:
    """A plain identifier, or a schema:PropertyValue whose value (and property) says which authority."""
    if isinstance(value, ox.Literal):
        _authority(value.value, None, into)
        return
    if isinstance(value, ox.NamedNode | ox.BlankNode):
        for quad in store.quads_for_pattern(value, ox.NamedNode(f"{SCHEMA}value"), None, graph):
            if isinstance(quad.object, ox.Literal | ox.NamedNode):
                _authority(quad.object.value, None, into)


def _place(store: ox.Store, value: Term, graph: ox.NamedNode, into: _Facts, depth: int) -> None:
    """A place by its name or IRI, and the places it sits in (a location's municipality)."""
    if isinstance(value, ox.Literal):
        if folded := fold(value.value):
            into.places.add(folded)
        return
    if isinstance(value, ox.NamedNode) and "#" not in value.value:
        if value.value.startswith(WIDE_PLACES):
            return
        into.places.add(value.value)
    if depth < 2 and isinstance(value, ox.NamedNode | ox.BlankNode):
        for quad in store.quads_for_pattern(value, None, None, graph):
            if quad.predicate.value in (f"{SCHEMA}containedInPlace", f"{SCHEMA}addressLocality", f"{SCHEMA}address"):
                _place(store, quad.object, graph, into, depth + 1)


def _year(value: Term) -> int | None:
    if not isinstance(value, ox.Literal):
        return None
    match = _YEAR.match(value.value.strip())
    return int(match.group(1)) if match else None


def _entity(subject: str, facts: _Facts) -> Entity:
    return Entity(subject, next(iter(facts.kinds)), tuple(facts.names), facts.born, facts.died,
                  frozenset(facts.places), frozenset(facts.authorities), frozenset(facts.sites), frozenset(facts.sources))

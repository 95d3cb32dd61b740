"""schema.org JSON-LD as a tree the mapping language can walk, without touching the network.

Web pages write schema.org JSON-LD in many spellings: `"@context": "https://schema.org"`, an
object with `@vocab`, `schema:` prefixes, fully expanded IRIs (`http://schema.org/name` with
`[{"@value": …, "@language": …}]`), `@graph`, flattened node lists linked by `@id`. All of them
are read here with one *local* context (every term is a schema.org term), never by fetching a
context: property keys become schema.org local names ("name"), `@type` values too, `https`
is normalised to `http`, and `{"@id": "_:b0"}` references are followed through an index of the
record's nodes. A key under another vocabulary stays a full IRI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "http://www.schema.org/",
                   "https://www.schema.org/", "schema:")

# schema.org subclasses met in cultural JSON-LD, so that `@nodes[Event]` also finds a
# TheaterEvent. tests/mapping/test_jsonld.py checks each against the schema.org vocabulary.
SUBTYPES: dict[str, frozenset[str]] = {
    "Event": frozenset({
        "BusinessEvent", "ChildrensEvent", "ComedyEvent", "CourseInstance", "DanceEvent", "DeliveryEvent",
        "EducationEvent", "EventSeries", "ExhibitionEvent", "Festival", "FoodEvent", "Hackathon",
        "LiteraryEvent", "MusicEvent", "PublicationEvent", "BroadcastEvent", "OnDemandEvent", "SaleEvent",
        "ScreeningEvent", "SocialEvent", "SportsEvent", "TheaterEvent", "VisualArtsEvent",
    }),
    "Organization": frozenset({
        "PerformingGroup", "DanceGroup", "MusicGroup", "TheaterGroup", "LocalBusiness",
        "EntertainmentBusiness", "ArtGallery", "EducationalOrganization", "CollegeOrUniversity",
        "GovernmentOrganization", "NGO", "Corporation", "Project", "LibrarySystem", "Library",
        "MovieTheater", "NightClub", "Consortium", "FundingScheme", "ResearchOrganization",
        "MedicalOrganization", "NewsMediaOrganization", "SportsOrganization", "WorkersUnion",
        "OnlineBusiness", "Airline", "SearchRescueOrganization",
    }),
    "Place": frozenset({
        "CivicStructure", "Museum", "MusicVenue", "PerformingArtsTheater", "EventVenue", "MovieTheater",
        "LocalBusiness", "EntertainmentBusiness", "ArtGallery", "Library", "NightClub", "TouristAttraction",
        "AdministrativeArea", "City", "State", "Country", "LandmarksOrHistoricalBuildings", "Landform",
        "Park", "PlaceOfWorship", "Church", "StadiumOrArena", "Residence", "Accommodation",
        "TouristDestination", "Zoo", "Aquarium", "Beach", "BusStation",
    }),
    "Person": frozenset({"Patient"}),
    "CreativeWork": frozenset({
        "VisualArtwork", "Painting", "Photograph", "Sculpture", "Book", "MusicComposition",
        "MusicRecording", "Movie", "CreativeWorkSeries", "Play",
    }),
}


def local_name(term: str) -> str:
    for prefix in SCHEMA_PREFIXES:
        if term.startswith(prefix):
            return term[len(prefix):]
    return term


def is_a(node: dict[str, Any], wanted: frozenset[str]) -> bool:
    return any(t in wanted for t in node.get("@type", ()))


def with_subtypes(names: list[str]) -> frozenset[str]:
    found: set[str] = set()
    for name in names:
        found.add(name)
        found |= SUBTYPES.get(name, frozenset())
    return frozenset(found)


@dataclass(slots=True)
class Document:
    """The record's JSON-LD: its top-level nodes, and every node by @id for references."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    index: dict[str, dict[str, Any]] = field(default_factory=dict)
    foreign_contexts: list[str] = field(default_factory=list)

    def resolve(self, item: Any) -> Any:
        if isinstance(item, dict) and len(item) == 1 and "@id" in item:
            return self.index.get(item["@id"], item)
        return item


def read(payload: bytes | str | dict[str, Any] | list[Any]) -> Document:
    data = json.loads(payload) if isinstance(payload, bytes | str) else payload
    document = Document()
    for item in data if isinstance(data, list) else [data]:
        if isinstance(item, dict):
            _top(item, document)
    return document


def _top(item: dict[str, Any], document: Document) -> None:
    graph = item.get("@graph")
    if graph is not None:
        _check_context(item.get("@context"), document)
        for member in graph if isinstance(graph, list) else [graph]:
            if isinstance(member, dict):
                document.nodes.append(_node(member, document))
        return
    document.nodes.append(_node(item, document))


def _check_context(context: Any, document: Document) -> None:
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, str) and "schema.org" not in entry:
            document.foreign_contexts.append(entry)


def _node(item: dict[str, Any], document: Document) -> dict[str, Any]:
    node: dict[str, Any] = {}
    for key, value in item.items():
        if key == "@context":
            _check_context(value, document)
        elif key == "@id":
            ident = str(value)
            document.index[ident] = node
            node["@bnode" if ident.startswith("_:") else "@id"] = ident
        elif key == "@type":
            node["@type"] = [local_name(str(t)) for t in (value if isinstance(value, list) else [value])]
        elif not key.startswith("@"):
            items = value if isinstance(value, list) else [value]
            node[local_name(key)] = [_value(v, document) for v in items if v is not None]
    return node


def _value(value: Any, document: Document) -> Any:
    if isinstance(value, dict):
        if "@value" in value:
            return value
        if set(value) == {"@id"}:
            return value
        if "@list" in value:
            return [_value(v, document) for v in value["@list"]]
        return _node(value, document)
    return value

"""schema.org JSON-LD as a tree the mapping language can walk, without touching the network.

Web pages write schema.org JSON-LD in many spellings: `"@context": "https://schema.org"`, an
object with `@vocab`, `schema:` prefixes, fully expanded IRIs (`http://schema.org/name` with
`[{"@value": …, "@language": …}]`), `@graph`, flattened node lists linked by `@id`. All of them
are read here with one *local* context (every term is a schema.org term), never by fetching a
context: property keys become schema.org local names ("name"), `@type` values too, `https`
is normalised to `http`, and `{"@id": "_:b0"}` references are followed through an index of the
record's nodes. A key under another vocabulary stays a full IRI.

The local context is schema.org's own, so its keyword aliases hold: `id` is `@id` and `type` is
`@type` (Footlight and La Vitrine pages write them so), unless the record's own context gives
those terms another meaning; an object context may alias more terms to keywords.

Events nested in `subEvent` or `superEvent` (a festival's shows inside an unnamed series, the
series inside a show) are also the record's nodes, after its top-level ones, each with a blank
node name of its own when it has no `@id`: a mapping over `@nodes[Event]` keeps them, and can
link to them by the same IRI from either side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "http://www.schema.org/",
                   "https://www.schema.org/", "schema:")
# schema.org's context (https://schema.org/docs/jsonldcontext.jsonld) aliases these two keywords.
SCHEMA_ALIASES: dict[str, str] = {"id": "@id", "type": "@type"}
KEYWORDS = frozenset({"@id", "@type", "@value", "@language", "@list", "@graph", "@context", "@set"})
NESTED_EVENTS = frozenset({"subEvent", "superEvent"})

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
    nested: list[dict[str, Any]] = field(default_factory=list)  # events under subEvent/superEvent

    def resolve(self, item: Any) -> Any:
        if isinstance(item, dict) and len(item) == 1 and "@id" in item:
            return self.index.get(item["@id"], item)
        return item


def read(payload: bytes | str | dict[str, Any] | list[Any]) -> Document:
    data = json.loads(payload) if isinstance(payload, bytes | str) else payload
    document = Document()
    for item in data if isinstance(data, list) else [data]:
        if isinstance(item, dict):
            _top(item, document, SCHEMA_ALIASES)
    for number, node in enumerate(document.nested, start=1):
        if "@id" not in node and "@bnode" not in node:
            node["@bnode"] = f"_:nested{number}"
    document.nodes.extend(document.nested)
    return document


def _top(item: dict[str, Any], document: Document, aliases: dict[str, str]) -> None:
    aliases = _aliases(item.get("@context"), aliases)
    graph = item.get("@graph")
    if graph is not None:
        _check_context(item.get("@context"), document)
        for member in graph if isinstance(graph, list) else [graph]:
            if isinstance(member, dict):
                document.nodes.append(_node(member, document, aliases))
        return
    document.nodes.append(_node(item, document, aliases))


def _check_context(context: Any, document: Document) -> None:
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, str) and "schema.org" not in entry:
            document.foreign_contexts.append(entry)


def _aliases(context: Any, aliases: dict[str, str]) -> dict[str, str]:
    """The keyword aliases in force under `context`: those of schema.org's context, changed by
    the terms an object context defines (`"kind": "@type"` adds one, `"type": "ex:type"` ends one)."""
    changed: dict[str, str] | None = None
    for entry in context if isinstance(context, list) else [context]:
        if not isinstance(entry, dict):
            continue
        for term, meaning in entry.items():
            if term.startswith("@"):
                continue
            keyword = meaning if isinstance(meaning, str) else meaning.get("@id") if isinstance(meaning, dict) else None
            if changed is None:
                changed = dict(aliases)
            if isinstance(keyword, str) and keyword in KEYWORDS:
                changed[term] = keyword
            else:
                changed.pop(term, None)
    return aliases if changed is None else changed


def _keywords(item: dict[str, Any], aliases: dict[str, str]) -> dict[str, Any]:
    """`item` with aliased keywords spelt as keywords (a keyword written out wins over its alias)."""
    if not any(key in aliases for key in item):
        return item
    return {aliases[key] if key in aliases and aliases[key] not in item else key: value
            for key, value in item.items()}


def _node(item: dict[str, Any], document: Document, aliases: dict[str, str]) -> dict[str, Any]:
    if "@context" in item:
        aliases = _aliases(item["@context"], aliases)
    item = _keywords(item, aliases)
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
            name = local_name(key)
            node[name] = [_value(v, document, aliases) for v in items if v is not None]
            if name in NESTED_EVENTS:
                document.nested.extend(v for v in node[name] if isinstance(v, dict) and "@type" in v)
    return node


def _value(value: Any, document: Document, aliases: dict[str, str]) -> Any:
    if isinstance(value, dict):
        value = _keywords(value, aliases)
        if "@value" in value:
            return value
        if set(value) == {"@id"}:
            return value
        if "@list" in value:
            return [_value(v, document, aliases) for v in value["@list"]]
        return _node(value, document, aliases)
    return value

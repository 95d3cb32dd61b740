"""The schema.org description a page embeds for search engines (`<script type="application/ld+json">`).

Search engines read schema.org in the shape their structured-data rules document, not any RDF:
one node with `@context` and one `@type`, plain strings in the page's language, and the things
it points at written inside it with their own type and name (an event's `location` is a Place
with its name and its address or coordinates: Google's Event rules,
https://developers.google.com/search/docs/appearance/structured-data/event). The RDF itself is
at the page's `.jsonld` and `.ttl` addresses. Every fact is read by subject (lookups.py).
"""

from __future__ import annotations

import json
from typing import TypeAlias

import pyoxigraph as ox

from culturedata.server.labels import SCHEMA_HTTP, SCHEMA_HTTPS, best_literal
from culturedata.server.lookups import Lookups, Term

Json: TypeAlias = "str | float | list[Json] | dict[str, Json]"
QCP_OBJECT = "https://w3id.org/culturedata/ns/qcp#HeritageObject"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Types that a more specific one of the same node says better (a Festival is an Event).
GENERAL = ("Thing", "CreativeWork", "Event", "Place", "Organization")
TEXT = ("name", "description", "startDate", "endDate", "doorTime", "dateCreated", "creditText", "telephone",
        "email", "priceCurrency", "validFrom", "streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry")
LINKS = ("url", "sameAs", "eventStatus", "eventAttendanceMode", "availability", "license")
NODES = ("location", "organizer", "performer", "creator", "locationCreated", "address", "geo", "offers")
NUMBERS = ("latitude", "longitude", "price")
DEPTH = 2  # an event, its place, the place's address: enough for the rules, and a bounded number of lookups


class Facts:
    """A node's schema.org facts by local name, for one page."""

    def __init__(self, quads: list[ox.Quad] | list[ox.Triple]) -> None:
        self.by: dict[str, list[Term]] = {}
        for quad in quads:
            name = _schema_name(quad.predicate.value)
            if name is not None:
                self.by.setdefault(name, []).append(quad.object)
            elif quad.predicate.value == TYPE:
                self.by.setdefault("@type", []).append(quad.object)

    def text(self, name: str, lang: str) -> str | None:
        return best_literal([o for o in self.by.get(name, []) if isinstance(o, ox.Literal)], lang)


def structured_data(iri: str, triples: list[ox.Triple], lookups: Lookups, lang: str, images: list[str]) -> str:
    """The entity as one schema.org node, as JSON text safe inside a <script> element."""
    node = ox.NamedNode(iri)
    data = _node(Facts([t for t in triples if t.subject == node]), lookups, lang, DEPTH, triples)
    data = {"@context": "https://schema.org", "@id": iri, **data}
    if images:
        data["image"] = list(images)
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _node(facts: Facts, lookups: Lookups, lang: str, depth: int, triples: list[ox.Triple]) -> dict[str, Json]:
    out: dict[str, Json] = {"@type": _type(facts)}
    for name in TEXT:
        if (value := facts.text(name, lang)) is not None:
            out[name] = value
    for name in NUMBERS:
        literal = next((o for o in facts.by.get(name, []) if isinstance(o, ox.Literal)), None)
        if literal is not None:
            try:
                out[name] = float(literal.value)
            except ValueError:
                out[name] = literal.value
    for name in LINKS:
        links = [_https(o.value) for o in facts.by.get(name, []) if isinstance(o, ox.NamedNode | ox.Literal)]
        if links:
            out[name] = links[0] if len(links) == 1 else list(links)
    if depth > 0:
        for name in NODES:
            nodes = [_nested(o, lookups, lang, depth - 1, triples) for o in facts.by.get(name, [])[:10]]
            kept = [n for n in nodes if n is not None]
            if kept:
                out[name] = kept[0] if len(kept) == 1 else kept
    return out


def _nested(term: Term, lookups: Lookups, lang: str, depth: int, triples: list[ox.Triple]) -> Json | None:
    """What a fact points at, written in: a node with its type and name; a literal as text."""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        facts = Facts([t for t in triples if t.subject == term])
    elif isinstance(term, ox.NamedNode):
        facts = Facts(lookups.objects(term, limit=100))
    else:
        return None
    if not facts.by:
        return {"@id": term.value} if isinstance(term, ox.NamedNode) else None
    node = _node(facts, lookups, lang, depth, triples)
    return {"@id": term.value, **node} if isinstance(term, ox.NamedNode) else node


def _type(facts: Facts) -> str:
    names = [n for o in facts.by.get("@type", []) if (n := _schema_name(o.value if isinstance(o, ox.NamedNode) else ""))]
    if not names and any(isinstance(o, ox.NamedNode) and o.value == QCP_OBJECT for o in facts.by.get("@type", [])):
        return "CreativeWork"  # the profile's heritage object is a schema:CreativeWork
    specific = [n for n in names if n not in GENERAL]
    return (specific or names or ["Thing"])[0]


def _schema_name(iri: str) -> str | None:
    for namespace in (SCHEMA_HTTP, SCHEMA_HTTPS):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return iri[len(namespace):]
    return None


def _https(value: str) -> str:
    """schema.org's own IRIs as schema.org spells them today (https)."""
    return SCHEMA_HTTPS + value[len(SCHEMA_HTTP):] if value.startswith(SCHEMA_HTTP) else value

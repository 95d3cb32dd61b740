"""The shipped `schema-events` mapping on real pages written by others: key-field recall and the
share of events that publish valid (docs/mapping.md, "The shipped mappings on real data").

Recall counts, for each event the input gives and each key field it gives a non-empty value
for, whether the event the mapping mints for it has that field. The input is read here
independently of the mapping engine (expanded JSON-LD, the form Artsdata's orion scraper
writes). An event is valid when no violation falls on it or on a node it reaches (its place,
address, agents, offers).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from culturedata.config import Source
from culturedata.harvest import HarvestOptions, harvest
from culturedata.iris import slug
from culturedata.mapping import MappingContext, load_mapping, map_record, map_records
from culturedata.records import MappedRecord, Severity
from culturedata.validate import load_shapes, validate_records
from culturedata.validate.fast import FastValidator

from .conftest import BASE, RDF_TYPE, SCHEMA, context, file_record, shared

EVENT_TYPES = ("Event", "TheaterEvent", "MusicEvent", "DanceEvent", "ComedyEvent", "Festival", "EventSeries",
               "ExhibitionEvent", "ChildrensEvent", "EducationEvent", "LiteraryEvent", "ScreeningEvent",
               "SocialEvent", "VisualArtsEvent")
KEY_FIELDS = ("name", "startDate", "endDate", "description", "location", "address", "organizer", "performer",
              "offers", "image", "url", "eventStatus", "eventAttendanceMode", "eventSchedule", "superEvent",
              "subEvent", "inLanguage")


def local(term: str) -> str:
    return term.removeprefix("https://schema.org/").removeprefix("http://schema.org/")


def filled(values: list) -> bool:
    return any(v.get("@value", "") != "" if isinstance(v, dict) and "@value" in v else True for v in values)


def given(node: dict, nodes: dict[str, dict]) -> set[str]:
    """The key fields an input event gives a value for (`address`: through its location)."""
    fields = {local(key) for key, values in node.items() if not key.startswith("@") and filled(values)}
    for key, values in node.items():
        if local(key) == "location":
            places = [nodes.get(v.get("@id", ""), {}) for v in values if isinstance(v, dict)]
            if any(local(k) == "address" and filled(v) for place in places for k, v in place.items()):
                fields.add("address")
    return fields & set(KEY_FIELDS)


class Graph:
    def __init__(self, mapped: MappedRecord) -> None:
        self.out: dict[str, list[tuple[str, str]]] = {}
        for t in mapped.triples:
            self.out.setdefault(t.subject.value, []).append((t.predicate.value, t.object.value))

    def fields(self, subject: str) -> set[str]:
        found = {local(p) for p, _ in self.out.get(subject, []) if p.startswith(SCHEMA)}
        for p, o in self.out.get(subject, []):
            if p == SCHEMA + "location" and any(q == SCHEMA + "address" for q, _ in self.out.get(o, [])):
                found.add("address")
        return found

    def reach(self, subject: str) -> set[str]:
        seen, todo = {subject}, [subject]
        while todo:
            for p, o in self.out.get(todo.pop(), []):
                if o in self.out and o not in seen and p not in (SCHEMA + "subEvent", SCHEMA + "superEvent"):
                    seen.add(o)
                    todo.append(o)
        return seen


@cache
def measured(name: str) -> tuple[Counter[str], Counter[str], int, int]:
    """(given, kept) per field, valid events, events, for one orion file."""
    path: Path = shared("artsdata-orion", name)
    nodes = {n["@id"]: n for n in json.loads(path.read_bytes()) if "@id" in n}
    events = [n for n in nodes.values() if any(local(t) in EVENT_TYPES for t in n.get("@type", []))]
    record = file_record(path, "orion")
    mapped = map_record(load_mapping("schema-events"), record, context("orion"))
    [(_, report)] = list(validate_records(FastValidator(load_shapes()), [mapped]))
    violated = {f.focus for f in report.findings if f.severity is Severity.VIOLATION}
    graph = Graph(mapped)
    giving, kept, valid = Counter[str](), Counter[str](), 0
    for node in events:
        ident = node["@id"]
        key = f"{sha(record.local_id)}-{slug(ident)}" if ident.startswith("_:") else sha(ident)
        iri = f"{BASE}id/orion/evenement/{key}"
        mine = graph.fields(iri)
        for field in given(node, nodes):
            giving[field] += 1
            kept[field] += field in mine
        valid += iri in graph.out and not (graph.reach(iri) & violated)
    return giving, kept, valid, len(events)


def sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


# (file, events, least share valid): what stops the rest is the pages' own data (see docs/mapping.md).
# Measured: 201/211 (one venue's postal code is malformed), 182/182, 193/198 (events with four
# locations, a venue without street). Before organizers and performers given by name were minted
# as agents, no Place des Arts event was valid.
ORION = [("spec-qc-ca-events.jsonld", 211, 0.95), ("grandsballets-com.jsonld", 182, 0.99),
         ("placedesarts-com.jsonld", 198, 0.97)]


@pytest.mark.parametrize(("name", "events", "least_valid"), ORION, ids=[o[0] for o in ORION])
def test_orion_pages_keep_every_key_field_they_give(name: str, events: int, least_valid: float) -> None:
    giving, kept, valid, total = measured(name)
    assert total == events
    lost = {field: f"{kept[field]}/{giving[field]}" for field in giving if kept[field] < giving[field]}
    assert sum(kept.values()) >= 0.98 * sum(giving.values()), lost  # measured: every field of every event
    assert valid >= least_valid * total, f"{valid}/{total} valid"


# --- the Ville de Laval's calendar, against Artsdata's own RDF of the same feed ----------------

LAVAL = "http://kg.artsdata.ca/resource/K16-116"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def plain(text: str) -> str:
    """Text as a reader sees it, spaces aside: "1<sup>er</sup>" is "1er", a tag between words a space."""
    return "".join(html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\u200b", "").split())


@cache
def laval() -> tuple[Counter[str], Counter[str], int, int, int, set[str]]:
    """(given, kept) per field of Artsdata's events, events matched, Artsdata's events, records valid,
    the rules they violate."""
    folder = shared("laval-2024")
    feed = folder / "calendrier-activites-2024-02-22.json"
    source = Source(id="laval", name={"fr": "Laval"}, kind="json", mapping="laval-calendrier", path=feed,
                    options={"id_field": "PageUrl"}, where="test")
    records = list(harvest(source, HarvestOptions()))
    ctx = MappingContext.for_source(BASE, "laval", "fr", "UTC")
    mapped = list(map_records(load_mapping("laval-calendrier"), records, ctx))
    reports = [report for _, report in validate_records(FastValidator(load_shapes()), mapped)]
    # Artsdata names an occurrence by its page and its day, and merges the feed's rows of one page
    # and day (two sessions of a workshop): ours are grouped the same way to compare them.
    ours: dict[tuple[str, str], dict[str, set[str]]] = {}
    for record in mapped:
        graph = Graph(record)
        for pairs in graph.out.values():
            if (RDF_TYPE, SCHEMA + "Event") in pairs:
                fields = {local(p): {o for q, o in pairs if q == p} for p, _ in pairs}
                fields["location"] = {n for o in fields.get("location", ()) for q, n in graph.out.get(o, [])
                                      if q == SCHEMA + "name"}
                key = (next(iter(fields["url"])), instant(next(iter(fields["startDate"]))).date().isoformat())
                for field, values in fields.items():
                    ours.setdefault(key, {}).setdefault(field, set()).update(values)
    theirs = Store()
    theirs.load(path=str(folder / "calendrier-activites-2024-02-22.ttl"), format=RdfFormat.TURTLE)
    names = {str(q.subject.value): q.object.value for q in theirs.quads_for_pattern(None, NamedNode(SCHEMA + "name"), None)}
    giving, kept, matched, total = Counter[str](), Counter[str](), 0, 0
    for quad in theirs.quads_for_pattern(None, NamedNode(RDF_TYPE), NamedNode(SCHEMA + "Event")):
        total += 1
        event: dict[str, set[str]] = {}
        for q in theirs.quads_for_pattern(quad.subject, None, None):
            event.setdefault(local(q.predicate.value), set()).add(q.object.value)
        key = (next(iter(event["url"])), quad.subject.value.rsplit("#", 1)[-1])
        mine = ours.get(key, {})
        matched += bool(mine)
        expected = {
            "name": {" ".join(v.split()) for v in event.get("name", ())} or None, "url": event.get("url"),
            # a row without image gives Artsdata the bare site address as its image: not one; and
            # an address in the feed, Artsdata glues to the site's: what it meant is the address
            "image": {v.replace("https://www.laval.cahttps://", "https://")
                      for v in event.get("image", ()) if urlsplit(v).path not in ("", "/")} or None,
            "organizer": event.get("organizer"),
            "startDate": {instant(v).isoformat() for v in event.get("startDate", ())} or None,
            "endDate": {instant(v).isoformat() for v in event.get("endDate", ())} or None,
            "description": {plain(v) for v in event.get("description", ())} or None,
            "location": {names[p] for p in event.get("location", ()) if p in names} or None,
            "keywords": event.get("keywords"),
            # Artsdata's categories are its concepts of the feed's ids; we keep their labels as keywords
            "additionalType": {names[c] for c in event.get("additionalType", ()) if c in names} or None,
        }
        found = {
            "name": {" ".join(v.split()) for v in mine.get("name", ())},  # a no-break space is a space
            "startDate": {instant(v).isoformat() for v in mine.get("startDate", ())},
            "endDate": {instant(v).isoformat() for v in mine.get("endDate", ())},
            "description": {plain(v) for v in mine.get("description", ())},
            "additionalType": mine.get("keywords", set()),
        }
        for field, values in expected.items():
            if values:
                giving[field] += 1
                kept[field] += values <= found.get(field, mine.get(field, set()))
    valid = sum(report.conforms for report in reports)
    violations = {f.rule.rsplit("/", 1)[-1] for r in reports for f in r.findings if f.severity.value == "violation"}
    return giving, kept, matched, total, valid, violations


def test_laval_feed_keeps_what_artsdata_publishes_of_it() -> None:
    giving, kept, matched, total, valid, violations = laval()
    assert total == 245 and matched == total  # every Artsdata event is ours (256 rows, some of one page and day)
    lost = {field: f"{kept[field]}/{giving[field]}" for field in giving if kept[field] < giving[field]}
    # measured: every value of every field but 4 images whose address the mapping glues to the
    # site's (see mappings/laval-calendrier.yaml), 2,402 of 2,406
    assert sum(kept.values()) >= 0.98 * sum(giving.values()), lost
    assert kept["image"] >= giving["image"] - 4, lost
    # None is valid, and only for where it happens: the feed gives a venue's name and page, never its
    # address or coordinates (113 places, each charged to every row it is the venue of), 44 rows have
    # no venue and 56 several; see docs/mapping.md. (Before a shared node's violation went to every
    # record carrying it, 100 rows passed on a venue whose violation was charged to another row.)
    assert valid == 0, f"{valid}/256 valid"
    assert violations <= {"Event-location", "Place-located", "Event-endDate"}, violations

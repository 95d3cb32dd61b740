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
import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from culturedata.iris import slug
from culturedata.mapping import load_mapping, map_record
from culturedata.records import MappedRecord, Severity
from culturedata.validate import load_shapes, validate_records
from culturedata.validate.fast import FastValidator

from .conftest import BASE, SCHEMA, context, file_record, shared

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

"""mappings/tate.yaml (Tate artwork JSON) and mappings/odcaf.yaml (ODCAF facilities CSV) on the
real files in ../shared/data."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

from pyoxigraph import Literal, NamedNode

from culturedata.mapping import load_mapping, map_records
from culturedata.records import SourceRecord, content_hash

from .conftest import QCP, RDF_TYPE, SCHEMA, context, file_record, has, iter_files, objects, shared

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_tate_artworks() -> None:
    files = list(iter_files(shared("tate", "artworks"), "*.json"))
    mapped = list(map_records(load_mapping("tate"), (file_record(p, "tate") for p in files), context("tate", "en")))
    assert len(mapped) == len(files) == 198
    kinds = Counter(t.object.value for r in mapped for t in r.triples if t.predicate.value == RDF_TYPE)
    assert kinds[QCP + "HeritageObject"] == 198 and kinds[SCHEMA + "PropertyValue"] == 198
    assert kinds[SCHEMA + "Person"] >= 198
    assert not [f for r in mapped for f in r.findings if f.rule == "unmappable"]

    gillies = next(r for r in mapped if r.local_id == "t00771-5337")
    obj = "http://127.0.0.1:8000/id/tate/objet/t00771"
    assert has(gillies, obj, SCHEMA + "name", Literal("The Marble-Topped Table", language="en"))
    assert has(gillies, obj, SCHEMA + "dateCreated", Literal("1965", datatype=NamedNode(XSD + "gYear")))
    assert has(gillies, obj + "#accession", SCHEMA + "value", Literal("T00771"))
    assert has(gillies, obj, SCHEMA + "creator", NamedNode("http://127.0.0.1:8000/id/tate/personne/1171"))
    assert has(gillies, "http://127.0.0.1:8000/id/tate/personne/1171", SCHEMA + "name", Literal("Sir William Gillies"))
    assert has(gillies, obj + "#height", SCHEMA + "unitCode", Literal("MMT"))
    assert {o.value for o in objects(gillies, obj, SCHEMA + "keywords")} == {"candlestick", "jar", "palette", "table"}


def odcaf_records() -> list[SourceRecord]:
    text = shared("odcaf", "ODCAF_V1.0.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    return [SourceRecord("odcaf", row["Index"], row, "text/csv", content_hash(json.dumps(row).encode()),
                         location=f"line {n + 2}") for n, row in enumerate(rows)]


def test_odcaf_facilities() -> None:
    records = odcaf_records()
    mapped = list(map_records(load_mapping("odcaf"), records, context("odcaf", "en")))
    assert len(mapped) == 7972
    places = Counter(t.object.value for r in mapped for t in r.triples if t.predicate.value == RDF_TYPE)
    assert places[SCHEMA + "Place"] == 7968
    # four rows have no facility name (".."): reported with their line and the field, and skipped
    skipped = [r for r in mapped if not r.triples]
    assert [r.local_id for r in skipped] == ["886", "9798", "9799", "9800"]
    assert all(f.rule == "unmappable" and f.path == "Facility_Name" and f.location for r in skipped for f in r.findings)
    quebec = [r for r in mapped for t in r.triples
              if t.predicate.value == SCHEMA + "addressRegion" and t.object.value == "QC"]
    assert len(quebec) == 2219  # 2,220 Quebec rows, less 1 without a name (3 without a city keep their province)

    ksan = next(r for r in mapped if r.local_id == "2")
    place = "http://127.0.0.1:8000/id/odcaf/lieu/2"
    assert has(ksan, place, SCHEMA + "name", Literal("'Ksan Historical Village & Museum", language="en"))
    assert has(ksan, place + "#geo", SCHEMA + "latitude", Literal("55.2645508", datatype=NamedNode(XSD + "decimal")))
    assert has(ksan, place + "#address", SCHEMA + "postalCode", Literal("V0J 1Y0"))
    assert objects(ksan, place + "#address", SCHEMA + "addressRegion") == [Literal("BC")]
    # ".." is no value
    assert not [t for r in mapped for t in r.triples if t.object.value == ".."]

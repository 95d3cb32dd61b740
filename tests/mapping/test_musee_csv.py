"""mappings/musee-csv.yaml on the demo museum's Windows-1252 export (sample_inputs/musee-fjord-bleu)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from culturedata.config import load_config
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.records import MappedRecord

from .conftest import QCP, RDF_TYPE, ROOT, SCHEMA, has, objects, sample

OBJ = "http://127.0.0.1:8000/id/musee-fjord-bleu/objet/"


@pytest.fixture(scope="module")
def mapped() -> dict[str, MappedRecord]:
    sample("musee-fjord-bleu", "collection.csv")
    config = load_config(ROOT / "culturedata.toml")
    source = config.source("musee-fjord-bleu")
    context = MappingContext.for_source(config.base_iri, source.id, source.language)
    out = list(map_records(load_mapping(source.mapping), harvest(source, HarvestOptions()), context))
    assert len(out) == 40  # 40 rows in, the blank line is no record
    return {r.location or r.local_id: r for r in out}


def by_id(mapped: dict[str, MappedRecord], local_id: str) -> MappedRecord:
    return next(r for r in mapped.values() if r.local_id == local_id)


def test_every_row_yields_one_heritage_object(mapped: dict[str, MappedRecord]) -> None:
    objects_out = {t.subject.value for r in mapped.values() for t in r.triples
                   if t.predicate.value == RDF_TYPE and t.object.value == QCP + "HeritageObject"}
    assert len(objects_out) == 39  # 40 rows, one id used twice (a deliberate defect)
    kinds = Counter(t.object.value for r in mapped.values() for t in r.triples if t.predicate.value == RDF_TYPE)
    assert kinds[SCHEMA + "PropertyValue"] == 39  # one row has no accession number
    assert all(r.triples for r in mapped.values())


def test_untitled_row_is_named_by_its_object_name_exactly(mapped: dict[str, MappedRecord]) -> None:
    expected = (Path(__file__).parent / "expected" / "musee-fjord-bleu-10002.nt").read_text(encoding="utf-8")
    record = by_id(mapped, "10002")
    got = {str(t) + " ." for t in record.triples}
    assert got == {line for line in expected.splitlines() if line}
    assert record.findings == ()


def test_spot_checks(mapped: dict[str, MappedRecord]) -> None:
    first = by_id(mapped, "10001")
    subject = OBJ + "10001"
    assert has(first, subject, SCHEMA + "name", Literal("Schooner at the wharf, La Baie", language="en"))
    assert has(first, subject, "http://purl.org/dc/terms/created",
               Literal("1930/1940", datatype=NamedNode("http://id.loc.gov/datatypes/edtf")))
    [person] = objects(first, subject, SCHEMA + "creator")
    assert has(first, person.value, SCHEMA + "name", Literal("Hélène Bouchard"))
    # "1885" from 1885 to 1885: a precise year
    sash = by_id(mapped, "10007")
    assert has(sash, OBJ + "10007", SCHEMA + "dateCreated",
               Literal("1885", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYear")))
    # an address without a scheme becomes an http IRI; padded values are trimmed
    photo = by_id(mapped, "10005")
    assert objects(photo, OBJ + "10005", SCHEMA + "url") == [
        NamedNode("http://www.musee-fjord-bleu.example/collection/1989.1.1")]
    wheel = by_id(mapped, "10004")
    assert has(wheel, OBJ + "10004#accession", SCHEMA + "value", Literal("1988.4.13"))
    assert objects(wheel, OBJ + "10004", SCHEMA + "creator") == []  # "n/d" is no creator


def test_an_id_that_is_no_unicode_is_reported_not_a_crash() -> None:
    """A lone surrogate (a JSON escape such as "\\ud800" in a converted export) is no Unicode:
    the record still gets a graph IRI of its own, and a value holding one makes the record
    unmappable instead of stopping the batch."""
    from culturedata.records import SourceRecord

    context = MappingContext.for_source("http://127.0.0.1:8000/", "musee-test", "fr")
    row = {"id": "\ud800", "numero_accession": "1", "titre": "Coffre"}
    mapped = next(map_records(load_mapping("musee-csv"), [SourceRecord("musee-test", "x", row, "text/csv", "-")],
                              context))
    assert "/objet/%ED%A0%80>" in mapped.ntriples
    broken = {**row, "numero_accession": "1\ud800"}
    mapped = next(map_records(load_mapping("musee-csv"), [SourceRecord("musee-test", "y", broken, "text/csv", "-")],
                              context))
    assert not mapped.has_triples and mapped.findings[-1].rule == "unmappable"

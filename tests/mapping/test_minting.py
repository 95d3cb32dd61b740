"""Which IRI templates make valid IRIs by construction, and that the others are still checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from culturedata.mapping import MappingContext, load_mapping, map_record
from culturedata.mapping.minting import entity_safety, safe_context
from culturedata.records import SourceRecord


def compiled(tmp_path: Path, entities: str):
    path = tmp_path / "m.yaml"
    path.write_text("mapping: m\nformat: csv\nentities:\n" + entities, encoding="utf-8")
    return load_mapping(str(path))


def safeties(mapping) -> dict[str, list]:
    known: dict = {}
    return {spec.name: list(entity_safety(spec, known)) for spec in mapping.entities}


def test_slugged_and_nested_templates_are_safe_raw_fields_are_not(tmp_path: Path) -> None:
    mapping = compiled(tmp_path, """\
  object:
    iri: "{base}id/{source}/objet/{id|slug}"
    properties: {schema:name: titre}
  part:
    within: object
    iri: "{object}#part-{index}"
    properties: {schema:name: titre}
  raw:
    iri: "{base}id/{source}/brut/{id}"
    properties: {schema:name: titre}
  twice:
    within: part
    iri: "{part}#encore"
    properties: {schema:name: titre}
""")
    found = safeties(mapping)
    assert found["object"][0].needs == {"base", "source"}
    assert found["part"][0].needs == {"base", "source", "index"} and found["part"][0].fragment
    assert found["raw"] == [None]  # a raw column may hold anything
    assert found["twice"] == [None]  # a second '#' would make an invalid IRI


def test_context_values_that_would_break_iris_are_not_trusted() -> None:
    assert safe_context("http://x.test/", "musee", "http://x.test/id/musee/organisation/musee") == {
        "base", "source", "institution", "index"}
    assert "base" not in safe_context("http://x.test:80", "s", "http://x.test/o")  # no '/' after the authority
    assert "base" not in safe_context("http://x.test/#frag/", "s", "http://x.test/o")
    assert "base" not in safe_context("http://bad host/", "s", "http://x.test/o")
    assert "source" not in safe_context("http://x.test/", "a source", "http://x.test/o")


@pytest.mark.parametrize(("base", "source"), [("http://bad host/", "s"), ("http://x.test/", "a b")])
def test_an_unsafe_context_still_gets_its_iris_checked(tmp_path: Path, base: str, source: str) -> None:
    mapping = compiled(tmp_path, """\
  thing:
    iri: "http://x.test/thing/{id|slug}"
    properties: {schema:name: titre}
  object:
    iri: "{base}id/{source}/objet/{id|slug}"
    properties: {schema:name: titre}
""")
    record = SourceRecord(source, "1", {"id": "1", "titre": "Berceau"}, "text/csv", "h")
    mapped = map_record(mapping, record, MappingContext.for_source(base, source, "fr"))
    assert {str(t.subject) for t in mapped.triples} == {"<http://x.test/thing/1>"}
    assert [(f.rule, f.value) for f in mapped.findings] == [("unreadable-value", f"{base}id/{source}/objet/1")]

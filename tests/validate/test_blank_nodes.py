"""Blank nodes in a batch (issue 16): each record's blank nodes are its own. Two records that
both say `_:b0` (two JSON-LD pages, two RDF records parsed apart) describe two nodes; checked
together, they must not become one node that is valid as the union of both, nor one whose
findings go to the wrong record. Each engine, in a batch, finds what pySHACL finds on each
record alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from culturedata.records import MappedRecord, NTriples
from culturedata.validate import EngineSpec, PyshaclValidator, load_shapes, validate_records

EX = "http://example.org/"
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .
ex:AddressShape a sh:NodeShape ; sh:targetClass ex:Address ;
  sh:property [ sh:path ex:postalCode ; sh:minCount 1 ; sh:maxCount 1 ;
                sh:message "Une adresse a un code postal."@fr, "An address has a postal code."@en ] .
ex:PlaceShape a sh:NodeShape ; sh:targetClass ex:Place ;
  sh:property [ sh:path ex:address ; sh:minCount 1 ; sh:message "Un lieu a une adresse."@fr,
                "A place has an address."@en ] .
"""


def record(name: str, text: str) -> MappedRecord:
    return MappedRecord("s", name, f"{EX}graph/{name}", NTriples(text), content_hash=name)


def place(name: str, postal_code: str | None) -> MappedRecord:
    lines = [f"<{EX}{name}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Place> .",
             f"<{EX}{name}> <{EX}address> _:b0 .",
             f"_:b0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Address> ."]
    if postal_code:
        lines.append(f'_:b0 <{EX}postalCode> "{postal_code}" .')
    return record(name, "".join(line + "\n" for line in lines))


@pytest.fixture
def shapes(tmp_path: Path) -> Path:
    folder = tmp_path / "shapes"
    folder.mkdir()
    (folder / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    return folder


def keyed(report) -> set[tuple[str, str | None, str | None, str | None, str]]:  # type: ignore[no-untyped-def]
    return {(f.rule, f.focus, f.path, f.value, f.severity.value) for f in report.findings}


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
@pytest.mark.parametrize("order", ["valid first", "invalid first"])
def test_same_label_blank_nodes_of_two_records_stay_two_nodes(shapes: Path, tmp_path: Path, engine: str,
                                                              order: str) -> None:
    valid, invalid = place("valid", "J7Z 5T3"), place("invalid", None)
    records = [valid, invalid] if order == "valid first" else [invalid, valid]
    spec = EngineSpec(engine, shapes, tmp_path / "no-vocabularies")
    checked = {r.local_id: report for r, report in validate_records(spec, records)}
    alone = PyshaclValidator(load_shapes(shapes, tmp_path / "no-vocabularies"))
    assert not checked["valid"].findings
    assert [f.path for f in checked["invalid"].findings] == [f"{EX}postalCode"]
    assert checked["invalid"].findings[0].focus == "b0"  # the label the record's own graph gives it
    for r in records:
        assert keyed(checked[r.local_id]) == keyed(alone.validate([r])[0])


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_two_records_each_with_one_postal_code_are_not_one_address_with_two(shapes: Path, tmp_path: Path,
                                                                             engine: str) -> None:
    """Merged, `_:b0` would hold two postal codes and break sh:maxCount 1 for both records."""
    records = [place("a", "J7Z 5T3"), place("b", "G1R 4P5")]
    spec = EngineSpec(engine, shapes, tmp_path / "no-vocabularies")
    assert [report.findings for _, report in validate_records(spec, records)] == [(), ()]

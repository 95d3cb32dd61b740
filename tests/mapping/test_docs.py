"""docs/mapping.md's worked example runs exactly as written there."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from culturedata.mapping import load_mapping, map_records
from culturedata.records import SourceRecord

from .conftest import ROOT, SCHEMA, context, has, objects

DOC = ROOT / "docs" / "mapping.md"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_worked_example(tmp_path: Path) -> None:
    [data] = blocks("csv")
    mapping_text = next(b for b in blocks("yaml") if b.startswith("# mappings/lac-vert.yaml"))
    path = tmp_path / "lac-vert.yaml"
    path.write_text(mapping_text, encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(data), delimiter=";"))
    records = [SourceRecord("lac-vert", r["no_systeme"], r, "text/csv", "-", location=f"line {n + 2}")
               for n, r in enumerate(rows)]
    out = {r.local_id: r for r in map_records(load_mapping(str(path)), records, context("lac-vert"))}
    base = "http://127.0.0.1:8000/id/"
    first, second = out["501"], out["502"]
    obj = base + "lac-vert/objet/501"
    person = base + "personne/wikidata/q111"
    assert has(first, obj, SCHEMA + "name", Literal("Le quai de Roberval", language="fr"))
    assert has(first, obj, "http://purl.org/dc/terms/created",
               Literal("1935~", datatype=NamedNode("http://id.loc.gov/datatypes/edtf")))
    assert has(first, obj, SCHEMA + "creator", NamedNode(person))
    assert has(first, person, SCHEMA + "name", Literal("Rose Dupuis"))
    assert has(first, person, SCHEMA + "sameAs", NamedNode("http://www.wikidata.org/entity/Q111"))
    [image] = objects(first, obj, SCHEMA + "image")
    assert has(first, image.value, SCHEMA + "license", NamedNode("https://creativecommons.org/licenses/by/4.0/"))
    assert set(objects(first, obj, SCHEMA + "artMedium")) == {Literal("huile", language="fr"),
                                                              Literal("toile", language="fr")}
    obj2 = base + "lac-vert/objet/502"
    assert objects(second, obj2, SCHEMA + "name") == [Literal("raquettes", language="fr")]
    assert has(second, obj2, "http://purl.org/dc/terms/created",
               Literal("18XX", datatype=NamedNode("http://id.loc.gov/datatypes/edtf")))
    assert first.findings == () and second.findings == ()


def test_documented_error_messages_are_real(tmp_path: Path) -> None:
    from culturedata.errors import MappingError

    mapping_text = next(b for b in blocks("yaml") if b.startswith("# mappings/lac-vert.yaml"))
    path = tmp_path / "lac-vert.yaml"
    path.write_text(mapping_text.replace("transform: date}", "transform: dates}"), encoding="utf-8")
    import pytest

    with pytest.raises(MappingError) as caught:
        load_mapping(str(path))
    assert str(path) in str(caught.value) and "'dates'" in str(caught.value)


def test_rdf_example(tmp_path: Path) -> None:
    """The SPARQL mapping of "RDF sources" on its Turtle, as the page says it comes out."""
    from culturedata.config import Source
    from culturedata.harvest import harvest

    mapping_text = next(b for b in blocks("yaml") if b.startswith("# mappings/inventaire-rdf.yaml"))
    [turtle] = blocks("turtle")
    (tmp_path / "inventaire-rdf.yaml").write_text(mapping_text, encoding="utf-8")
    (tmp_path / "inventaire.ttl").write_text(turtle, encoding="utf-8")
    source = Source(id="inventaire", name={"fr": "i", "en": "i"}, kind="rdf", mapping="inventaire-rdf",
                    path=tmp_path / "inventaire.ttl")
    mapping = load_mapping(str(tmp_path / "inventaire-rdf.yaml"))
    [record] = map_records(mapping, harvest(source), context("inventaire"))
    base = "http://127.0.0.1:8000/id/inventaire/objet/"
    first, second = base + "https-inventaire.example-objet-12", base + "https-inventaire.example-objet-13"
    assert has(record, first, SCHEMA + "dateCreated",
               Literal("1890", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYear")))
    assert has(record, second, SCHEMA + "name", Literal("Rouet", language="fr"))
    assert objects(record, second, SCHEMA + "dateCreated") == []
    [warning] = record.findings
    assert warning.text("en") == "Query 'object' could not use the value 'vers 1850'; it was left out."

"""The editor's completions (server/terms.py): built from the shipped shapes and ontology,
served at /query/terms.json."""

from __future__ import annotations

from pathlib import Path

import httpx

from culturedata.server.terms import build_vocabulary


def test_the_profile_terms_and_prefixes_come_from_the_shipped_files() -> None:
    vocabulary = build_vocabulary()
    terms = {term.curie: term for term in vocabulary.terms}
    assert terms["qcp:HeritageObject"].kind == "class"  # the ontology
    assert terms["qcp:heldBy"].kind == "property" and terms["qcp:heldBy"].label["fr"]
    assert terms["schema:startDate"].kind == "property"  # a shape's sh:path
    assert terms["schema:Event"].kind == "class"  # a shape's sh:targetClass
    assert vocabulary.prefixes["reg"] == "https://w3id.org/culturedata/vocab/regions/"  # a shipped vocabulary
    assert vocabulary.prefixes["schema"] == "http://schema.org/"


def test_a_new_shape_brings_its_terms(tmp_path: Path) -> None:
    shape = tmp_path / "extra.ttl"
    shape.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/ns#> .
ex:S a sh:NodeShape ; sh:targetClass ex:Widget ; sh:property [ sh:path ex:weight ] ;
    sh:property [ sh:path ( ex:a ex:b ) ] .
""", encoding="utf-8")
    vocabulary = build_vocabulary([shape])
    assert {(t.curie, t.kind) for t in vocabulary.terms} == {("ex:Widget", "class"), ("ex:weight", "property")}
    assert vocabulary.prefixes["ex"] == "https://example.org/ns#"


def test_the_page_serves_them(demo_server: str, client: httpx.Client) -> None:
    response = client.get(demo_server + "/query/terms.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert any(term["curie"] == "schema:name" for term in data["terms"])
    assert data["prefixes"]["qcp"] == "https://w3id.org/culturedata/ns/qcp#"

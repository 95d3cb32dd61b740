"""SPARQL CONSTRUCT mappings (`format: sparql`): compiled once, run on each record's graph, with
the findings YAML mappings give; and the shipped RDF mappings on real records.

Real data: Europeana EDM (europeana/metis-framework, EUPL-1.2), CHIN's examples
(chin-rcip/collections-model, CC0); see ../shared/data/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyoxigraph as ox
import pytest
import yaml

from culturedata.config import Source
from culturedata.errors import MappingError
from culturedata.harvest import harvest
from culturedata.mapping import load_mapping, map_record, map_records
from culturedata.mapping.language import shipped_mappings
from culturedata.records import SourceRecord, content_hash
from culturedata.resources import mappings_dir

from .conftest import BASE, QCP, RDF_TYPE, SCHEMA, XSD, context, shared

RDF_MAPPINGS = ("chin", "edm", "linked-art", "sparql-graph")


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def nt_record(text: str, local_id: str = "r1") -> SourceRecord:
    payload = text.encode("utf-8")
    return SourceRecord("s", local_id, payload, "application/n-triples", content_hash(payload), origin="dump.nt",
                        location="dump.nt")


NAMED = """mapping: t
format: sparql
queries:
  object: |
    CONSTRUCT { ?o a qcp:HeritageObject ; schema:name ?n ; qcp:heldBy ?institution ; cd:unreadable ?bad .
                ?o schema:identifier ?g }
    WHERE { ?x <http://ex/title> ?t .
            BIND(cd:entity("objet", STR(?x)) AS ?o)
            BIND(IF(LANG(?t) = "", STRLANG(STR(?t), ?language), ?t) AS ?n)
            OPTIONAL { ?x <http://ex/date> ?d . BIND(xsd:date(?d) AS ?day) FILTER(!BOUND(?day))
                       BIND(STR(?d) AS ?bad) }
            BIND(STR(?graph) AS ?g) }
"""


def test_a_construct_query_maps_a_record_with_the_bound_values(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, NAMED))
    assert mapping.format == "sparql"
    record = nt_record('<http://ex/1> <http://ex/title> "Berceau" .\n<http://ex/1> <http://ex/date> "vers 1900" .\n')
    mapped = map_record(mapping, record, context("musee", "fr"))
    objects = {(t.predicate.value, t.object) for t in mapped.triples}
    subject = f"{BASE}id/musee/objet/http-ex-1"
    assert {t.subject.value for t in mapped.triples} == {subject}
    assert (f"{SCHEMA}name", ox.Literal("Berceau", language="fr")) in objects
    assert (f"{QCP}heldBy", ox.NamedNode(f"{BASE}id/musee/organisation/musee")) in objects
    assert (f"{SCHEMA}identifier", ox.Literal(mapped.graph)) in objects
    # the date the query could not use is a warning naming it, never a triple
    assert not any(p.endswith("unreadable") for p, _ in objects)
    (finding,) = mapped.findings
    assert finding.rule == "unreadable" and finding.value == "vers 1900" and finding.severity.value == "warning"


def test_a_record_the_queries_do_not_match_is_unmappable(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, NAMED))
    mapped = map_record(mapping, nt_record('<http://ex/1> <http://ex/other> "x" .\n'), context())
    assert not mapped.has_triples
    assert [f.rule for f in mapped.findings] == ["unmappable"]
    assert "no data" in mapped.findings[0].text("en")


def test_a_payload_that_is_no_rdf_is_unmappable_not_an_error(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, NAMED))
    payload = b"<html>not rdf</html>"
    record = SourceRecord("s", "r1", payload, "application/xml", content_hash(payload))
    mapped = map_record(mapping, record, context())
    assert [f.rule for f in mapped.findings] == ["unmappable"]


def test_an_oai_record_holding_rdf_is_read(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, NAMED))
    payload = (b'<record xmlns="http://www.openarchives.org/OAI/2.0/"><header><identifier>oai:x:1</identifier>'
               b'</header><metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               b'xmlns:ex="http://ex/"><rdf:Description rdf:about="http://ex/1"><ex:title xml:lang="en">Cradle'
               b'</ex:title></rdf:Description></rdf:RDF></metadata></record>')
    record = SourceRecord("s", "oai:x:1", payload, "application/xml", content_hash(payload),
                          origin="https://oai.example/oai")
    mapped = map_record(mapping, record, context())
    assert ox.Literal("Cradle", language="en") in {t.object for t in mapped.triples}


@pytest.mark.parametrize(("text", "problem"), [
    ("format: sparql\n", "queries"),
    ("format: sparql\nqueries:\n  a: SELECT * WHERE { ?s ?p ?o }\n", "CONSTRUCT"),
    ("format: sparql\nqueries:\n  a: CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p \n", "SPARQL"),
    ("format: sparql\nentities: {}\nqueries:\n  a: CONSTRUCT WHERE { ?s ?p ?o }\n", "entities"),
])
def test_a_wrong_sparql_mapping_names_its_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(MappingError) as caught:
        load_mapping(write(tmp_path, text))
    assert "m.yaml" in str(caught.value) and problem in str(caught.value)


def test_every_rdf_mapping_is_shipped_and_tested_here() -> None:
    shipped = {name for name in shipped_mappings() if load_mapping(name).format == "sparql"}
    assert shipped == set(RDF_MAPPINGS)
    schema = json.loads((mappings_dir() / "mapping.schema.json").read_text(encoding="utf-8"))
    for name in shipped:
        assert load_mapping(name).title["fr"] and load_mapping(name).title["en"]
        jsonschema.validate(yaml.safe_load((mappings_dir() / f"{name}.yaml").read_text(encoding="utf-8")), schema)


# --- the shipped mappings on real records ---------------------------------------------------

def rdf_source(path: Path, mapping: str, **options: object) -> Source:
    return Source(id="src", name={"fr": "x", "en": "x"}, kind="rdf", mapping=mapping, path=path, options=options)


def test_edm_maps_every_europeana_record() -> None:
    folder = shared("edm")
    mapping = load_mapping("edm")
    found = list(harvest(rdf_source(folder, "edm", files="**/*.xml"))) + list(
        harvest(rdf_source(folder, "edm", files="**/*.rdf")))
    mapped = list(map_records(mapping, found, context("europeana", "fr")))
    assert len(mapped) == 32
    unmappable = [m.local_id for m in mapped if any(f.rule == "unmappable" for f in m.findings)]
    assert [Path(u).name for u in unmappable] == ["Item_35834473_wrong.xml"]  # it has no edm:ProvidedCHO
    objects = [t for m in mapped for t in m.triples
               if t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(f"{QCP}HeritageObject")]
    assert len(objects) >= 31
    names = {t.object for m in mapped for t in m.triples if t.predicate.value == f"{SCHEMA}name"}
    assert ox.Literal("WESTVLAAMS FILMJOURNAAL - 164", language="nl") in names
    assert all(isinstance(n, ox.Literal) and n.language for n in names)  # the profile wants tagged names


def test_sparql_graph_keeps_a_sparql_page_as_it_is() -> None:
    mapping = load_mapping("sparql-graph")
    page = '<http://ex/e1> <http://schema.org/name> "Concert"@fr .\n'
    mapped = map_record(mapping, nt_record(page, "page-1"), context())
    assert mapped.ntriples == page


def test_chin_maps_every_example_it_can_and_reads_them_all() -> None:
    folder = shared("chin", "docs", "examples")
    mapping = load_mapping("chin")
    found = list(harvest(rdf_source(folder / "json-ld", "chin", format="jsonld"))) + list(
        harvest(rdf_source(folder / "turtle", "chin")))
    assert len(found) == 98
    mapped = list(map_records(mapping, found, context("rcip", "en")))
    unmappable = {Path(m.local_id).stem for m in mapped if any(f.rule == "unmappable" for f in m.findings)}
    # a biography text alone and a vocabulary label describe no object, person or group
    assert unmappable == {"0001_100_literal-content-bio", "aat_300025687_label", "aat_300025687_label-note"}
    by_name = {Path(m.local_id).name: m for m in mapped}
    artefact = {(t.predicate.value, t.object) for t in by_name["0001_500_artefact-production.json"].triples}
    assert (f"{SCHEMA}creator", ox.NamedNode(f"{BASE}id/rcip/personne/https-dopheda.info-crm_e39-0001_100")) in artefact
    assert (f"{SCHEMA}dateCreated", ox.Literal("1938", datatype=ox.NamedNode(XSD + "gYear"))) in artefact
    karsh = {(t.predicate.value, t.object) for t in by_name["0001_100_birth-death.ttl"].triples}
    assert (f"{SCHEMA}birthDate", ox.Literal("1908-12-23", datatype=ox.NamedNode(XSD + "date"))) in karsh


def test_linked_art_maps_an_object_with_its_remote_context() -> None:
    path = Path(__file__).parent / "fixtures" / "linked-art-object.json"  # written after linked.art's examples
    (record,) = harvest(rdf_source(path, "linked-art"))
    mapped = map_record(load_mapping("linked-art"), record, context("musee", "fr"))
    assert not [f for f in mapped.findings if f.severity.value == "violation"]
    objects = {(t.predicate.value, t.object) for t in mapped.triples}
    person = ox.NamedNode(f"{BASE}id/musee/personne/https-museum.example-person-manet")
    assert (f"{SCHEMA}creator", person) in objects
    assert (f"{SCHEMA}sameAs", ox.NamedNode("http://vocab.getty.edu/ulan/500010363")) in objects
    assert (f"{SCHEMA}url", ox.NamedNode("https://museum.example/collection/spring")) in objects
    assert (f"{SCHEMA}material", ox.Literal("oil paint")) in objects
    assert (f"{SCHEMA}value", ox.Literal("2005.14")) in objects

"""The `rdf` kind: RDF documents and dumps as records, read leniently and offline.

Real data: Europeana's EDM records from europeana/metis-framework (EUPL-1.2), CHIN's CIDOC-CRM
examples from chin-rcip/collections-model (CC0), Artsdata-orion's scraped event JSON-LD
(culturecreates/artsdata-orion); see ../shared/data/README.md.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from harvest_peers import Item, OAIRepository, lido_writer, make_source, serve_wsgi

from culturedata.errors import ConfigError, InputError
from culturedata.harvest import Contexts, harvest, parse_rdf
from shareddata import shared

SCHEMA = "http://schema.org/"


def records(path: Path, **options: object) -> list:  # type: ignore[type-arg]
    return list(harvest(make_source("rdf", path=path, **options)))


def triples(record) -> list[ox.Triple]:  # type: ignore[no-untyped-def]
    return [q.triple for q in ox.parse(record.payload, format=ox.RdfFormat.N_TRIPLES)]


# --- real files ---------------------------------------------------------------------------

def test_every_edm_record_is_read_with_its_broken_iris_repaired() -> None:
    folder = shared("edm")
    found = records(folder, files="**/*.xml") + records(folder, files="**/*.rdf")
    assert len(found) == 32
    assert all(triples(r) for r in found)
    repaired = [f for r in found for f in r.findings if f.rule == "iri-repaired"]
    assert any(f.value == " http://3dicons.dcu.gr/object/HA/936" for f in repaired)
    assert any(f.value == "http://dbpedia.org/resource/Titus_de Boer" for f in repaired)
    assert all(f.severity.value == "warning" for r in found for f in r.findings)
    # the space inside is percent-encoded, never dropped
    assert any(t.object == ox.NamedNode("http://dbpedia.org/resource/Titus_de%20Boer")
               for r in found for t in triples(r))


def test_an_edm_property_with_text_beside_its_resource_is_dropped_alone() -> None:
    path = shared("edm", "metis-indexing", "src", "test", "resources", "europeana_record_to_sample_pid_index_rdf.xml")
    (record,) = records(path)
    dropped = [f for f in record.findings if f.rule == "statement-dropped"]
    assert len(dropped) == 1 and "line 512" in dropped[0].text("en")
    assert len(triples(record)) > 500


def test_relative_iris_resolve_against_the_file_or_the_configured_base() -> None:
    path = shared("edm", "metis-enrichment", "metis-enrichment-client", "src", "test", "resources", "sample_1.rdf")
    (record,) = records(path)
    subjects = {t.subject.value for t in triples(record) if isinstance(t.subject, ox.NamedNode)}
    assert path.parent.resolve().as_uri() + "/Bolton%20Council/1993.83.27.19" in subjects
    (based,) = records(path, base_iri="https://bolton.example/")
    subjects = {t.subject.value for t in triples(based) if isinstance(t.subject, ox.NamedNode)}
    assert "https://bolton.example/Bolton%20Council/1993.83.27.19" in subjects


def test_chin_json_ld_reads_its_context_offline() -> None:
    folder = shared("chin", "docs", "examples", "json-ld")
    found = records(folder, files="*.json", format="jsonld")
    assert len(found) == len(list(folder.glob("*.json")))
    artefact = next(r for r in found if r.local_id.endswith("0001_500_artefact.json"))
    assert ox.Triple(ox.NamedNode("https://dopheda.info/crm_e18/0001_500"),
                     ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode("http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object")) in triples(artefact)


def test_artsdata_orion_pages_are_read() -> None:
    found = records(shared("artsdata-orion"), files="*.jsonld")
    assert len(found) == 3 and all(len(triples(r)) > 1000 for r in found)


def test_a_turtle_dump_splits_into_subject_trees() -> None:
    folder = shared("chin", "docs", "examples", "turtle")
    found = records(folder / "0001_500_artefact.ttl", records="subject", root_class=["crm:E22_Human-Made_Object"])
    assert [r.local_id for r in found] == ["https://dopheda.info/crm_e18/0001_500"]


# --- record boundaries ---------------------------------------------------------------------

DUMP = """@prefix schema: <http://schema.org/> .
@base <https://musee.example/> .
<o/1> a schema:CreativeWork ; schema:name "Un" ; schema:size [ schema:value 3 ] ; schema:hasPart <o/1#cadre> .
<o/1#cadre> schema:name "Cadre" .
<o/2> a schema:CreativeWork ; schema:name "Deux" ; schema:creator <p/9> .
<p/9> a schema:Person ; schema:name "Neuf" .
"""


def test_subject_trees_take_their_blank_nodes_and_hash_iris(tmp_path: Path) -> None:
    dump = tmp_path / "dump.ttl"
    dump.write_text(DUMP, encoding="utf-8")
    found = {r.local_id: triples(r) for r in records(dump, records="subject")}
    assert set(found) == {"https://musee.example/o/1", "https://musee.example/o/2", "https://musee.example/p/9"}
    first = found["https://musee.example/o/1"]
    assert len(first) == 6  # its 4 statements, the blank node's value, the frame's name
    typed = {r.local_id for r in records(dump, records="subject", root_class=["schema:CreativeWork"])}
    assert typed == {"https://musee.example/o/1", "https://musee.example/o/2"}
    apart = {r.local_id for r in records(dump, records="subject", follow_hash_iris=False)}
    assert "https://musee.example/o/1#cadre" in apart


def test_each_named_graph_is_a_record_and_a_document_is_one(tmp_path: Path) -> None:
    trig = tmp_path / "graphs.trig"
    trig.write_text('<http://g/1> { <http://a> <http://p> "1" . }\n<http://g/2> { <http://b> <http://p> "2" . }\n'
                    '<http://c> <http://p> "3" .\n', encoding="utf-8")
    assert sorted(r.local_id for r in records(trig)) == [str(trig), "http://g/1", "http://g/2"]
    assert [r.local_id for r in records(trig, records="document")] == [str(trig)]


def test_a_zip_of_documents_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.ttl", DUMP)
        out.writestr("b.nt", '<http://a> <http://p> "x" .\n')
    assert len(records(archive)) == 2


def test_unknown_options_and_classes_are_refused(tmp_path: Path) -> None:
    dump = tmp_path / "dump.ttl"
    dump.write_text(DUMP, encoding="utf-8")
    with pytest.raises(ConfigError):
        records(dump, records="per-line")
    with pytest.raises(ConfigError):
        records(dump, records="subject", root_class=["nope:Thing"])


# --- lenient reading ------------------------------------------------------------------------

def test_a_broken_ntriples_line_is_dropped_alone(tmp_path: Path) -> None:
    dump = tmp_path / "dump.nt"
    dump.write_text('<http://a> <http://p> "1" .\n<http://b> <http://p> "2 .\n<http://c> <http://p> "3" .\n',
                    encoding="utf-8")
    (record,) = records(dump)
    assert len(triples(record)) == 2
    assert [f.rule for f in record.findings] == ["statement-dropped"]


def test_an_iri_that_cannot_be_repaired_drops_its_statement(tmp_path: Path) -> None:
    dump = tmp_path / "dump.ttl"
    dump.write_text('<http://a> <http://p> <http://ex ample/ok> .\n<http://a> <http://p> <::> .\n'
                    '<http://a> <http://p> "kept" .\n', encoding="utf-8")
    (record,) = records(dump, base_iri="")
    assert {f.rule for f in record.findings} >= {"iri-repaired"}
    assert ox.Literal("kept") in {t.object for t in triples(record)}


def canonical(statements: list[ox.Quad]) -> set[ox.Quad]:
    dataset = ox.Dataset(statements)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def test_edm_repaired_in_its_text_reads_as_statement_by_statement() -> None:
    """RDF/XML with IRIs or empty languages to repair takes a shortcut (repaired in its text,
    then Oxigraph's parser-to-writer): the same statements and findings as `parse_rdf`'s
    statement-by-statement way, for every EDM file."""
    folder = shared("edm")
    paths = sorted(folder.rglob("*.xml")) + sorted(folder.rglob("*.rdf"))
    compared = 0
    for path in paths:
        (record,) = records(path)
        careful = parse_rdf(path.read_bytes(), ox.RdfFormat.RDF_XML, path.as_uri(), Contexts(), str(path),
                            strict_first=False)
        assert canonical([ox.Quad(t.subject, t.predicate, t.object) for t in triples(record)]) == canonical(
            careful.quads), path
        said = [(f.rule, f.value, f.focus) for f in record.findings]
        assert said == [("iri-repaired" if r.fixed else "statement-dropped", r.value, r.subject)
                        for r in careful.repairs], path
        compared += bool(careful.repairs)
    assert compared == 10  # the EDM files with something to repair


RDF_XML = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"{root}>
  <rdf:Description rdf:about="http://musee.example/o/1"{node}>
    <dc:title xml:lang="">Berceau</dc:title>
    <dc:relation rdf:resource="http://musee.example/o/a&#32;b"/>
    <!-- <dc:source rdf:resource="http://in a comment"/> <dc:title xml:lang="">commentaire</dc:title> -->
  </rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize(("root", "node"), [("", ""), (' xml:lang="fr"', ""), ("", ' xml:lang="fr"')],
                         ids=["no-language-around", "language-on-the-root", "language-on-the-node"])
def test_an_empty_language_gives_a_plain_literal_whatever_is_around(tmp_path: Path, root: str, node: str) -> None:
    page = tmp_path / "objet.rdf"
    page.write_text(RDF_XML.format(root=root, node=node), encoding="utf-8")
    (record,) = records(page)
    read = triples(record)
    assert ox.Literal("Berceau") in {t.object for t in read}  # not "Berceau"@fr
    assert ox.NamedNode("http://musee.example/o/a%20b") in {t.object for t in read}  # a character reference, too
    said = {(f.rule, f.value) for f in record.findings}
    assert said == {("iri-repaired", "http://musee.example/o/a b"), ("iri-repaired", '"Berceau"@')}
    assert all(f.focus == "http://musee.example/o/1" for f in record.findings)


def test_a_turtle_syntax_error_names_the_file(tmp_path: Path) -> None:
    dump = tmp_path / "dump.ttl"
    dump.write_text('<http://a> <http://p> "unterminated .\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        records(dump)
    assert "dump.ttl" in str(caught.value)


# --- contexts --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://schema.org", "http://schema.org/", "https://schema.org/"])
def test_schema_org_context_is_offline_with_its_id_and_type_aliases(url: str) -> None:
    page = {"@context": url, "type": "Event", "id": "https://theatre.example/e/1", "name": "Pièce",
            "url": "https://theatre.example/e/1.html", "startDate": "2026-05-01"}
    parsed = parse_rdf(json.dumps(page).encode(), ox.RdfFormat.JSON_LD, None, Contexts(), "page")
    found = {(q.predicate.value, q.object) for q in parsed.quads}
    assert ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(SCHEMA + "Event")) in found
    assert (SCHEMA + "url", ox.NamedNode("https://theatre.example/e/1.html")) in found  # "@type": "@id"
    assert (SCHEMA + "startDate", ox.Literal("2026-05-01", datatype=ox.NamedNode(SCHEMA + "Date"))) in found


def test_linked_art_context_is_offline() -> None:
    thing = {"@context": "https://linked.art/ns/v1/linked-art.json", "id": "https://museum.example/object/1",
             "type": "HumanMadeObject", "_label": "Jar"}
    parsed = parse_rdf(json.dumps(thing).encode(), ox.RdfFormat.JSON_LD, None, Contexts(), "object")
    assert {q.object for q in parsed.quads} >= {ox.NamedNode("http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object"),
                                               ox.Literal("Jar")}


# A Europeana record as its JSON-LD export writes it, with Europeana's own context named by URL.
# The values are those of ../shared/data/edm/metis-pattern-analysis/src/test/resources/
# europeana_record_with_P2.xml (europeana/metis-framework, EUPL-1.2), written the JSON-LD way.
EUROPEANA_RECORD = {
    "@context": "https://www.europeana.eu/schemas/context/edm.jsonld",
    "@graph": [
        {"id": "http://data.europeana.eu/item/1/12944", "type": "ProvidedCHO",
         "title": {"nl": "WESTVLAAMS FILMJOURNAAL - 164"}, "creator": ["PYLYSER, JEAN-MARIE"],
         "subject": [{"@value": "World War I", "@language": "en"}, {"id": "http://data.europeana.eu/concept/base/83"}],
         "created": [{"@value": "1984", "@language": "en"}], "edmType": "VIDEO"},
        {"id": "http://data.europeana.eu/aggregation/provider/1/12944", "type": "Aggregation",
         "aggregatedCHO": "http://data.europeana.eu/item/1/12944",
         "dataProvider": "http://data.europeana.eu/organization/1482250000004502033",
         "isShownBy": "https://vimeo.com/209357984", "isShownAt": "https://vimeo.com/209357984",
         "provider": {"@value": "EFG - The European Film Gateway", "@language": "en"},
         "edmRights": "http://rightsstatements.org/vocab/InC/1.0/"},
    ],
}


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_europeana_json_ld_reads_its_context_offline(tmp_path: Path, scheme: str) -> None:
    from culturedata.mapping import MappingContext, load_mapping, map_records

    edm = "http://www.europeana.eu/schemas/edm/"
    page = tmp_path / "12944.jsonld"
    record = {**EUROPEANA_RECORD, "@context": f"{scheme}://www.europeana.eu/schemas/context/edm.jsonld"}
    page.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    (found,) = records(page)
    read = set(triples(found))
    cho, aggregation = (ox.NamedNode(f"http://data.europeana.eu/{p}/1/12944") for p in ("item", "aggregation/provider"))
    assert ox.Triple(cho, ox.NamedNode("http://purl.org/dc/elements/1.1/title"),
                     ox.Literal("WESTVLAAMS FILMJOURNAAL - 164", language="nl")) in read
    assert ox.Triple(aggregation, ox.NamedNode(edm + "aggregatedCHO"), cho) in read
    assert ox.Triple(aggregation, ox.NamedNode(edm + "rights"),
                     ox.NamedNode("http://rightsstatements.org/vocab/InC/1.0/")) in read
    assert ox.Triple(cho, ox.NamedNode(edm + "type"), ox.Literal("VIDEO")) in read
    context = MappingContext.for_source("http://127.0.0.1:8000/", "europeana", "en")
    (mapped,) = map_records(load_mapping("edm"), [found], context)
    assert ox.NamedNode("https://w3id.org/culturedata/ns/qcp#HeritageObject") in {t.object for t in mapped.triples}
    names = {t.object for t in mapped.triples if t.predicate == ox.NamedNode(SCHEMA + "name")}
    assert ox.Literal("WESTVLAAMS FILMJOURNAAL - 164", language="nl") in names


def test_an_unknown_remote_context_is_named_never_fetched() -> None:
    page = {"@context": "https://contexts.example/mine.jsonld", "name": "x"}
    with pytest.raises(InputError) as caught:
        parse_rdf(json.dumps(page).encode(), ox.RdfFormat.JSON_LD, None, Contexts(), "page.jsonld")
    assert "https://contexts.example/mine.jsonld" in str(caught.value) and "contexts" in str(caught.value)


def test_a_contexts_folder_adds_contexts(tmp_path: Path) -> None:
    folder = tmp_path / "ctx"
    folder.mkdir()
    (folder / "index.toml").write_text('[contexts]\n"https://contexts.example/mine.jsonld" = "mine.json"\n',
                                       encoding="utf-8")
    (folder / "mine.json").write_text('{"@context": {"@vocab": "https://vocab.example/", "@import": '
                                      '"https://schema.org/"}}', encoding="utf-8")
    page = tmp_path / "page.jsonld"
    page.write_text(json.dumps({"@context": "https://contexts.example/mine.jsonld", "id": "https://a.example/1",
                                "couleur": "x"}), encoding="utf-8")
    (record,) = records(page, contexts=str(folder))
    assert {t.predicate.value for t in triples(record)} == {"https://vocab.example/couleur"}  # the import gave "id"


def test_a_contexts_folder_is_relative_to_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from culturedata.config import load_config

    site = tmp_path / "site"
    (site / "ctx").mkdir(parents=True)
    (site / "ctx" / "index.toml").write_text('[contexts]\n"https://contexts.example/mine.jsonld" = "mine.json"\n',
                                             encoding="utf-8")
    (site / "ctx" / "mine.json").write_text('{"@context": {"@vocab": "https://vocab.example/", "id": "@id"}}',
                                            encoding="utf-8")
    (site / "page.jsonld").write_text(json.dumps({"@context": "https://contexts.example/mine.jsonld",
                                                  "id": "https://a.example/1", "couleur": "x"}), encoding="utf-8")
    config = site / "culturedata.toml"
    source = ('[[sources]]\nid = "musee"\nname = "Musée"\nkind = "rdf"\nmapping = "sparql-graph"\n'
              'path = "page.jsonld"\noptions = {{ contexts = "{folder}" }}\n')
    config.write_text(source.format(folder="ctx"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the configuration's folder
    (record,) = harvest(load_config(config).sources[0])
    assert {t.predicate.value for t in triples(record)} == {"https://vocab.example/couleur"}
    config.write_text(source.format(folder="contextes"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        list(harvest(load_config(config).sources[0]))
    assert "options.contexts" in str(caught.value) and "contextes" in str(caught.value)
    assert 'sources[id="musee"]' in str(caught.value)


def test_a_document_by_url_resolves_its_relative_iris_against_its_url() -> None:
    body = b'@prefix schema: <http://schema.org/> .\n<objets/1> schema:name "Berceau" ; schema:url <#page> .\n'

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("Content-Type", "text/turtle")])
        return [body]

    with serve_wsgi(app) as base:
        (record,) = harvest(make_source("rdf", url=base + "/collection/dump.ttl"))
        subjects = {t.subject for t in triples(record)}
        objects = {t.object for t in triples(record)}
    assert ox.NamedNode(base + "/collection/objets/1") in subjects
    assert ox.NamedNode(base + "/collection/dump.ttl#page") in objects


# --- EDM served by OAI-PMH ------------------------------------------------------------------

class EdmRepository(OAIRepository):
    """The test OAI-PMH repository, serving `metadataPrefix=edm` (Europeana's rdf:RDF records)."""

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:  # noqa: N802
        return [("edm", "http://www.europeana.eu/schemas/edm/EDM.xsd", "http://www.w3.org/1999/02/22-rdf-syntax-ns#")]

    def _select(self, metadataPrefix, set, from_, until):  # type: ignore[no-untyped-def]  # noqa: N803, A002
        return super()._select("lido" if metadataPrefix == "edm" else metadataPrefix, set, from_, until)


def test_edm_from_oai_pmh_maps_to_the_profile() -> None:
    from datetime import datetime

    from lxml import etree
    from oaipmh.metadata import MetadataRegistry
    from oaipmh.server import BatchingServer

    from culturedata.mapping import MappingContext, load_mapping, map_records

    folder = shared("edm", "metis-pattern-analysis", "src", "test", "resources")
    paths = sorted(folder.glob("europeana_record_with_P*.xml"))
    items = [Item(f"oai:europeana:{p.stem}", datetime(2026, 1, 1), ["edm"], False, etree.parse(str(p)).getroot())
             for p in paths]
    repository = EdmRepository(items)
    registry = MetadataRegistry()
    registry.registerWriter("edm", lido_writer)
    server = BatchingServer(repository, registry, resumption_batch_size=3)

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        from urllib.parse import parse_qs

        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        body = server.handleRequest(params)
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [body]

    with serve_wsgi(app) as base:
        found = list(harvest(make_source("oai-pmh", url=base + "/oai", metadata_prefix="edm")))
    assert len(found) == len(paths) == 8
    context = MappingContext.for_source("http://127.0.0.1:8000/", "europeana", "en")
    mapped = list(map_records(load_mapping("edm"), found, context))
    heritage = ox.NamedNode("https://w3id.org/culturedata/ns/qcp#HeritageObject")
    assert all(heritage in {t.object for t in m.triples} for m in mapped), [m.findings for m in mapped]

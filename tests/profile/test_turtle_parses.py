"""All shipped Turtle parses with both engines the pipeline uses, and every scheme says what it is."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from profile_shacl import ONTOLOGIES, SHAPES
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

TURTLE = sorted([*SHAPES.glob("*.ttl"), *ONTOLOGIES.rglob("*.ttl")])
SCHEMA = "http://schema.org/"
SCHEMA_VERSION = URIRef(SCHEMA + "version")


@pytest.mark.parametrize("path", TURTLE, ids=lambda p: p.name)
def test_parses_with_rdflib_and_pyoxigraph(path) -> None:
    graph = Graph().parse(path, format="turtle")
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert len(graph) == len(store) > 0


@pytest.mark.parametrize("path", sorted((ONTOLOGIES / "vocab").glob("*.ttl")), ids=lambda p: p.name)
def test_our_schemes_carry_version_licence_source_and_bilingual_labels(path) -> None:
    graph = Graph().parse(path, format="turtle")
    schemes = list(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 1
    scheme = schemes[0]
    assert graph.value(scheme, OWL.versionInfo) is not None
    assert graph.value(scheme, DCTERMS.license) is not None
    assert graph.value(scheme, DCTERMS.source) is not None
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        labels = {lit.language for lit in graph.objects(concept, SKOS.prefLabel) if isinstance(lit, Literal)}
        assert {"fr", "en"} <= labels, concept
        assert (concept, SKOS.inScheme, scheme) in graph, concept


@pytest.mark.parametrize("path", sorted((ONTOLOGIES / "artsdata").glob("*.ttl")), ids=lambda p: p.name)
def test_artsdata_copies_carry_a_version(path) -> None:
    graph = Graph().parse(path, format="turtle")
    scheme = next(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert graph.value(scheme, OWL.versionInfo) is not None or graph.value(scheme, SCHEMA_VERSION) is not None


def test_regions_are_the_17_official_codes() -> None:
    graph = Graph().parse(ONTOLOGIES / "vocab" / "regions.ttl", format="turtle")
    notations = sorted(str(n) for n in graph.objects(None, SKOS.notation))
    assert notations == [f"{i:02d}" for i in range(1, 18)]


def test_every_municipality_lies_in_a_known_region() -> None:
    regions = Graph().parse(ONTOLOGIES / "vocab" / "regions.ttl", format="turtle")
    municipalities = Graph().parse(ONTOLOGIES / "vocab" / "municipalities.ttl", format="turtle")
    known = set(regions.subjects(RDF.type, SKOS.Concept))
    contained = set(municipalities.objects(None, URIRef(SCHEMA + "containedInPlace")))
    assert contained and contained <= known


def test_qcp_terms_are_bilingual() -> None:
    graph = Graph().parse(ONTOLOGIES / "qcp.ttl", format="turtle")
    terms = [s for s in graph.subjects(RDFS.label, None)]
    assert len(terms) >= 9
    for term in terms:
        for prop in (RDFS.label, RDFS.comment):
            assert {lit.language for lit in graph.objects(term, prop)} >= {"fr", "en"}, (term, prop)

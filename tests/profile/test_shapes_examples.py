"""Every rule has a negative example that trips it, and only it; complete and minimal records pass.

A negative example is a complete example (examples/*-full.ttl, which validates with no result at
all) with one SPARQL Update applied, so each case states exactly what it breaks.
"""

from __future__ import annotations

import pytest
from profile_shacl import CDS, EXAMPLES, SH, load_example, parse_snippet, run, shapes_graph
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

PREFIXES = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX qcp: <https://w3id.org/culturedata/ns/qcp#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX ex: <http://127.0.0.1:8000/id/demo/>
"""


def drop(prop: str, subject: str = "?s") -> str:
    return f"DELETE {{ {subject} {prop} ?o }} WHERE {{ {subject} {prop} ?o }}"


def replace(prop: str, value: str, subject: str = "?s") -> str:
    return f"DELETE {{ {subject} {prop} ?o }} INSERT {{ {subject} {prop} {value} }} WHERE {{ {subject} {prop} ?o }}"


def add(subject: str, triples: str) -> str:
    return f"INSERT DATA {{ {subject} {triples} }}"


HO, PER, ORG, PLA, EVT, MED, CON = (
    "heritage-object-full.ttl", "person-full.ttl", "organization-full.ttl", "place-full.ttl",
    "event-full.ttl", "media-object-full.ttl", "concept-full.ttl",
)
OBJ, E = "ex:object-1987.1.1", "ex:event-lectures"
ADDRESS = "?s schema:address ?a . ?a"

# rule -> (complete example, the update that breaks it)
CASES: dict[str, tuple[str, str]] = {
    "Thing-sameAs": (PER, replace("schema:sameAs", "<https://www.wikidata.org/wiki/Q42>")),
    "Role-roleName": (EVT, "DELETE { ?r schema:roleName ?n } WHERE { ?r a schema:Role ; schema:roleName ?n }"),
    # heritage object
    "HeritageObject-type": (HO, f"DELETE DATA {{ {OBJ} a schema:VisualArtwork }}"),
    "HeritageObject-name": (HO, add(OBJ, 'schema:name "Goélette"')),
    "HeritageObject-name-fr": (HO, f'DELETE DATA {{ {OBJ} schema:name "Goélette à quai, La Baie"@fr }}'),
    "HeritageObject-identifier": (HO, "DELETE { ?i schema:value ?v } WHERE { ?i schema:value ?v }"),
    "HeritageObject-heldBy": (HO, drop("qcp:heldBy", OBJ)),
    "HeritageObject-additionalType": (
        HO, f"{drop('schema:additionalType', OBJ)} ; INSERT DATA {{ {OBJ} schema:keywords \"goélette\"@fr }}"),
    "HeritageObject-additionalType-known": (
        HO, add(OBJ, "schema:additionalType <https://w3id.org/culturedata/vocab/collection-domains/painting>")),
    "HeritageObject-domain": (
        HO, "DELETE DATA { ex:object-1987.1.1 schema:additionalType "
            "<https://w3id.org/culturedata/vocab/collection-domains/fine-decorative-arts> }"),
    "HeritageObject-description": (HO, drop("schema:description", OBJ)),
    "HeritageObject-creator": (HO, drop("schema:creator", OBJ)),
    "HeritageObject-dateCreated": (HO, replace("schema:dateCreated", '"vers 1935"', OBJ)),
    "HeritageObject-date": (HO, f"{drop('schema:dateCreated', OBJ)} ; {drop('qcp:dateStatement', OBJ)}"),
    "HeritageObject-material": (HO, drop("schema:artMedium", OBJ)),
    "HeritageObject-image": (HO, drop("schema:image", OBJ)),
    "HeritageObject-url": (HO, drop("schema:url", OBJ)),
    "HeritageObject-creditText": (HO, drop("schema:creditText", OBJ)),
    "HeritageObject-heritageDesignation": (
        HO, replace("qcp:heritageDesignation", "<https://w3id.org/culturedata/vocab/regions/02>", OBJ)),
    # person
    "Person-name": (PER, drop("schema:name")),
    "Person-sameAs": (PER, drop("schema:sameAs")),
    "Person-birthDate": (PER, replace("schema:birthDate", '"1898-13-45"')),
    "Person-deathDate": (PER, add("ex:person-bouchard", 'schema:deathDate "1977"^^xsd:gYear')),
    # organization and postal address
    "Organization-name": (ORG, add("ex:org-musee", 'schema:name "Musée"')),
    "Organization-name-fr": (ORG, 'DELETE DATA { ex:org-musee schema:name "Musée du Fjord-Bleu"@fr }'),
    "Organization-url": (ORG, drop("schema:url")),
    "Organization-address": (ORG, "DELETE { ?s schema:address ?a . ?a ?p ?o } WHERE { ?s schema:address ?a . ?a ?p ?o }"),
    "Organization-additionalType": (
        ORG, replace("schema:additionalType", "<https://w3id.org/culturedata/vocab/regions/02>")),
    "Organization-sameAs": (ORG, drop("schema:sameAs")),
    "Organization-neq": (ORG, replace("wdt:P10503", '"114000000"')),
    "Organization-businessNumber": (ORG, replace("wdt:P8860", '"000000000"')),
    "Organization-telephone": (ORG, replace("schema:telephone", '"418 555-0100"')),
    "PostalAddress": (ORG, f"INSERT {{ ?a schema:name \"Siège\"@fr }} WHERE {{ {ADDRESS} a schema:PostalAddress }}"),
    "PostalAddress-streetAddress": (ORG, f"DELETE {{ ?a schema:streetAddress ?o }} WHERE {{ {ADDRESS} schema:streetAddress ?o }}"),
    "PostalAddress-addressLocality": (ORG, f"DELETE {{ ?a schema:addressLocality ?o }} WHERE {{ {ADDRESS} schema:addressLocality ?o }}"),
    "PostalAddress-addressRegion": (ORG, f"DELETE {{ ?a schema:addressRegion ?o }} WHERE {{ {ADDRESS} schema:addressRegion ?o }}"),
    "PostalAddress-postalCode": (ORG, f"INSERT {{ ?a schema:postalCode \"G7B 0A1\"@fr, \"G7B 0A2\"@fr }} WHERE {{ {ADDRESS} a schema:PostalAddress }}"),
    "PostalAddress-addressCountry": (ORG, f"DELETE {{ ?a schema:addressCountry ?o }} WHERE {{ {ADDRESS} schema:addressCountry ?o }}"),
    # place
    "Place-name": (PLA, add("ex:place-salle", 'schema:name "Salle"')),
    "Place-name-fr": (PLA, replace("schema:name", '"Anaïs-Allard Hall"@en')),
    "Place-address": (PLA, add("ex:place-salle", "schema:address <http://127.0.0.1:8000/id/demo/address-2>")),
    "Place-located": (PLA, "DELETE { ?s schema:address ?a ; schema:geo ?g } WHERE { ?s schema:address ?a ; schema:geo ?g }"),
    "Place-geo": (PLA, "DELETE { ?g schema:latitude ?l } INSERT { ?g schema:latitude 123.4 } "
                       "WHERE { ?g a schema:GeoCoordinates ; schema:latitude ?l }"),
    "Place-region": (PLA, "DELETE DATA { ex:place-salle schema:containedInPlace <https://w3id.org/culturedata/vocab/regions/04> }"),
    "Place-additionalType": (PLA, drop("schema:additionalType")),
    "Place-sameAs": (PLA, drop("schema:sameAs")),
    "Place-heritageDesignation": (
        PLA, replace("qcp:heritageDesignation", "<https://w3id.org/culturedata/vocab/collection-domains/archaeology>")),
    # event
    "Event-name": (EVT, add(E, 'schema:name "Lectures"')),
    "Event-name-fr": (EVT, f'DELETE DATA {{ {E} schema:name "Lectures du printemps"@fr }}'),
    "Event-startDate": (EVT, replace("schema:startDate", '"14 mars 2025"', E)),
    "Event-endDate": (EVT, add(E, 'schema:endDate "2025-03-17"^^xsd:date')),
    "Event-location": (EVT, add(E, "schema:location <http://127.0.0.1:8000/id/demo/place-2>")),
    "Event-organizer": (EVT, replace("schema:organizer", '[ schema:name "Théâtre"@fr ]', E)),
    "Event-performer": (EVT, add(E, 'schema:performer "Troupe du Nord"')),
    "Event-eventStatus": (EVT, replace("schema:eventStatus", "<https://schema.org/EventScheduled>", E)),
    "Event-eventAttendanceMode": (EVT, replace("schema:eventAttendanceMode", "schema:EventScheduled", E)),
    "Event-description": (EVT, drop("schema:description", E)),
    "Event-description-format": (EVT, add(E, 'schema:description "Lectures publiques."')),
    "Event-image": (EVT, drop("schema:image", E)),
    "Event-url": (EVT, drop("schema:url", E)),
    "Event-additionalType": (EVT, replace("schema:additionalType", "schema:TheaterEvent", E)),
    "EventSeries-subEvent": (EVT, drop("schema:subEvent")),
    "VirtualLocation-url": (
        EVT, "DELETE { ?v schema:url ?u } INSERT { ?v schema:url \"direct\" } WHERE { ?v a schema:VirtualLocation ; schema:url ?u }"),
    # media object
    "MediaObject-contentUrl": (MED, drop("schema:contentUrl")),
    "MediaObject-license": (MED, replace("schema:license", '"Domaine public"')),
    "MediaObject-creditText": (MED, drop("schema:creditText")),
    "MediaObject-caption": (MED, replace("schema:caption", '"Goélette"')),
    "MediaObject-encodingFormat": (MED, replace("schema:encodingFormat", '"JPEG"')),
    # concept
    "Concept-prefLabel-fr": (CON, 'DELETE DATA { ex:concept-raquette skos:prefLabel "raquettes à neige"@fr }'),
    "Concept-prefLabel-en": (CON, 'DELETE DATA { ex:concept-raquette skos:prefLabel "snowshoes"@en }'),
    "Concept-inScheme": (CON, drop("skos:inScheme")),
}


# Breaking some rules unavoidably breaks a weaker one too: no type at all also means no domain.
ALSO: dict[str, set[str]] = {"HeritageObject-additionalType": {"HeritageObject-domain"}}


def rules() -> set[str]:
    """Every rule of the shapes: a named shape carrying sh:message."""
    graph = shapes_graph()
    return {
        str(s).removeprefix(str(CDS))
        for s in graph.subjects(SH.message, None)
        if isinstance(s, URIRef) and str(s).startswith(str(CDS))
    }


def test_every_rule_has_a_negative_example() -> None:
    assert rules() == set(CASES)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*-full.ttl")))
def test_complete_example_has_no_result(name: str) -> None:
    assert run(load_example(name)) == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_negative_example_trips_exactly_its_rule(rule: str) -> None:
    base, update = CASES[rule]
    graph = load_example(base)
    graph.update(PREFIXES + update)
    results = run(graph)
    assert {r.rule for r in results} == {rule} | ALSO.get(rule, set()), results
    for result in results:
        assert result.messages.get("fr") and result.messages.get("en"), result


@pytest.mark.parametrize("rule", sorted(rules()))
def test_rule_is_named_and_bilingual(rule: str) -> None:
    graph = shapes_graph()
    shape = CDS[rule]
    assert str(graph.value(shape, SH.name)) == rule
    languages = {m.language for m in graph.objects(shape, SH.message) if isinstance(m, Literal)}
    assert languages == {"fr", "en"}
    assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info)


def entity_shapes() -> list[URIRef]:
    graph = shapes_graph()
    return sorted(s for s in graph.subjects(SKOS.example, None) if (s, SKOS.definition, None) in graph)


@pytest.mark.parametrize("shape", entity_shapes(), ids=lambda s: str(s).rsplit("/", 1)[-1])
def test_minimal_record_in_the_docs_has_no_violation(shape: URIRef) -> None:
    snippet = str(shapes_graph().value(shape, SKOS.example))
    if snippet.lstrip().startswith("["):  # a nested node (postal address): wrap it in its place
        snippet = f"<http://127.0.0.1:8000/id/demo/x> <http://schema.org/address> {snippet} ."
    violations = [r for r in run(parse_snippet(snippet)) if r.severity == "Violation"]
    assert violations == []

"""The engine on small mappings written for each behaviour: nesting, languages, lookups and the
records it must report and skip without stopping the batch."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode

from culturedata.mapping import load_mapping, map_record, map_records
from culturedata.mapping.vocabularies import load_vocabularies
from culturedata.records import Severity

from .conftest import BASE, SCHEMA, context, has, objects, record, subjects_of_type

LIDO_NS = "http://www.lido-schema.org"


def mapping(tmp_path: Path, text: str, name: str = "m.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_mapping(str(path))


XML_MAPPING = """
format: xml
namespaces: {x: "urn:x"}
fields: {id: "string(x:id)"}
entities:
  work:
    iri: "{base}id/{source}/work/{id|slug}"
    types: [schema:CreativeWork]
    properties:
      schema:name: {field: "x:title", lang: source}
      schema:creator: {entity: person}
  event:
    within: work
    each: "x:event"
    iri: "{work}#event-{index}"
    fields: {kind: "x:type"}
    when: kind
  person:
    within: event
    each: "x:actor"
    iri: "{base}id/{source}/person/{x:name|slug}"
    types: [schema:Person]
    properties:
      schema:name: {field: "x:name"}
      schema:description: {template: "{kind}: {x:name}", lang: en}
      schema:workLocation: {entity: event}
"""


def test_nested_iteration_links_each_actor_of_each_event(tmp_path: Path) -> None:
    compiled = mapping(tmp_path, XML_MAPPING)
    xml = (b'<w xmlns="urn:x" xml:lang="de"><id>W 1</id><title>Titel</title><title xml:lang="fr">Titre</title>'
           b"<event><type>production</type><actor><name>Ann</name></actor><actor><name>Bo</name></actor></event>"
           b"<event><type>exhibition</type><actor><name>Cy</name></actor></event><event/></w>")
    mapped = map_record(compiled, record(xml), context())
    work = f"{BASE}id/s/work/w-1"
    people = sorted(subjects_of_type(mapped, SCHEMA + "Person"))
    assert people == [f"{BASE}id/s/person/{n}" for n in ("ann", "bo", "cy")]
    assert sorted(o.value for o in objects(mapped, work, SCHEMA + "creator")) == people
    assert has(mapped, f"{BASE}id/s/person/cy", SCHEMA + "description", Literal("exhibition: Cy", language="en"))
    assert has(mapped, f"{BASE}id/s/person/cy", SCHEMA + "workLocation", NamedNode(work + "#event-2"))
    # xml:lang of the value, inherited from the root when the element has none
    assert has(mapped, work, SCHEMA + "name", Literal("Titel", language="de"))
    assert has(mapped, work, SCHEMA + "name", Literal("Titre", language="fr"))
    assert mapped.findings == ()


def test_bad_records_are_reported_and_skipped_without_stopping_the_batch(tmp_path: Path) -> None:
    compiled = mapping(tmp_path, XML_MAPPING)
    records = [
        record(b'<w xmlns="urn:x"><id>1</id><title>Un</title></w>', "1"),
        record(b'<w xmlns="urn:x"><id>2</id><title>Deux', "2"),  # not well-formed
        record(b'<w xmlns="urn:x"><title>Sans id</title></w>', "3"),  # no id: no IRI
        record(b'<w xmlns="urn:x"><id>4</id><title>Quatre</title></w>', "4"),
    ]
    out = list(map_records(compiled, records, context()))
    assert [bool(r.triples) for r in out] == [True, False, False, True]
    for bad, field in ((out[1], None), (out[2], "id")):
        [finding] = bad.findings
        assert finding.rule == "unmappable" and finding.severity is Severity.VIOLATION
        assert finding.local_id == bad.local_id and bad.local_id in finding.message["fr"]
        assert finding.path == field
    assert "id" in out[2].findings[0].message["en"]


CSV_MAPPING = """
format: csv
null_values: ["n/d"]
entities:
  thing:
    iri: "{base}id/{source}/thing/{id}"
    properties:
      schema:name: [{field: titre, lang: default}, {field: nom, lang: default, unless: titre}]
      schema:dateCreated: {field: date, transform: date}
      schema:identifier: {field: inv, required: true}
      schema:material: {field: mat, split: "|", lang: fr}
      schema:sameAs: {field: wd, transform: wikidata, unreadable: skip}
      schema:temporal: {field: date2, transform: date, unreadable: reject}
"""


def test_values_fallbacks_nulls_and_findings(tmp_path: Path) -> None:
    compiled = mapping(tmp_path, CSV_MAPPING)
    row = {"id": "7", "titre": "n/d", "nom": "rouet", "date": "jadis", "inv": "1988.4.13", "mat": "érable | fer",
           "wd": "pas un id", "date2": ""}
    mapped = map_record(compiled, record(row, "7"), context(language="fr"))
    subject = f"{BASE}id/s/thing/7"
    assert objects(mapped, subject, SCHEMA + "name") == [Literal("rouet", language="fr")]
    assert objects(mapped, subject, SCHEMA + "material") == [Literal("érable", language="fr"),
                                                              Literal("fer", language="fr")]
    assert objects(mapped, subject, SCHEMA + "dateCreated") == []
    assert objects(mapped, subject, SCHEMA + "sameAs") == []
    [finding] = mapped.findings  # the unreadable date warns; the bad Wikidata id is skipped silently
    assert finding.severity is Severity.WARNING and finding.path == "date" and finding.value == "jadis"

    missing = map_record(compiled, record({**row, "inv": ""}, "8"), context())
    assert missing.triples == () and missing.findings[-1].path == "inv"
    rejected = map_record(compiled, record({**row, "date2": "jadis"}, "9"), context())
    assert rejected.triples == () and rejected.findings[-1].rule == "unmappable"
    assert rejected.findings[-1].path == "date2"


VOCAB = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
<https://w3id.org/culturedata/vocab/regions/02> a skos:Concept ;
    skos:inScheme <https://w3id.org/culturedata/vocab/regions> ;
    skos:prefLabel "Saguenay–Lac-Saint-Jean"@fr ; skos:notation "02" .
<https://w3id.org/culturedata/vocab/municipalities/94068> a skos:Concept ;
    skos:inScheme <https://w3id.org/culturedata/vocab/municipalities> ;
    skos:prefLabel "Saguenay"@fr ;
    schema:containedInPlace <https://w3id.org/culturedata/vocab/regions/02> .
"""

LOOKUP_MAPPING = """
format: csv
entities:
  place:
    iri: "{base}id/{source}/lieu/{id}"
    properties:
      schema:containedInPlace:
        - {field: region, lookup: regions}
        - {field: ville, lookup: {scheme: municipalities, follow: schema:containedInPlace, else: drop}}
"""


def test_lookups_match_labels_without_case_accents_or_dashes(tmp_path: Path) -> None:
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocab" / "regions.ttl").write_text(VOCAB, encoding="utf-8")
    vocabularies = load_vocabularies(tmp_path / "vocab")
    compiled = mapping(tmp_path, LOOKUP_MAPPING)
    region = NamedNode("https://w3id.org/culturedata/vocab/regions/02")
    for text in ("Saguenay–Lac-Saint-Jean", "saguenay - lac saint jean", "SAGUENAY-LAC-SAINT-JEAN", "02",
                 "Saguenay-Lac-Saint-Jean (02)"):
        mapped = map_record(compiled, record({"id": "1", "region": text, "ville": "SAGUENAY"}), context(),
                            vocabularies)
        assert objects(mapped, f"{BASE}id/s/lieu/1", SCHEMA + "containedInPlace") == [region], text
        assert mapped.findings == ()
    missed = map_record(compiled, record({"id": "1", "region": "Cantons-de-l'Est", "ville": "Paris"}), context(),
                        vocabularies)
    assert objects(missed, f"{BASE}id/s/lieu/1", SCHEMA + "containedInPlace") == [Literal("Cantons-de-l'Est")]
    assert [(f.rule, f.severity, f.value) for f in missed.findings] == [
        ("lookup-miss", Severity.WARNING, "Cantons-de-l'Est"), ("lookup-miss", Severity.INFO, "Paris")]


JSONLD_MAPPING = """
format: jsonld
entities:
  event:
    each: "@nodes[Event]"
    iri: ["{base}id/{source}/e/{@id|hash}", "{base}id/{source}/e/{record|slug}-{index}"]
    properties:
      rdf:type: {field: "@type", transform: schema}
      schema:name: {field: name, lang: source}
      schema:location: {entity: place}
      schema:organizer: {field: "organizer[Text]"}
  place:
    within: event
    each: "location[Place]"
    iri: "{event}-place"
    properties:
      schema:name: {field: name, lang: source}
      schema:addressLocality: {field: address.addressLocality}
"""


def test_jsonld_spellings_all_read_the_same(tmp_path: Path) -> None:
    compiled = mapping(tmp_path, JSONLD_MAPPING)
    compact = {"@context": "https://schema.org", "@type": "TheaterEvent", "name": "Pièce", "organizer": "Théâtre",
               "location": {"@type": "Place", "name": "Salle", "address": {"addressLocality": "Trois-Rivières"}}}
    vocab = {"@context": {"@vocab": "https://schema.org/"}, "@graph": [
        {"@type": "TheaterEvent", "name": "Pièce", "organizer": "Théâtre", "location": {"@id": "#salle"}},
        {"@id": "#salle", "@type": "Place", "name": "Salle", "address": {"addressLocality": "Trois-Rivières"}}]}
    expanded = [
        {"@type": ["http://schema.org/TheaterEvent"], "http://schema.org/name": [{"@value": "Pièce"}],
         "http://schema.org/organizer": [{"@value": "Théâtre"}],
         "http://schema.org/location": [{"@id": "_:b1"}]},
        {"@id": "_:b1", "@type": ["https://schema.org/Place"], "http://schema.org/name": [{"@value": "Salle"}],
         "http://schema.org/address": [{"@id": "_:b2"}]},
        {"@id": "_:b2", "http://schema.org/addressLocality": [{"@value": "Trois-Rivières"}]}]
    results = []
    for payload in (compact, vocab, expanded):
        mapped = map_record(compiled, record(payload, "page"), context())
        results.append(sorted(str(t) for t in mapped.triples))
        assert mapped.findings == ()
    assert results[0] == results[1] == results[2]
    text = "\n".join(results[0])
    assert "<http://schema.org/TheaterEvent>" in text and '"Salle"@fr' in text and '"Trois-Rivières"' in text


def test_jsonld_foreign_context_is_not_fetched_but_noted(tmp_path: Path) -> None:
    compiled = mapping(tmp_path, JSONLD_MAPPING)
    payload = {"@context": "https://example.org/ctx.jsonld", "@type": "Event", "name": "X"}
    mapped = map_record(compiled, record(payload), context())
    assert mapped.triples and [f.rule for f in mapped.findings] == ["unknown-context"]


def test_deleted_records_map_to_nothing(tmp_path: Path) -> None:
    from dataclasses import replace

    compiled = mapping(tmp_path, CSV_MAPPING)
    gone = replace(record({"id": "1"}), deleted=True)
    mapped = map_record(compiled, gone, context())
    assert mapped.deleted and mapped.triples == () and mapped.findings == ()

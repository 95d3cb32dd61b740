"""No silent loss in the mapping language (issue 16): multi-valued cells, nulls after a split,
YAML keys that look like booleans, dates (BCE, impossible, naive), fields no record has, and two
records minting one IRI. Each test maps real files through the real harvester where one exists."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from culturedata.config import Source, load_config
from culturedata.errors import ConfigError
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import Coverage, Identities, MappingContext, load_mapping, map_records
from culturedata.records import MappedRecord, Severity

from .conftest import BASE, SCHEMA, context, objects, record, subjects_of_type

CSV = """id;titre;materiaux;createurs
1;Le quai;huile | toile;Bouchard, Hélène | anoniem
2;La scie;acier | inconnu;Tremblay, Jean | Gagnon, Marie
"""

MULTIVALUE_MAPPING = """
format: csv
null_values: [anoniem, inconnu]
fields: {id: id, title: titre, materials: materiaux, makers: createurs}
entities:
  object:
    iri: "{base}id/{source}/objet/{id|slug}"
    types: [schema:CreativeWork]
    properties:
      schema:name: {field: title, lang: fr}
      schema:artMedium: {field: materials, lang: fr}
      schema:creator: {entity: maker}
  maker:
    within: object
    each: makers                 # a declared field: one person per value of the cell
    fields: {maker_name: "$"}
    iri: "{base}id/{source}/personne/{maker_name|name|slug}"
    types: [schema:Person]
    properties:
      schema:name: {field: maker_name, transform: name}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_source(tmp_path: Path, csv_text: str, mapping_path: Path, **options: object) -> Source:
    path = write(tmp_path, "export.csv", csv_text)
    return Source(id="s", name={"fr": "s", "en": "s"}, kind="csv", mapping=str(mapping_path), path=path,
                  options={"delimiter": ";", **options})


def mapped_csv(tmp_path: Path, csv_text: str, mapping_text: str, **options: object) -> dict[str, MappedRecord]:
    mapping_path = write(tmp_path, "m.yaml", mapping_text)
    source = csv_source(tmp_path, csv_text, mapping_path, **options)
    records = harvest(source, HarvestOptions())
    return {r.local_id: r for r in map_records(load_mapping(str(mapping_path)), records, context())}


# --- 1. multi-valued cells ------------------------------------------------------------------

def test_multivalue_cells_give_separate_values_one_entity_each_and_nulls_after_the_split(tmp_path: Path) -> None:
    mapped = mapped_csv(tmp_path, CSV, MULTIVALUE_MAPPING,
                        multivalue={"materiaux": "|", "createurs": "|"})
    first, second = mapped["1"], mapped["2"]
    obj = f"{BASE}id/s/objet/1"
    assert sorted(o.value for o in objects(first, obj, SCHEMA + "artMedium")) == ["huile", "toile"]
    assert all("[" not in str(t) for r in mapped.values() for t in r.triples)  # no Python list text
    assert [o.value for o in objects(second, f"{BASE}id/s/objet/2", SCHEMA + "artMedium")] == ["acier"]
    # one person per value; "anoniem" is a null value after the split: no person
    assert subjects_of_type(first, SCHEMA + "Person") == [f"{BASE}id/s/personne/helene-bouchard"]
    people = subjects_of_type(second, SCHEMA + "Person")
    assert people == [f"{BASE}id/s/personne/jean-tremblay", f"{BASE}id/s/personne/marie-gagnon"]
    assert Literal("Marie Gagnon") in objects(second, people[1], SCHEMA + "name")
    assert len(objects(second, f"{BASE}id/s/objet/2", SCHEMA + "creator")) == 2


def test_split_applies_null_values_to_each_part(tmp_path: Path) -> None:
    text = MULTIVALUE_MAPPING.replace("{field: materials, lang: fr}", '{field: materials, lang: fr, split: "|"}')
    mapped = mapped_csv(tmp_path, CSV, text)  # no `multivalue`: the mapping splits
    assert [o.value for o in objects(mapped["2"], f"{BASE}id/s/objet/2", SCHEMA + "artMedium")] == ["acier"]


# --- 5. YAML keys ---------------------------------------------------------------------------

def test_yaml_keys_that_look_like_booleans_stay_names(tmp_path: Path) -> None:
    text = """
format: csv
fields: {id: id, no: no, on: "on", yes: "yes", off: off}
entities:
  object:
    iri: "{base}o/{id}"
    properties:
      schema:name: {field: no, required: yes}
      schema:description: {field: on, required: no}
"""
    compiled = load_mapping(str(write(tmp_path, "m.yaml", text)))
    assert compiled.fields == {"id": "id", "no": "no", "on": "on", "yes": "yes", "off": "off"}
    name, description = (v for _, v in compiled.entities[0].properties)
    assert name.text == "no" and name.required is True  # values stay typed: `yes` is true
    assert description.text == "on" and description.required is False


# --- 3. dates -------------------------------------------------------------------------------

DATES_CSV = """id;debut;fin;affichage
1;hier;;
2;31/02/1901;1950;vers 1900
3;-5300;;5300 av. J.-C.
4;1885;1890;1885-1890
"""

DATES_MAPPING = """
format: csv
fields: {id: id, date_from: debut, date_to: fin, date_display: affichage}
entities:
  object:
    iri: "{base}o/{id}"
    properties:
      qcp:dateStatement: {field: date_display, lang: default}
      dcterms:created:
        - {template: "{date_from}/{date_to}", transform: date}
        - {field: date_from, transform: date, unless: date_to}
"""


def test_unreadable_and_impossible_dates_are_findings_naming_record_field_and_value(tmp_path: Path) -> None:
    mapped = mapped_csv(tmp_path, DATES_CSV, DATES_MAPPING)
    [hier] = [f for f in mapped["1"].findings if f.rule == "unreadable-value"]
    assert (hier.local_id, hier.path, hier.value, hier.column) == ("1", "date_from", "hier", "debut")
    [impossible] = [f for f in mapped["2"].findings if f.rule == "unreadable-value"]
    # the template's cell that is no date, in its column; the message says the value the template made
    assert (impossible.value, impossible.column) == ("31/02/1901", "debut")
    assert "{date_from}/{date_to}" in (impossible.path or "") and "31/02/1901/1950" in impossible.text("en")
    assert "calendar" in impossible.text("en") and "calendrier" in impossible.text("fr")
    assert not [t for t in mapped["2"].triples if t.predicate.value.endswith("/created")]


def test_years_before_the_common_era_stay_before_it(tmp_path: Path) -> None:
    mapped = mapped_csv(tmp_path, DATES_CSV, DATES_MAPPING)
    [created] = objects(mapped["3"], f"{BASE}o/3", "http://purl.org/dc/terms/created")
    assert created == Literal("-5299", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))
    # the provider's own words are kept beside it, as the mapping asks
    assert Literal("5300 av. J.-C.", language="fr") in objects(
        mapped["3"], f"{BASE}o/3", "https://w3id.org/culturedata/ns/qcp#dateStatement")
    [span] = objects(mapped["4"], f"{BASE}o/4", "http://purl.org/dc/terms/created")
    assert span == Literal("1885/1890", datatype=NamedNode("http://id.loc.gov/datatypes/edtf"))


# --- 4. naive date-times ---------------------------------------------------------------------

TIMES_CSV = """id;debut
1;2026-01-24T20:00
2;2026-07-24 20:00:00
3;2026-07-24T20:00:00Z
"""

TIMES_MAPPING = """
format: csv
fields: {id: id, start: debut}
entities:
  event:
    iri: "{base}e/{id}"
    properties:
      schema:startDate: {field: start, transform: date}
"""


def test_naive_datetimes_take_the_source_time_zone_with_summer_time(tmp_path: Path) -> None:
    compiled = load_mapping(str(write(tmp_path, "m.yaml", TIMES_MAPPING)))
    source = csv_source(tmp_path, TIMES_CSV, tmp_path / "m.yaml")
    quebec = MappingContext.for_source(BASE, "s", "fr", "America/Toronto")
    mapped = {r.local_id: r for r in map_records(compiled, harvest(source, HarvestOptions()), quebec)}
    dt = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    start = SCHEMA + "startDate"
    assert objects(mapped["1"], f"{BASE}e/1", start) == [Literal("2026-01-24T20:00:00-05:00", datatype=dt)]
    assert objects(mapped["2"], f"{BASE}e/2", start) == [Literal("2026-07-24T20:00:00-04:00", datatype=dt)]
    assert objects(mapped["3"], f"{BASE}e/3", start) == [Literal("2026-07-24T20:00:00Z", datatype=dt)]
    assert not [f for r in mapped.values() for f in r.findings]


def test_a_naive_datetime_without_a_source_time_zone_is_a_warning(tmp_path: Path) -> None:
    mapped = mapped_csv(tmp_path, TIMES_CSV, TIMES_MAPPING)
    [naive] = mapped["1"].findings
    assert (naive.rule, naive.severity, naive.value) == ("naive-datetime", Severity.WARNING, "2026-01-24T20:00:00")
    assert not mapped["3"].findings  # an offset of its own: nothing to say


def test_the_source_time_zone_is_checked_with_the_configuration(tmp_path: Path) -> None:
    config = tmp_path / "culturedata.toml"
    config.write_text('[[sources]]\nid = "s"\nname = "S"\nkind = "csv"\nmapping = "musee-csv"\n'
                      'timezone = "America/Quebec"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="America/Quebec"):
        load_config(config)
    config.write_text(config.read_text(encoding="utf-8").replace("America/Quebec", "America/Toronto"),
                      encoding="utf-8")
    assert load_config(config).source("s").timezone == "America/Toronto"


# --- 2. a mapping field no record has --------------------------------------------------------

TYPO_MAPPING = MULTIVALUE_MAPPING.replace("title: titre", "title: titer")


def test_a_field_no_record_has_is_reported_once_with_the_source_fields_and_a_suggestion(tmp_path: Path) -> None:
    mapping_path = write(tmp_path, "m.yaml", TYPO_MAPPING)
    source = csv_source(tmp_path, CSV, mapping_path)
    coverage = Coverage(load_mapping(str(mapping_path)))
    mapped = list(map_records(coverage.mapping, harvest(source, HarvestOptions()), context(), coverage=coverage))
    assert len(mapped) == 2 and not [f for r in mapped for f in r.findings]  # no record says anything
    [missing] = coverage.findings("s")
    assert (missing.rule, missing.severity, missing.path, missing.value) == (
        "missing-field", Severity.WARNING, "title", "titer")
    assert "'titre'" in missing.text("en") and "« titre »" in missing.text("fr")
    assert "createurs" in missing.text("en")  # the source's actual columns


def test_json_and_xml_fields_never_found_are_reported_too(tmp_path: Path) -> None:
    text = """
format: xml
namespaces: {x: "urn:x"}
fields: {id: "string(x:id)", title: "x:titel"}
entities:
  work:
    iri: "{base}w/{id}"
    properties:
      schema:name: {field: title}
"""
    compiled = load_mapping(str(write(tmp_path, "m.yaml", text)))
    coverage = Coverage(compiled)
    xml = b'<x:w xmlns:x="urn:x"><x:id>1</x:id><x:title>T</x:title></x:w>'
    list(map_records(compiled, [record(xml)], context(), coverage=coverage))
    [missing] = coverage.missing()
    assert (missing.name, missing.suggestion) == ("title", "x:title")


# --- 6. identity ------------------------------------------------------------------------------

def test_two_records_minting_one_iri_for_different_things_collide(tmp_path: Path) -> None:
    csv_text = "id;no;titre\n1;A-1;Le quai\n2;A-1;La scie\n3;A-1;Le quai\n"
    text = MULTIVALUE_MAPPING.replace("{id|slug}", "{no|slug}")  # an IRI keyed on a number that repeats
    identities = Identities()
    mapping_path = write(tmp_path, "m.yaml", text)
    source = csv_source(tmp_path, csv_text, mapping_path)
    mapped = {r.local_id: r for r in map_records(load_mapping(str(mapping_path)), harvest(source, HarvestOptions()),
                                                 context(), identities=identities)}
    assert not mapped["1"].findings and not mapped["3"].findings  # the same thing told twice merges
    [collision] = mapped["2"].findings
    assert (collision.rule, collision.severity, collision.value) == ("identity-collision", Severity.VIOLATION, "s:1")
    [both_records] = identities.findings("s")
    assert "s:1" in both_records.text("en") and "s:2" in both_records.text("fr")

"""No silent loss in the mapping language (issue 16): multi-valued cells, nulls after a split,
YAML keys that look like booleans, dates (BCE, impossible, naive), fields no record has, and two
records minting one IRI. Each test maps real files through the real harvester where one exists."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode

from culturedata.config import Source
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import load_mapping, map_records
from culturedata.records import MappedRecord

from .conftest import BASE, SCHEMA, context, objects, subjects_of_type

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

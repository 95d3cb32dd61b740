"""Where a mapping's values come from in an export (mapping/columns.py): the columns that feed each
property, worked out once per mapping, and the JSON pointer of a record's field."""

from __future__ import annotations

from culturedata.mapping import load_mapping, property_columns
from culturedata.mapping.columns import json_pointer

SCHEMA = "http://schema.org/"
OBJECT = "https://w3id.org/culturedata/ns/qcp#HeritageObject"


def test_the_columns_feeding_a_property_are_the_exports_headers_for_that_kind_of_node() -> None:
    mapping = load_mapping("musee-csv")
    columns = property_columns(mapping)
    assert property_columns(mapping) is columns  # once per mapping
    assert columns.of([OBJECT], SCHEMA + "name") == "titre_fr/titre_en/nom_objet"
    assert columns.of([SCHEMA + "Person"], SCHEMA + "name") == "createur"
    assert columns.of([OBJECT], SCHEMA + "creator") == "createur"  # the column that makes the person exist
    assert columns.of([OBJECT], SCHEMA + "dateCreated") == "date_debut/date_fin"
    assert columns.of([OBJECT], SCHEMA + "additionalType") is None  # no column: the mapping must change
    assert columns.of([], SCHEMA + "contentUrl") == "image_url"  # a node of no known type: any entity's


def test_the_json_pointer_of_a_field() -> None:
    assert json_pointer("$[3]", "adresse.ville") == "/3/adresse/ville"
    assert json_pointer("data.organismes[1]", "site_web") == "/data/organismes/1/site_web"
    assert json_pointer("$", "a/b~c") == "/a~1b~0c"
    assert json_pointer("line 4", "nom") == "/nom"  # a JSON Lines record is a document of its own

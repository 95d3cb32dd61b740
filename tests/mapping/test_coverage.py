"""What `Coverage` reports as never found (issue 16): only real losses, each naming the entity
that reads the field. Alternatives that gave a value, fields of an entity no record makes, and a
field the source has elsewhere are no "did you mean" their own name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from culturedata.config import load_config
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import Coverage, MissingField, load_mapping, map_records
from culturedata.mapping.coverage import SAMPLED, source_names
from culturedata.records import SourceRecord

from .conftest import ROOT, SAMPLES, context, record


def covered(tmp_path: Path, mapping_text: str, records: list[SourceRecord], detailed: bool = False) -> Coverage:
    path = tmp_path / "m.yaml"
    path.write_text(mapping_text, encoding="utf-8")
    coverage = Coverage(load_mapping(str(path)), detailed=detailed)
    list(map_records(coverage.mapping, records, context(), coverage=coverage))
    return coverage


def json_record(payload: dict[str, object], local_id: str) -> SourceRecord:
    return record(payload, local_id, media="application/json")


def facts(missing: list[MissingField]) -> set[tuple[str, tuple[str, ...], bool]]:
    return {(one.name, one.entities, one.each) for one in missing}


# --- the theatre demo: JSON-LD pages through the generic schema-events mapping -----------------

def test_the_theatre_demo_reports_only_what_its_pages_lack() -> None:
    source = load_config(ROOT / "culturedata.toml").source("theatre-deux-rives")
    coverage = Coverage(load_mapping(source.mapping))
    list(map_records(coverage.mapping, harvest(source, HarvestOptions()), context("theatre-deux-rives"),
                     coverage=coverage))
    missing = coverage.missing()
    assert facts(missing) == {
        ("@nodes[Person]", ("person",), True),  # persons only inside events (performers)
        ("eventSchedule[Schedule]", ("schedule",), True),
        ("additionalType", ("event",), False),
        ("description", ("organisation", "venue"), False),  # events have one, organisations and places not
        ("sameAs", ("place", "organizer", "performer"), False),
    }
    pages = "".join(p.read_text(encoding="utf-8") for p in (SAMPLES / "theatre-deux-rives").rglob("*.html"))
    for absent in ("sameAs", "additionalType", "eventSchedule", '"Schedule"'):
        assert absent not in pages  # each finding is true of the data
    [description] = [one for one in missing if one.name == "description"]
    assert description.elsewhere and description.suggestion is None  # never "did you mean 'description'"
    assert all(one.suggestion != one.name for one in missing)
    [schedule] = [one for one in missing if one.name == "eventSchedule[Schedule]"]
    assert schedule.fields == 7
    text = {f.path: f for f in coverage.findings("theatre-deux-rives")}
    assert "so entity schedule (and its 7 fields) was never made" in text["eventSchedule[Schedule]"].text("en")
    assert "l'entité schedule (et ses 7 champs)" in text["eventSchedule[Schedule]"].text("fr")
    assert "not where the mapping reads it for entities organisation, venue" in text["description"].text("en")


# --- a mistyped field still warns, with its suggestion ------------------------------------------

CSV_MAPPING = """
format: csv
fields: {id: id, title: titel_fr}
entities:
  object:
    iri: "{base}id/{source}/objet/{id}"
    properties:
      schema:name: {field: title, lang: fr}
"""


def test_a_mistyped_csv_column_warns_with_the_suggestion_and_its_entity(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(CSV_MAPPING, encoding="utf-8")
    coverage = Coverage(load_mapping(str(path)))
    [finding] = coverage.header(record({"id": "1", "titre_fr": "Le quai"}, media="text/csv"))
    assert (finding.rule, finding.path, finding.value) == ("missing-field", "title", "titel_fr")
    assert "did you mean 'titre_fr'?" in finding.text("en") and "read by entity object" in finding.text("en")
    assert "« titre_fr »" in finding.text("fr") and "lu par l'entité object" in finding.text("fr")


EVENTS = """
format: json
entities:
  event:
    iri: "{base}e/{id}"
    properties:
      schema:name: {field: titel}
      schema:location: {entity: place}
  place:
    within: event
    each: lieu
    iri: "{event}-lieu"
    properties:
      schema:name: {field: nom}
      schema:addressLocality: {field: vile}
"""
EVENT_RECORDS = [json_record({"id": "1", "title": "A", "lieu": {"nom": "Salle", "ville": "Laval"}}, "1"),
                 json_record({"id": "2", "title": "B", "lieu": {"nom": "Parc"}}, "2")]


def test_a_mistyped_field_inside_a_made_entity_warns_naming_that_entity(tmp_path: Path) -> None:
    coverage = covered(tmp_path, EVENTS, EVENT_RECORDS)
    missing = {one.name: one for one in coverage.missing()}
    assert set(missing) == {"titel", "vile"}
    assert (missing["vile"].entities, missing["vile"].suggestion) == (("place",), "lieu.ville")
    assert (missing["titel"].entities, missing["titel"].suggestion) == (("event",), "title")


def test_a_mistyped_each_path_is_reported_once_not_its_fields(tmp_path: Path) -> None:
    coverage = covered(tmp_path, EVENTS.replace("each: lieu", "each: leiu").replace("titel", "title"),
                       EVENT_RECORDS)
    [one] = coverage.missing()
    assert (one.name, one.entities, one.each, one.fields, one.suggestion) == ("leiu", ("place",), True, 2, "lieu")
    [finding] = coverage.findings("s")
    assert finding.text("en").startswith("No record has leiu (the 'each' of entity place), so entity place "
                                         "(and its 2 fields) was never made in the 2 records")


# --- alternatives ------------------------------------------------------------------------------

ALTERNATIVES = """
format: json
entities:
  event:
    iri: "{base}e/{id}"
    properties:
      schema:name: {field: [titre.fr, titre]}
      schema:location:
        - {entity: place}
        - {field: lieu_texte}
  place:
    within: event
    each: lieu
    iri: "{event}-lieu"
"""


def test_an_alternative_is_no_loss_when_another_one_gave_values(tmp_path: Path) -> None:
    coverage = covered(tmp_path, ALTERNATIVES, [json_record({"id": "1", "titre": "A", "lieu": {"n": 1}}, "1")])
    assert coverage.missing() == []  # neither titre.fr nor lieu_texte: their alternatives gave values


def test_alternatives_none_of_which_was_found_are_reported_once_together(tmp_path: Path) -> None:
    coverage = covered(tmp_path, ALTERNATIVES, [json_record({"id": "1", "title": "A"}, "1")])
    assert facts(coverage.missing()) == {("titre.fr", ("event",), False), ("lieu_texte", ("event",), False),
                                         ("lieu", ("place",), True)}
    [title] = [one for one in coverage.missing() if one.name == "titre.fr"]
    assert title.alternatives == ("titre",)
    [finding] = [f for f in coverage.findings("s") if f.path == "titre.fr"]
    assert "nor its alternatives (titre), read by entity event for one value" in finding.text("en")


def test_an_entity_that_is_an_alternative_of_a_value_given_is_not_reported(tmp_path: Path) -> None:
    coverage = covered(tmp_path, ALTERNATIVES, [json_record({"id": "1", "titre": "A", "lieu_texte": "Salle"}, "1")])
    assert coverage.missing() == []  # no `lieu`, but the location came as text


def test_a_json_field_there_but_always_empty_is_said_so_not_suggested_as_itself(tmp_path: Path) -> None:
    coverage = covered(tmp_path, EVENTS.replace("titel", "title").replace("vile", "ville"),
                       [json_record({"id": "1", "title": "A", "lieu": {"nom": "Salle", "ville": ""}}, "1")])
    [one] = coverage.missing()
    assert (one.name, one.entities, one.empty, one.suggestion) == ("ville", ("place",), True, None)
    [finding] = coverage.findings("s")
    assert "is in the source where it is read, but empty (or a null value) in all 1 records" in finding.text("en")


# --- map --coverage: what the mapping never reads ------------------------------------------------

def test_fields_of_nested_entities_count_as_read_from_their_path(tmp_path: Path) -> None:
    payload = {"id": "1", "title": "A", "lieu": {"nom": "Salle", "ville": "Laval", "capacite": 90}}
    coverage = covered(tmp_path, EVENTS.replace("titel", "title").replace("vile", "ville"),
                       [json_record(payload, "1")], detailed=True)
    assert coverage.unread() == [("lieu.capacite", 1)]  # lieu.nom and lieu.ville are read by the place


LOOKUP_CONTEXT = """
mapping: lieux
format: csv
id: id
entities:
  place:
    iri: "{base}id/{source}/lieu/{id}"
    types: [schema:Place]
    properties:
      schema:name: {field: nom}
      schema:containedInPlace:
        - {field: ville, lookup: {scheme: municipalities, else: ignore, context: {postal_code: cp, province: prov}}}
"""


def test_columns_read_only_as_a_lookup_context_count_as_read(tmp_path: Path) -> None:
    row = {"id": "1", "nom": "Salle", "ville": "Laval", "cp": "H7N 1A1", "prov": "QC", "capacite": "90"}
    coverage = covered(tmp_path, LOOKUP_CONTEXT, [record(row, "1")], detailed=True)
    assert coverage.unread() == [("capacite", 1)]  # cp and prov tell the municipality apart: they are read


def test_json_keys_read_only_as_a_lookup_context_count_as_read(tmp_path: Path) -> None:
    mapping = LOOKUP_CONTEXT.replace("format: csv", "format: json").replace("cp, province: prov", "adresse.cp, province: adresse.prov")
    payload = {"id": "1", "nom": "Salle", "ville": "Laval", "adresse": {"cp": "H7N 1A1", "prov": "QC", "rue": "1 rue"}}
    coverage = covered(tmp_path, mapping, [json_record(payload, "1")], detailed=True)
    assert coverage.unread() == [("adresse.rue", 1)]


# --- the watching shortcuts (issue 16) against the plain way --------------------------------------

class EveryCache(Coverage):
    """Coverage as it watched before its shortcuts: every `each` evaluated again for the entities
    not reached yet, every instance's cache intersected with the pending fields."""

    def see(self, run: Any) -> None:
        run.reached = None  # watch_entities then runs each `each` again
        self.records += 1
        if self.unmade and self.pending:
            self.watch_entities(run)
        node = run.root.node
        if self.mapping.format == "csv" and isinstance(node, dict):
            self.pending.difference_update([key for key in self.pending if self.in_row(key, node)])
            if self.pending and self.records <= SAMPLED:
                self.names.update(str(name) for name in node)
            return
        had = [key for key in self.pending & run.root.cache.keys() if run.root.cache[key]]
        for made in run.by_name.values():
            for instance in made:
                had.extend(key for key in self.pending & instance.cache.keys() if instance.cache[key])
        self.pending.difference_update(had)
        if self.pending and self.records <= SAMPLED:
            self.names.update(set(source_names(self.mapping.format, node)))


def test_the_shortcuts_watch_what_every_cache_shows_on_each_demo_source() -> None:
    config = load_config(ROOT / "culturedata.toml")
    for source in config.sources:
        mapping = load_mapping(source.mapping)
        ours, plain = Coverage(mapping), EveryCache(mapping)
        for one in harvest(source, HarvestOptions()):
            for coverage in (ours, plain):
                list(map_records(mapping, [one], context(source.id), coverage=coverage))
        assert ours.records == plain.records > 0, source.id
        assert (ours.pending, ours.unmade, ours.unreached) == (plain.pending, plain.unmade, plain.unreached), source.id
        assert ours.missing() == plain.missing(), source.id


def test_the_shortcuts_see_an_each_that_matched_for_an_entity_its_when_stopped(tmp_path: Path) -> None:
    mapping = ALTERNATIVES.replace('iri: "{event}-lieu"', 'iri: "{event}-lieu"\n    when: ville\n    fields: {ville: ville}')
    records = [json_record({"id": "1", "titre": "A", "lieu": {"nom": "x"}}, "1"),
               json_record({"id": "2", "titre": "B"}, "2")]
    path = tmp_path / "m.yaml"
    path.write_text(mapping, encoding="utf-8")
    ours, plain = Coverage(load_mapping(str(path))), EveryCache(load_mapping(str(path)))
    for coverage in (ours, plain):
        list(map_records(coverage.mapping, records, context(), coverage=coverage))
    assert ours.unreached == plain.unreached == set() and ours.unmade == plain.unmade == {"place"}
    assert ours.missing() == plain.missing() and [one.name for one in ours.missing()] == ["lieu_texte", "ville"]

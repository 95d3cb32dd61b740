"""Shared entities (issue 16): a venue or an address that several records describe is checked
for each of them. Real runs over a CSV export of shows, where a row names its venue and the
venue's IRI is minted from its name, so rows of one venue describe one node."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from culturedata.validate import logged

BASE = "http://127.0.0.1:8000/"
SOURCE = "spectacles"
VENUE = f"{BASE}id/{SOURCE}/lieu/"
SYSTEM = ox.NamedNode(BASE + "graph/system")
RUN = "https://w3id.org/culturedata/ns/run#"

MAPPING = """\
mapping: spectacles-csv
title: {fr: Spectacles, en: Shows}
format: csv
id: id
fields: {id: id, titre: titre, date: date, salle: salle, rue: rue, ville: ville, code_postal: code_postal}
entities:
  event:
    iri: "{base}id/{source}/evenement/{id|slug}"
    types: [schema:Event]
    properties:
      schema:name: {field: titre, lang: fr}
      schema:startDate: {field: date, transform: date}
      schema:location: {entity: venue}
  venue:
    within: event
    iri: "{base}id/{source}/lieu/{salle|slug}"
    types: [schema:Place]
    properties:
      schema:name: {field: salle, lang: fr}
      schema:address: {entity: address}
  address:
    within: venue
    when: rue
    iri: "{venue}-adresse"
    types: [schema:PostalAddress]
    properties:
      schema:streetAddress: {field: rue}
      schema:addressLocality: {field: ville}
      schema:addressRegion: {const: QC}
      schema:postalCode: {field: code_postal}
      schema:addressCountry: {const: CA}
"""
HEADER = "id,titre,date,salle,rue,ville,code_postal\n"
# Salle Nord: no address at all; Salle Est: an address without its postal code; Salle Sud: complete.
ROWS = [
    "n1,Concert un,2026-03-01T20:00:00-05:00,Salle Nord,,,",
    "s1,Concert deux,2026-03-02T20:00:00-05:00,Salle Sud,\"1, rue des Forges\",Trois-Rivières,G9A 0A0",
    "n2,Concert trois,2026-03-03T20:00:00-05:00,Salle Nord,,,",
    "e1,Concert quatre,2026-03-04T20:00:00-05:00,Salle Est,\"2, rue Notre-Dame\",Trois-Rivières,",
    "s2,Concert cinq,2026-03-05T20:00:00-05:00,Salle Sud,\"1, rue des Forges\",Trois-Rivières,G9A 0A0",
    "e2,Concert six,2026-03-06T20:00:00-05:00,Salle Est,\"2, rue Notre-Dame\",Trois-Rivières,",
    "n3,Concert sept,2026-03-07T20:00:00-05:00,Salle Nord,,,",
    "e3,Concert huit,2026-03-08T20:00:00-05:00,Salle Est,\"2, rue Notre-Dame\",Trois-Rivières,",
]
SHARING_AN_INVALID_NODE = {"n1", "n2", "n3", "e1", "e2", "e3"}


def project(root: Path, batch_size: int = 500, policy: str = "violation") -> Path:
    (root / "spectacles.yaml").write_text(MAPPING, encoding="utf-8")
    write_rows(root, ROWS)
    (root / "culturedata.toml").write_text(f"""[publish]
base_iri = "{BASE}"

[validate]
batch_size = {batch_size}

[[sources]]
id = "{SOURCE}"
name = "Salles de spectacle"
kind = "csv"
path = "shows.csv"
mapping = "spectacles.yaml"
language = "fr"
quarantine = "{policy}"
""", encoding="utf-8")
    return root


def write_rows(root: Path, rows: list[str]) -> None:
    (root / "shows.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")


def source_report(root: Path) -> dict:
    path = sorted((root / "var/store/reports").glob("run-*.json"))[-1]
    return next(s for s in json.loads(path.read_text(encoding="utf-8"))["sources"] if s["source"] == SOURCE)


def quarantine_file(root: Path) -> dict[str, dict]:
    return {str(entry["record"]): entry for entry in logged(root / "var/store", SOURCE, "quarantine")}


def current(root: Path) -> ox.Store:
    return ox.Store.read_only(str(root / "var/store/current"))


def published(store: ox.Store) -> set[str]:
    prefix = f"{BASE}graph/{SOURCE}/"
    found = store.quads_for_pattern(None, ox.NamedNode(RUN + "status"), ox.NamedNode(RUN + "Published"), SYSTEM)
    return {q.subject.value.removeprefix(prefix) for q in found if q.subject.value.startswith(prefix)}


def graphs_describing(store: ox.Store, iri: str) -> set[str]:
    """The record graphs of the snapshot with a triple about `iri`."""
    prefix = f"{BASE}graph/{SOURCE}/"
    return {q.graph_name.value.removeprefix(prefix) for q in store.quads_for_pattern(ox.NamedNode(iri), None, None)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != SYSTEM}


# Batches of 2 split each venue's rows across batches: each batch must still report its records.
@pytest.mark.parametrize("batch_size", [500, 2])
def test_every_record_describing_an_invalid_shared_venue_is_reported_and_none_publishes_it(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    monkeypatch.chdir(project(tmp_path, batch_size))
    outcome = cli("run")
    assert outcome.code == 1, outcome.err  # data problems: records were quarantined
    report = source_report(tmp_path)
    assert report["quarantined"] == 6 and report["published"] == 2
    assert {entry["record"] for entry in report["quarantine"]} == SHARING_AN_INVALID_NODE

    kept = quarantine_file(tmp_path)
    assert set(kept) == SHARING_AN_INVALID_NODE
    for record, node, rule in [("n", VENUE + "salle-nord", "Place-located"),
                               ("e", VENUE + "salle-est-adresse", "PostalAddress-postalCode")]:
        for n in "123":
            findings = [f for f in kept[record + n]["findings"] if f["focus"] == node]
            assert [f["rule"].rsplit("/", 1)[1] for f in findings if f["severity"] == "violation"] == [rule]
            for finding in findings:
                assert finding["record"] == record + n
                if batch_size == 500:  # all three in one batch: each is told the node is shared by 3
                    assert finding["shared_by"] == 3
                    assert f"Shared node <{node}>: 3 records" in finding["message"]["en"]
                    assert f"Nœud partagé <{node}> : 3 notices" in finding["message"]["fr"]

    store = current(tmp_path)
    assert published(store) == {"s1", "s2"}
    assert graphs_describing(store, VENUE + "salle-nord") == set()
    assert graphs_describing(store, VENUE + "salle-est") == set()
    assert graphs_describing(store, VENUE + "salle-est-adresse") == set()


def test_a_valid_shared_venue_is_published_by_every_record_that_describes_it(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path))
    write_rows(tmp_path, [row for row in ROWS if ",Salle Sud," in row])
    assert cli("run").code == 0
    assert source_report(tmp_path)["quarantined"] == 0
    store = current(tmp_path)
    assert published(store) == {"s1", "s2"}
    assert graphs_describing(store, VENUE + "salle-sud") == {"s1", "s2"}
    assert graphs_describing(store, VENUE + "salle-sud-adresse") == {"s1", "s2"}
    # Its warnings (no sameAs, no place type) are each record's too, and say the node is shared.
    warned = logged(tmp_path / "var/store", SOURCE, "warnings")
    on_venue = {(e["record"], f["rule"]) for e in warned for f in e["findings"]
                if f["focus"] == VENUE + "salle-sud" and f["shared_by"] == 2}
    assert {record for record, _ in on_venue} == {"s1", "s2"}


def test_with_quarantine_never_the_records_are_published_and_still_each_reported(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The steward's choice to publish everything covers shared nodes too; the report still names each record."""
    monkeypatch.chdir(project(tmp_path, policy="never"))
    cli("run")
    assert published(current(tmp_path)) == {row.split(",", 1)[0] for row in ROWS}
    warned = logged(tmp_path / "var/store", SOURCE, "warnings")
    reported = {e["record"] for e in warned
                if any(f["severity"] == "violation" and f["shared_by"] == 3 for f in e["findings"])}
    assert reported == SHARING_AN_INVALID_NODE


def test_across_runs_a_new_record_with_an_invalid_version_of_a_published_node_is_kept_out_alone(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record s3 arrives with Salle Sud's address lacking its postal code while s1 and s2, unchanged,
    publish the complete one: s3 is checked alone (unchanged records are not checked again) and
    quarantined; s1 and s2 stay published with their own, valid, copy of the node."""
    monkeypatch.chdir(project(tmp_path))
    sud = [row for row in ROWS if ",Salle Sud," in row]
    write_rows(tmp_path, sud)
    assert cli("run").code == 0
    write_rows(tmp_path, [*sud, "s3,Concert neuf,2026-03-09T20:00:00-05:00,Salle Sud,\"1, rue des Forges\","
                                "Trois-Rivières,"])
    assert cli("run").code == 1
    report = source_report(tmp_path)
    assert (report["new"], report["unchanged"], report["quarantined"]) == (1, 2, 1)
    assert {f["rule"].rsplit("/", 1)[1] for f in quarantine_file(tmp_path)["s3"]["findings"]
            if f["severity"] == "violation"} == {"PostalAddress-postalCode"}
    store = current(tmp_path)
    assert published(store) == {"s1", "s2"}
    address = ox.NamedNode(VENUE + "salle-sud-adresse")
    postal = ox.NamedNode("http://schema.org/postalCode")
    assert {q.graph_name.value.rsplit("/", 1)[1] for q in store.quads_for_pattern(address, postal, None)
            if isinstance(q.graph_name, ox.NamedNode)} == {"s1", "s2"}  # the default graph is their merge

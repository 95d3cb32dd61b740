"""The nightly job over the demo configuration: incremental re-runs, changes, deletions and the
drop guard, takedowns, rollback, failed sources, the lock, reports, dump and restore."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest

from culturedata.store import RunLock

FJORD = "musee-fjord-bleu"
CSV = Path("sample_inputs/musee-fjord-bleu/collection.csv")
BASE = "http://127.0.0.1:8000/"
SYSTEM = ox.NamedNode(BASE + "graph/system")
RUN = "https://w3id.org/culturedata/ns/run#"
PROV = "http://www.w3.org/ns/prov#"


def current(project: Path) -> ox.Store:
    return ox.Store.read_only(str(project / "var" / "store" / "current"))


def record_quads(store: ox.Store) -> set[str]:
    """Every quad of every record graph (the system graph's run facts change each run, and the
    default graph, their merge, with them)."""
    return {str(q) for q in store if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != SYSTEM}


def graph(local_id: str, source: str = FJORD) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}graph/{source}/{local_id}")


def status_of(store: ox.Store, local_id: str) -> str | None:
    found = list(store.quads_for_pattern(graph(local_id), ox.NamedNode(RUN + "status"), None, SYSTEM))
    return found[0].object.value.removeprefix(RUN) if found else None


def published_ids(project: Path, source: str = FJORD) -> list[str]:
    """Local ids of the source's published records (which ones pass depends on the shapes)."""
    store = current(project)
    prefix = f"{BASE}graph/{source}/"
    found = store.quads_for_pattern(None, ox.NamedNode(RUN + "status"), ox.NamedNode(RUN + "Published"), SYSTEM)
    return sorted(q.subject.value.removeprefix(prefix) for q in found if q.subject.value.startswith(prefix))


def last_report(project: Path) -> dict:
    return json.loads(sorted((project / "var/store/reports").glob("run-*.json"))[-1].read_text(encoding="utf-8"))


def source_report(project: Path, source: str = FJORD) -> dict:
    return next(s for s in last_report(project)["sources"] if s["source"] == source)


def rewrite_csv(project: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Edit the museum's export the way the museum would: same encoding, same delimiter."""
    path = project / CSV
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp1252"), newline=""), delimiter=";"))
    header, body = rows[0], change(rows[1:])
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *body])
    path.write_bytes(out.getvalue().encode("cp1252"))


def test_second_run_is_incremental_and_publishes_the_same_graphs(cli, demo_project: Path) -> None:
    assert cli("run").code == 1  # the demo data has quarantined records on purpose
    first = record_quads(current(demo_project))
    first_report = source_report(demo_project)
    assert first_report["new"] == first_report["harvested"] - 1  # one duplicate id
    again = cli("run")
    assert again.code == 1
    report = source_report(demo_project)
    assert report["new"] == report["changed"] == report["deleted"] == 0
    assert report["unchanged"] == first_report["new"]
    assert report["published"] == first_report["published"]
    assert report["diff"] == {"published": 0, "quarantined": 0}
    # Unchanged quarantined records are still listed, with the reason found when they were checked.
    carried = [q for q in report["quarantine"] if q.get("unchanged")]
    assert len(carried) == first_report["quarantined"] - 1  # all but the duplicate id
    assert all(q["rule"] and q["message"] for q in carried)
    assert record_quads(current(demo_project)) == first


def test_a_changed_record_replaces_exactly_its_graph(cli, demo_project: Path) -> None:
    cli("run")
    chosen = published_ids(demo_project)[0]
    before = current(demo_project)
    old = {str(q) for q in before.quads_for_pattern(None, None, None, graph(chosen))}
    others = record_quads(before) - old
    del before

    def retitle(rows: list[list[str]]) -> list[list[str]]:
        for row in rows:
            if row and row[0] == chosen:
                row[2] = "Berceau bleu"
        return rows

    rewrite_csv(demo_project, retitle)
    assert cli("run").code == 1
    report = source_report(demo_project)
    assert (report["changed"], report["new"], report["deleted"]) == (1, 0, 0)
    after = current(demo_project)
    new = {str(q) for q in after.quads_for_pattern(None, None, None, graph(chosen))}
    assert any('"Berceau bleu"@fr' in q for q in new)
    assert new != old
    assert record_quads(after) - new == others


def test_a_few_removed_records_are_deleted_with_a_tombstone(cli, demo_project: Path) -> None:
    cli("run")
    chosen = published_ids(demo_project)[0]
    rewrite_csv(demo_project, lambda rows: [r for r in rows if r and r[0] != chosen])
    assert cli("run").code == 1
    assert source_report(demo_project)["deleted"] == 1
    store = current(demo_project)
    assert not store.contains_named_graph(graph(chosen))
    assert status_of(store, chosen) == "Deleted"


def test_the_drop_guard_keeps_yesterdays_data_and_exits_4(cli, demo_project: Path) -> None:
    cli("run")
    yesterday = record_quads(current(demo_project))
    gone = published_ids(demo_project)[-1]
    rewrite_csv(demo_project, lambda rows: [r for r in rows[:20] if r and r[0] != gone])  # half of them vanish
    refused = cli("run")
    assert refused.code == 4
    report = source_report(demo_project)
    assert report["refused"] is True and report["deleted"] == 0
    assert "yesterday's data stays published" in report["error"]
    assert "REFUSED" in refused.err
    assert record_quads(current(demo_project)) == yesterday  # the other source is unchanged too
    # The steward confirms the loss: now it goes through.
    accepted = cli("run", "--allow-drop", FJORD)
    assert accepted.code == 1
    assert source_report(demo_project)["deleted"] > 1
    assert not current(demo_project).contains_named_graph(graph(gone))


def test_a_takedown_stays_out_until_lifted(cli, demo_project: Path) -> None:
    cli("run")
    chosen = published_ids(demo_project)[0]
    done = cli("takedown", f"{FJORD}:{chosen}", "--reason", "Demande de l'ayant droit")
    assert done.code == 0, done.err
    store = current(demo_project)
    assert not store.contains_named_graph(graph(chosen))
    assert status_of(store, chosen) == "TakenDown"
    reasons = store.quads_for_pattern(graph(chosen), ox.NamedNode(RUN + "reason"), None, SYSTEM)
    assert [q.object.value for q in reasons] == ["Demande de l'ayant droit"]
    del store
    assert cli("run").code == 1
    assert source_report(demo_project)["taken_down"] == 1
    assert not current(demo_project).contains_named_graph(graph(chosen))
    assert chosen in cli("takedown", "--list").out
    assert cli("takedown", f"{FJORD}:{chosen}", "--lift").code == 0
    cli("run")
    assert source_report(demo_project)["new"] == 1
    assert current(demo_project).contains_named_graph(graph(chosen))


def test_takedown_needs_a_reason_and_a_known_source(cli, demo_project: Path) -> None:
    assert cli("takedown", f"{FJORD}:10001").code == 2
    assert cli("takedown", "nowhere:1", "--reason", "x").code == 2


def test_rollback_serves_the_previous_snapshot(cli, demo_project: Path) -> None:
    cli("run")
    first = record_quads(current(demo_project))
    chosen = published_ids(demo_project)[0]
    rewrite_csv(demo_project, lambda rows: [r for r in rows if r and r[0] != chosen])
    cli("run")
    assert record_quads(current(demo_project)) != first
    back = cli("rollback")
    assert back.code == 0
    assert record_quads(current(demo_project)) == first
    assert "*" in cli("rollback", "--list").out
    # The harvesters' watermarks did not go back: the next run harvests everything, once.
    cli("run")
    assert all(s["full"] for s in last_report(demo_project)["sources"])
    assert not (demo_project / "var/store/full-harvest-next").exists()


def test_a_source_that_is_down_keeps_its_data_and_does_not_stop_the_others(cli, demo_project: Path) -> None:
    cli("run")
    yesterday = {str(q) for q in current(demo_project) if f"/graph/{FJORD}/" in str(q.graph_name)}
    with socket.socket() as probe:  # a loopback port nobody listens on: the museum's server is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = demo_project / "culturedata.toml"
    config.write_text(config.read_text().replace(
        'path = "sample_inputs/musee-fjord-bleu/collection.csv"',
        f'url = "http://127.0.0.1:{port}/collection.csv"',
    ).replace('options = { encoding = "cp1252", delimiter = ";" }',
              'options = { encoding = "cp1252", delimiter = ";", retries = 1, backoff = 0.05 }'))
    lido = demo_project / "sample_inputs/musee-anse-aux-brumes/lido.xml"
    lido.write_bytes(lido.read_bytes().replace(b"1905", b"1906"))
    outcome = cli("run")
    assert outcome.code == 3, outcome.err
    report = source_report(demo_project)
    assert report["failed"] is True and str(port) in report["error"]
    other = source_report(demo_project, "musee-anse-aux-brumes")
    assert other["failed"] is False and other["changed"] > 0
    after = {str(q) for q in current(demo_project) if f"/graph/{FJORD}/" in str(q.graph_name)}
    assert after == yesterday
    assert "FAILED" in outcome.err


def test_an_unwritable_store_is_a_clear_error(cli, demo_project: Path) -> None:
    (demo_project / "blocked").write_text("a file where the store folder should be")
    config = demo_project / "culturedata.toml"
    config.write_text(config.read_text().replace('path = "var/store"', 'path = "blocked/store"'))
    outcome = cli("run")
    assert outcome.code == 5
    assert "blocked" in outcome.err and "Traceback" not in outcome.err


def test_a_live_lock_refuses_and_a_stale_lock_is_cleared(cli, demo_project: Path) -> None:
    lock = demo_project / "var/store/run.lock"
    host = socket.gethostname()
    RunLock(lock).acquire()  # as a run in progress (this process) holds it
    refused = cli("run")
    assert refused.code == 5 and "Another run holds the lock" in refused.err
    dead = 2**22 + 12345  # above any pid_max default: no such process
    lock.write_text(json.dumps({"pid": dead, "host": host, "started": "2026-01-01T00:00:00"}))
    assert cli("run").code == 1
    assert not lock.exists()


def test_load_waits_its_turn_like_a_run(cli, demo_project: Path) -> None:
    # One writer at a time: a load while a run holds the lock would publish beside it.
    assert cli("run").code in (0, 1)
    snapshots = demo_project / "var/store/snapshots"
    before = sorted(p.name for p in snapshots.iterdir())
    extra = demo_project / "extra.nq"
    extra.write_text(f'<{BASE}id/extra/z> <http://schema.org/name> "Z" <{BASE}graph/extra/1> .\n', encoding="utf-8")
    lock = demo_project / "var/store/run.lock"
    RunLock(lock).acquire()  # as a run in progress (this process) holds it
    refused = cli("load", str(extra))
    assert refused.code == 5 and "Another run holds the lock" in refused.err and "Traceback" not in refused.err
    assert sorted(p.name for p in snapshots.iterdir()) == before  # nothing published
    lock.unlink()
    assert cli("load", str(extra)).code == 0
    assert not lock.exists()  # released once published
    assert sorted(p.name for p in snapshots.iterdir()) != before  # a new snapshot, published


def test_the_report_is_json_and_rdf(cli, demo_project: Path) -> None:
    cli("run")
    report = last_report(demo_project)
    assert report["store"].endswith("var/store") and report["started"] < report["ended"]
    run = ox.NamedNode(BASE + "run/" + report["snapshot"])
    store = current(demo_project)
    assert ox.Quad(run, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                   ox.NamedNode(PROV + "Activity"), SYSTEM) in store
    answer = store.query(f"""SELECT ?published WHERE {{ GRAPH <{SYSTEM.value}> {{
        <{run.value}> <{RUN}sourceReport> ?r . ?r <{RUN}sourceId> "{FJORD}" ; <{RUN}published> ?published }} }}""")
    assert [int(row["published"].value) for row in answer] == [source_report(demo_project)["published"]]


def test_each_record_graph_has_its_provenance(cli, demo_project: Path) -> None:
    cli("run")
    store = current(demo_project)
    chosen = graph(published_ids(demo_project)[0])
    facts = {q.predicate.value: q.object.value for q in store.quads_for_pattern(chosen, None, None, SYSTEM)}
    assert facts[RUN + "status"] == RUN + "Published"
    assert facts[PROV + "wasDerivedFrom"].startswith("file://") and facts[PROV + "wasDerivedFrom"].endswith(".csv")
    assert facts[PROV + "wasGeneratedBy"].startswith(BASE + "run/")
    assert facts["http://purl.org/dc/terms/license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert facts["http://purl.org/dc/terms/publisher"] == f"{BASE}id/{FJORD}/organisation/{FJORD}"
    assert len(facts[RUN + "contentHash"]) == 64


def test_dump_and_restore_give_back_the_same_quads(cli, demo_project: Path, tmp_path: Path) -> None:
    cli("run")
    everything = {str(q) for q in current(demo_project)}
    target = tmp_path / "backup.nq.gz"
    assert cli("dump", "--gzip", "-o", str(target)).code == 0
    dumped = list(ox.parse(gzip.decompress(target.read_bytes()), format=ox.RdfFormat.N_QUADS))
    # every named graph, and not the default graph, which is their merge (made again on restore)
    assert {str(q) for q in dumped} == {str(q) for q in current(demo_project) if isinstance(q.graph_name, ox.NamedNode)}
    turtle = cli("dump", "--format", "ttl")
    triples = list(ox.parse(turtle.out.encode(), format=ox.RdfFormat.TURTLE))
    assert triples and not any(RUN in str(t) for t in triples)  # the union of records, no bookkeeping
    assert list(ox.parse(cli("dump", "--format", "jsonld").out.encode(), format=ox.RdfFormat.JSON_LD))
    cli("takedown", f"{FJORD}:{published_ids(demo_project)[0]}", "--reason", "test")
    restored = cli("restore", str(target))
    assert restored.code == 0, restored.err
    assert {str(q) for q in current(demo_project)} == everything


def test_restore_of_a_bad_file_publishes_nothing(cli, demo_project: Path, tmp_path: Path) -> None:
    cli("run")
    before = os.readlink(demo_project / "var/store/current")
    bad = tmp_path / "broken.nq"
    bad.write_text("<http://a> <http://b> .\n")
    outcome = cli("restore", str(bad))
    assert outcome.code == 2 and "broken.nq" in outcome.err
    assert os.readlink(demo_project / "var/store/current") == before


def test_status_shows_each_source(cli, demo_project: Path) -> None:
    assert "Nothing published yet" in cli("status").out
    cli("run")
    shown = cli("status")
    assert shown.code == 0
    assert FJORD in shown.err and "Last run" in shown.err


@pytest.mark.parametrize("lang, word", [("fr", "Inchangées"), ("en", "Unchanged")])
def test_the_run_table_is_bilingual(cli, demo_project: Path, monkeypatch: pytest.MonkeyPatch, lang: str,
                                    word: str) -> None:
    monkeypatch.setenv("CULTUREDATA_LANG", lang)
    assert word in cli("run").err


def test_a_takedown_during_a_run_is_listed_for_the_next_run(cli, demo_project: Path) -> None:
    cli("run")
    chosen = published_ids(demo_project)[0]
    lock = demo_project / "var/store/run.lock"
    RunLock(lock).acquire()  # as a run in progress (this process) holds it
    deferred = cli("takedown", f"{FJORD}:{chosen}", "--reason", "urgent")
    assert deferred.code == 5 and "next run" in deferred.err
    lock.unlink()
    assert current(demo_project).contains_named_graph(graph(chosen))
    cli("run")
    assert not current(demo_project).contains_named_graph(graph(chosen))
    assert source_report(demo_project)["taken_down"] == 1


def test_a_new_mapping_maps_unchanged_records_again(cli, demo_project: Path) -> None:
    from culturedata.resources import mappings_dir

    mapping = demo_project / "musee.yaml"  # relative to the working directory, as find_mapping reads it
    mapping.write_bytes((mappings_dir() / "musee-csv.yaml").read_bytes())
    config = demo_project / "culturedata.toml"
    config.write_text(config.read_text().replace('mapping = "musee-csv"', 'mapping = "musee.yaml"'))
    cli("run")
    cli("run")
    assert source_report(demo_project)["changed"] == 0
    mapping.write_bytes(mapping.read_bytes() + b"\n# v2: a steward's edit\n")
    cli("run")
    report = source_report(demo_project)
    assert report["unchanged"] == 0 and report["changed"] == report["harvested"] - 1  # all but the duplicate


def test_every_holding_institution_is_described(cli, demo_project: Path) -> None:
    """Objects are qcp:heldBy their source's organisation; its name comes from the configuration."""
    assert cli("run").code == 1
    store = current(demo_project)
    held_by = "https://w3id.org/culturedata/ns/qcp#heldBy"
    holders = {r["o"].value for r in store.query(
        f"SELECT DISTINCT ?o WHERE {{ GRAPH ?g {{ ?s <{held_by}> ?o }} }}")}
    assert f"{BASE}id/{FJORD}/organisation/{FJORD}" in holders
    for holder in holders:
        names = {(r["n"].value, r["n"].language) for r in store.query(
            f"SELECT ?n WHERE {{ GRAPH ?g {{ <{holder}> a <http://schema.org/Organization> ; "
            f"<http://schema.org/name> ?n }} }}")}
        assert {lang for _, lang in names} == {"fr", "en"}, holder
    fjord = {(r["n"].value) for r in store.query(
        f"SELECT ?n WHERE {{ GRAPH <{BASE}graph/{FJORD}> {{ ?o <http://schema.org/name> ?n }} }}")}
    assert fjord == {"Musée du Fjord-Bleu", "Fjord-Bleu Museum"}


def test_a_run_that_fails_leaves_no_staging_and_no_lock(cli, demo_project: Path) -> None:
    store = demo_project / "var/store"
    store.mkdir(parents=True)
    (store / "reports").write_text("a file where the reports folder should be")  # fails inside the write
    outcome = cli("run")
    assert outcome.code == 5 and "reports" in outcome.err and "Traceback" not in outcome.err
    assert not any((store / "staging").iterdir())
    assert not (store / "run.lock").exists()
    assert not (store / "current").exists()


def test_a_takedown_that_fails_leaves_no_staging_and_no_lock(cli, demo_project: Path) -> None:
    store = demo_project / "var/store"
    store.mkdir(parents=True)
    (store / "snapshots").write_text("a file where the snapshots folder should be")  # publishing fails
    outcome = cli("takedown", f"{FJORD}:10001", "--reason", "Demande de l'ayant droit")
    assert outcome.code == 5 and "Traceback" not in outcome.err
    assert not any((store / "staging").iterdir())
    assert not (store / "run.lock").exists()
    assert not (store / "current").exists()


def test_a_run_whose_publication_fails_leaves_no_report_read_as_the_latest_run(cli, demo_project: Path) -> None:
    assert cli("run").code == 1
    store = demo_project / "var/store"
    first = os.readlink(store / "current").rsplit("/", 1)[-1]
    reports = sorted(p.name for p in (store / "reports").iterdir())
    assert reports == [f"run-{first}.json"]
    rewrite_csv(demo_project, lambda rows: rows[:-1])  # something new to publish
    blocker = store / "current.new"  # where the switch of `current` is prepared: publishing fails there
    blocker.mkdir()
    (blocker / "in-the-way").write_text("", encoding="utf-8")
    outcome = cli("run")
    assert outcome.code == 5 and "Traceback" not in outcome.err
    assert sorted(p.name for p in (store / "reports").iterdir()) == reports
    assert [p.name for p in (store / "snapshots").iterdir()] == [first]  # nothing half-published either
    status = cli("status")
    assert status.code == 0 and f"Run {first}" in status.out + status.err
    (blocker / "in-the-way").unlink()
    blocker.rmdir()
    assert cli("run").code == 1  # the next run publishes, and its report is the latest
    latest = sorted((store / "reports").glob("run-*.json"))[-1]
    assert latest.name == f"run-{os.readlink(store / 'current').rsplit('/', 1)[-1]}.json" != reports[0]


def test_a_new_base_iri_rebuilds_from_empty_instead_of_publishing_beside_the_old_graphs(
    cli, demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("run").code == 1
    before = current(demo_project)
    graphs_before = {g.value for g in before.named_graphs()}
    del before
    moved = "http://127.0.0.1:8123/"  # `make run PORT=8123` after a run on :8000
    monkeypatch.setenv("CULTUREDATA_PUBLISH_BASE_IRI", moved)
    outcome = cli("--lang", "fr", "run")
    assert outcome.code == 1, outcome.err
    assert f"publié sous l'IRI de base {BASE}, et non {moved}" in outcome.err
    store = current(demo_project)
    graphs = {g.value for g in store.named_graphs()}
    assert not any(g.startswith(BASE) for g in graphs), sorted(g for g in graphs if g.startswith(BASE))[:5]
    assert graphs == {g.replace(BASE, moved, 1) for g in graphs_before}  # the same graphs, under the new base only
    assert not any(q.subject.value.startswith(BASE) for q in store if isinstance(q.subject, ox.NamedNode))
    del store
    report = last_report(demo_project)
    assert report["rebuilt_from"] == BASE and len(report["notes"]) == 1
    assert moved in report["notes"][0]["en"] and moved in report["notes"][0]["fr"]
    fjord = next(s for s in report["sources"] if s["source"] == FJORD)
    assert fjord["new"] > 0 and fjord["unchanged"] == 0 and fjord["deleted"] == 0 and fjord["full"] is True

    again = cli("run")  # now the served snapshot is under the new base: an ordinary incremental run
    assert again.code == 1 and "base IRI" not in again.err
    report = last_report(demo_project)
    assert report["rebuilt_from"] is None and report["notes"] == []
    assert next(s for s in report["sources"] if s["source"] == FJORD)["new"] == 0

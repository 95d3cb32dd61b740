"""A rollback keeps the takedown list applied: going back to a snapshot older than a takedown
never serves the withdrawn record again. Through the real command line, with the real server
answering over HTTP while the rollback happens."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from culturedata.errors import StoreError
from culturedata.store import Snapshots

FJORD = "musee-fjord-bleu"
BASE = "http://127.0.0.1:8000/"
SYSTEM = ox.NamedNode(BASE + "graph/system")
RUN = "https://w3id.org/culturedata/ns/run#"


@pytest.fixture
def server(project_server: str) -> str:
    return project_server


def served(project: Path) -> ox.Store:
    return ox.Store.read_only(str(project / "var/store/current"))


def published(project: Path) -> list[str]:
    prefix = f"{BASE}graph/{FJORD}/"
    found = served(project).quads_for_pattern(None, ox.NamedNode(RUN + "status"), ox.NamedNode(RUN + "Published"), SYSTEM)
    return sorted(q.subject.value.removeprefix(prefix) for q in found if q.subject.value.startswith(prefix))


def status(project: Path, local_id: str) -> tuple[str | None, list[str]]:
    """The record's status in the served snapshot, and the reasons its tombstone gives."""
    graph = ox.NamedNode(f"{BASE}graph/{FJORD}/{local_id}")
    store = served(project)
    found = [q.object.value.removeprefix(RUN) for q in store.quads_for_pattern(graph, ox.NamedNode(RUN + "status"), None, SYSTEM)]
    reasons = [q.object.value for q in store.quads_for_pattern(graph, ox.NamedNode(RUN + "reason"), None, SYSTEM)]
    return (found[0] if found else None), reasons


def page(base: str, local_id: str) -> int:
    return httpx.get(f"{base}/id/{FJORD}/objet/{local_id}", headers={"Accept": "text/turtle"}, trust_env=False).status_code


def test_a_rollback_past_a_takedown_keeps_the_record_out(cli, demo_project: Path, server: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("run").code == 1  # the demo data has quarantined records on purpose
    (export := demo_project / f"sample_inputs/{FJORD}/collection.csv").write_bytes(
        export.read_bytes().replace(b"Berceau", b"Berceau ancien"))
    assert cli("run").code == 1
    withdrawn = published(demo_project)[0]
    assert page(server, withdrawn) == 200
    assert cli("takedown", f"{FJORD}:{withdrawn}", "--reason", "Demande de l'ayant droit").code == 0
    assert page(server, withdrawn) == 404
    listed = [line[2:] for line in cli("rollback", "--list").out.splitlines()]
    before_takedown = listed[-2]  # the second run's snapshot, which still holds the record

    back = cli("rollback")  # to the snapshot before the current one: the second run's
    assert back.code == 0, back.err
    assert page(server, withdrawn) == 404  # the server follows the rollback, without the record
    assert before_takedown in back.out and f"{FJORD}:{withdrawn}" in back.out
    assert status(demo_project, withdrawn) == ("TakenDown", ["Demande de l'ayant droit"])
    others = [local_id for local_id in published(demo_project) if local_id != withdrawn]
    assert page(server, others[0]) == 200  # the rest of the earlier snapshot is served
    assert b"Berceau ancien" not in httpx.get(f"{server}/sparql", params={
        "query": 'ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "Berceau ancien")) } }'}, trust_env=False).content
    current = (demo_project / "var/store/current").resolve().name
    assert current == f"{before_takedown}-1"  # a reissue of it, served in its place

    # Going back once more goes back in time (to the first run), not to the reissue's origin.
    again = cli("rollback")
    assert again.code == 0, again.err
    assert page(server, withdrawn) == 404
    assert (demo_project / "var/store/current").resolve().name == f"{listed[-3]}-1"
    # Named explicitly, the second run's snapshot is withdrawn from again.
    named = cli("rollback", before_takedown)
    assert named.code == 0 and page(server, withdrawn) == 404
    assert (demo_project / "var/store/current").resolve().name == f"{before_takedown}-2"


def test_a_rollback_with_nothing_listed_serves_the_snapshot_itself(cli, demo_project: Path, server: str) -> None:  # type: ignore[no-untyped-def]
    cli("run")
    first = (demo_project / "var/store/current").resolve().name
    (export := demo_project / f"sample_inputs/{FJORD}/collection.csv").write_bytes(
        export.read_bytes().replace(b"Berceau", b"Berceau ancien"))
    cli("run")
    back = cli("rollback")
    assert back.code == 0 and back.out.strip() == f"Snapshot {first} is served again."
    assert (demo_project / "var/store/current").resolve().name == first
    assert page(server, published(demo_project)[0]) == 200


def test_reissues_sort_after_their_snapshot_and_before_the_next_run(tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path, keep=20)
    runs = []
    for _ in range(2):
        staging = snapshots.begin()
        snapshots.publish(staging, optimize=False)
        runs.append(staging.id)
    reissues = []
    for _ in range(10):
        staging = snapshots.begin(reissue=runs[0])
        snapshots.publish(staging, optimize=False)
        reissues.append(staging.id)
    assert reissues == [f"{runs[0]}-{n}" for n in range(1, 11)]
    assert [p.name for p in snapshots.published()] == [runs[0], *reissues, runs[1]]  # -10 after -9
    # Back from the reissue -10: no reissue of the same run is earlier; back from the next run: the latest reissue.
    assert snapshots.current() == tmp_path / "snapshots" / reissues[-1]
    with pytest.raises(StoreError, match="No earlier snapshot"):
        snapshots.earlier()
    snapshots.rollback(runs[1])
    assert snapshots.earlier() == reissues[-1]

"""`culturedata serve --processes N`: several processes on one port, answering as one server.

What they share must stay whole: a publication reaches every process, and /metrics counts the
requests of all of them whichever process a scrape reaches."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from harness import BASE, SCHEMA, demo_quads, publish
from test_query_workers import descendants

from culturedata.store import Snapshots
from serveprocess import free_port, start_culturedata, start_serve, stop

JSON = {"Accept": "application/sparql-results+json"}
NAME = f"SELECT ?name WHERE {{ <{BASE}id/musee-test/objet/1> <{SCHEMA}name> ?name }}"


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """(base URL, supervisor process, store root) of `culturedata serve --processes 2` over the demo data."""
    root = tmp_path / "var" / "store"
    publish(root, demo_quads())
    (tmp_path / "culturedata.toml").write_text(
        f'[publish]\nbase_iri = "{BASE}"\n[store]\npath = "var/store"\n[server]\nresponse_cache_mb = 0\n',
        encoding="utf-8")
    base, process = start_serve(tmp_path, "--processes", "2")
    yield base, process, root
    stop(process)


def serving(supervisor: int) -> set[int]:
    """The supervisor's serving processes: its children started by multiprocessing's spawn."""
    found = set()
    for pid in descendants(supervisor):
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if parent == supervisor and b"spawn_main" in command:
            found.add(pid)
    return found


def names(base: str) -> set[str]:
    """The names of object 1, asked on a new connection (which either process may accept)."""
    answer = httpx.get(base + "/sparql", params={"query": NAME}, headers=JSON, timeout=30)
    assert answer.status_code == 200, answer.text
    return {row["name"]["value"] for row in answer.json()["results"]["bindings"]}


def sparql_requests(base: str) -> float:
    text = httpx.get(base + "/metrics", timeout=30).text
    found = re.findall(r'culturedata_http_requests_total\{method="GET",route="/sparql",status="200"\} (\S+)', text)
    return sum(float(value) for value in found)


@pytest.mark.slow
def test_several_processes_serve_one_port_and_count_their_requests_together(two_processes) -> None:  # type: ignore[no-untyped-def]
    base, process, _ = two_processes
    # Two serving processes under the supervisor, each with its own query workers.
    assert len(serving(process.pid)) == 2
    for _ in range(40):
        assert names(base) == {"Objet 1", "Object 1"}
    # Every scrape, whichever process answers it, counts the 40 lookups of both processes (and the
    # start-up probe): a per-process count would differ from one scrape to the next.
    counts = {sparql_requests(base) for _ in range(12)}
    assert counts == {41.0}, counts


@pytest.mark.slow
def test_a_publication_reaches_every_process(two_processes) -> None:  # type: ignore[no-untyped-def]
    base, _, root = two_processes
    for _ in range(10):  # each process has opened the first snapshot
        assert names(base) == {"Objet 1", "Object 1"}
    snapshots = Snapshots(root)
    staging = snapshots.begin()  # a copy of the served snapshot, as a run makes
    assert staging.store is not None
    subject, name = ox.NamedNode(f"{BASE}id/musee-test/objet/1"), ox.NamedNode(SCHEMA + "name")
    for quad in list(staging.store.quads_for_pattern(subject, name, None, None)):
        staging.store.remove(quad)
    staging.store.add(ox.Quad(subject, name, ox.Literal("Renommé", language="fr"), ox.NamedNode(f"{BASE}graph/musee-test/1")))
    snapshots.publish(staging)
    # Twenty new connections, spread over both processes by the kernel: none answers from the old snapshot.
    assert all(names(base) == {"Renommé"} for _ in range(20))


def test_the_query_workers_are_shared_out_between_the_processes() -> None:
    from culturedata.server import ServerSettings

    assert ServerSettings(query_workers=4).shared_by(2).query_workers == 2
    assert ServerSettings(query_workers=3).shared_by(2).query_workers == 2  # rounded up: none goes without
    assert ServerSettings(query_workers=1).shared_by(4).query_workers == 1
    assert ServerSettings(query_workers=4).shared_by(1).query_workers == 4


@pytest.mark.slow
def test_a_checked_export_downloads_from_either_process(two_processes) -> None:  # type: ignore[no-untyped-def]
    """The validation page checks in one process; its download link may reach the other."""
    base, _, _ = two_processes
    export = "id,titre_fr,nom_objet\n1,Canot,canot\n2,,raquette\n"
    page = httpx.post(base + "/validate", data={"profile": "mapping:musee-csv"},
                      files={"file": ("export.csv", export.encode("utf-8"), "text/csv")}, timeout=60)
    assert page.status_code == 200, page.text
    token = re.search(r"report=([\w-]+)", page.text)
    assert token is not None
    # New connections, spread over both processes by the kernel: every one finds the report.
    answers = [httpx.get(base + "/validate/report.json", params={"report": token.group(1)}, timeout=30)
               for _ in range(12)]
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1


@pytest.mark.slow
def test_run_then_serve_serves_from_one_process_per_core(demo_project: Path) -> None:
    """`culturedata run --serve` serves as `culturedata serve` does, on every core."""
    port = free_port()
    config = demo_project / "culturedata.toml"
    text = config.read_text(encoding="utf-8")
    assert "\nport = 8000\n" in text  # the demo's [server] port, moved to a free one
    config.write_text(text.replace("\nport = 8000\n", f"\nport = {port}\n", 1), encoding="utf-8")
    base, process = start_culturedata(demo_project, ["run", "--serve"], port, startup=180)
    try:
        assert len(serving(process.pid)) == (os.cpu_count() or 1)
        answer = httpx.get(base + "/sparql", params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}, headers=JSON,
                           timeout=30)
        assert answer.json()["boolean"] is True  # the run's snapshot, published before serving
    finally:
        stop(process)

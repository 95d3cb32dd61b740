"""The README's promise: the demo job publishes a snapshot that the endpoint serves.

Runs the real command line as a subprocess, then `culturedata serve` on a free port, and
asks the exact query the README shows.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

README_QUERY = "SELECT (COUNT(*) AS ?n) WHERE {GRAPH ?g {?s ?p ?o}}"
OBJECT = "http://127.0.0.1:8000/id/musee-fjord-bleu/objet/10001"


def culturedata(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "culturedata", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ask(port: int, query: str, accept: str = "application/sparql-results+json") -> requests.Response:
    return requests.get(f"http://127.0.0.1:{port}/sparql?query={quote(query)}", headers={"Accept": accept}, timeout=30)


@pytest.fixture
def served(demo_project: Path):  # type: ignore[no-untyped-def]
    first = culturedata("run", cwd=demo_project)
    # The demo holds deliberately broken records: they are quarantined, hence exit 1.
    assert first.returncode == 1, first.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "culturedata", "serve", "--port", str(port)],
        cwd=demo_project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/-/versions", timeout=1)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_demo_run_is_served_over_sparql(served: int, demo_project: Path) -> None:
    answer = ask(served, README_QUERY)
    assert answer.status_code == 200
    count = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    assert count > 100

    names = ask(served, f"SELECT ?name WHERE {{ <{OBJECT}> <http://schema.org/name> ?name }}").json()
    values = {(b["name"]["value"], b["name"].get("xml:lang")) for b in names["results"]["bindings"]}
    assert ("Schooner at the wharf, La Baie", "en") in values

    # The record without an accession number was quarantined, not published.
    missing = ask(served, "ASK { <http://127.0.0.1:8000/id/musee-fjord-bleu/objet/10012> ?p ?o }").json()
    assert missing["boolean"] is False


@pytest.mark.slow
def test_second_run_publishes_the_same_graphs(served: int, demo_project: Path) -> None:
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = ask(served, graphs).json()["results"]["bindings"][0]["n"]["value"]
    again = culturedata("run", cwd=demo_project)
    assert again.returncode == 1, again.stderr
    # The server notices the new snapshot by itself and reopens it.
    after = ask(served, graphs).json()["results"]["bindings"][0]["n"]["value"]
    assert after == before
    snapshots = sorted((demo_project / "var" / "store" / "snapshots").iterdir())
    assert len(snapshots) == 2
    assert (demo_project / "var" / "store" / "current").resolve() == snapshots[-1]


def test_status_after_a_run(cli, demo_project: Path) -> None:
    assert cli("run").code == 1
    outcome = cli("status")
    assert outcome.code == 0
    assert "musee-fjord-bleu" in outcome.err + outcome.out

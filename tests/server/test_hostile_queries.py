"""No query text can crash `culturedata serve` or make it connect elsewhere (issue 15, items 1 and 3).

The server runs as its own process here: the queries below kill pyoxigraph's parser with SIGSEGV,
so a guard that let one through would end the server, not this test run."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from harness import demo_quads, publish

from serveprocess import start_serve

NESTED = "SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000
EXISTS = "SELECT * WHERE { FILTER(" + "EXISTS { FILTER(" * 1000 + "true" + ") }" * 1000 + ") }"
MINUSES = "SELECT * WHERE { ?s ?p ?o " + "MINUS {?s ?p ?o} " * 4000 + "}"
UNIONS = "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 8000) + " }"
ORDINARY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    publish(tmp_path / "var" / "store", demo_quads())
    (tmp_path / "culturedata.toml").write_text('[store]\npath = "var/store"\n', encoding="utf-8")
    base, process = start_serve(tmp_path, startup=30)
    yield base, process
    process.terminate()
    process.wait(10)


@pytest.mark.slow
@pytest.mark.parametrize("text", [NESTED, EXISTS, MINUSES, UNIONS], ids=["nested", "exists", "minus", "union"])
def test_a_query_that_crashes_the_parser_is_refused_and_the_server_lives(server, text: str) -> None:  # type: ignore[no-untyped-def]
    base, process = server
    if len(text) < 8000:
        answer = httpx.get(base + "/sparql", params={"query": text}, timeout=30)
    else:
        answer = httpx.post(base + "/sparql", content=text.encode(),
                            headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert answer.status_code == 400, answer.text
    assert "Traceback" not in answer.text and "/" + "tmp" not in answer.text
    assert process.poll() is None, "the server died"
    french = httpx.post(base + "/sparql", content=text.encode(), timeout=30,
                        headers={"Content-Type": "application/sparql-query", "Accept-Language": "fr"})
    assert french.status_code == 400 and "requête" in french.text
    ordinary = httpx.get(base + "/sparql", params={"query": ORDINARY},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert ordinary.status_code == 200 and int(ordinary.json()["results"]["bindings"][0]["n"]["value"]) > 0


@pytest.mark.slow
def test_service_reaches_no_one(server) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(1.0)
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        for query in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}"):
            answer = httpx.get(base + "/sparql", params={"query": query}, timeout=30)
            assert answer.status_code == 400 and "SERVICE" in answer.text, answer.text
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody came

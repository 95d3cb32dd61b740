"""Mutated requests against a real `culturedata serve` process: SPARQL queries (GET, POST, form),
uploads to the validation page, /id/ paths, graph names. The server runs as its own process, so
a crash (pyoxigraph's parser has segfaulted on deep queries) shows as a dead process, not a dead
test run. Per request: never a 500, never a traceback; per case: the server alive and its
memory (with any worker processes) under the bound."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from culturedata.cli import main
from serveprocess import start_serve, stop

from .conftest import count, failed, fuzz_settings
from .mutate import mutated_bytes, mutated_query, to_toml
from .seeds import file_seeds, queries
from .test_fuzz_run import small_config

MAX_SERVER_RSS = 1024 * 1024 * 1024
# Longer than the server's own query deadline: a request still unanswered by then is a hang.
REQUEST_TIMEOUT = 45
ACCEPTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/turtle",
           "application/ld+json", "text/html", "*/*", "application/n-triples", "text/tab-separated-values",
           "application/xml;q=0.1, text/*;q=0.9, */*;q=0", "", "x/y", "text/html;q=abc"]
ENTITY_BASE = "/id/"


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    client: httpx.Client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The small demo project, run once and served on a free port."""
    project = tmp_path_factory.mktemp("served")
    (project / "culturedata.toml").write_bytes(to_toml(small_config(project)))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CULTUREDATA_")}
    environment["LANG"] = "C.UTF-8"
    # The run in this process (a second interpreter's imports cost seconds of the suite's minute).
    with pytest.raises(SystemExit) as ran:
        main(["--quiet", "--config", str(project / "culturedata.toml"), "run"])
    assert ran.value.code in (0, 1)
    base, process = start_serve(project, env=environment)
    with httpx.Client(timeout=REQUEST_TIMEOUT, trust_env=False) as client:
        yield Server(base, process, client)
    stop(process)


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its descendants (the query workers), in bytes."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def check_answer(kind: str, server: Server, send: httpx.Request, case: bytes) -> None:
    """One request: answered, not with 500 or a traceback; the server alive and within its memory."""
    try:
        try:
            answer = server.client.send(send)
        except (httpx.ReadError, httpx.RemoteProtocolError):
            # A kept-alive connection the server closed after its previous answer: ask once more.
            answer = server.client.send(send)
    except httpx.TransportError as exc:
        if server.process.poll() is not None:
            failed(kind, f"the server died (exit {server.process.returncode}) on this request", case)
            pytest.fail("the server is dead; the remaining cases cannot run")
        failed(kind, f"no answer: {type(exc).__name__}", case)
        return
    if answer.status_code == 500:
        failed(kind, f"500: {answer.text[-300:]}", case)
    elif "Traceback" in answer.text:
        failed(kind, f"traceback in a {answer.status_code}: {answer.text[-300:]}", case)
    elif server.process.poll() is not None:
        failed(kind, f"the server died (exit {server.process.returncode})", case)
        pytest.fail("the server is dead; the remaining cases cannot run")
    elif (rss := tree_rss(server.process.pid)) > MAX_SERVER_RSS:
        failed(kind, f"server RSS {rss // 2**20} MiB", case)
    else:
        count(kind)


def query_text() -> st.SearchStrategy[bytes]:
    return mutated_query(queries())


@fuzz_settings(examples=30)
@given(data=st.data())
def test_mutated_sparql_queries(server: Server, data: st.DataObject) -> None:
    case = data.draw(query_text(), label="query")
    accept = data.draw(st.sampled_from(ACCEPTS), label="accept")
    how = data.draw(st.sampled_from(["get", "post", "form"]), label="how")
    headers = {"Accept": accept} if accept else {}
    url = server.base + "/sparql"
    if how == "get" and len(case) < 6000:
        request = server.client.build_request("GET", url + "?query=" + quote_from_bytes(case), headers=headers)
    elif how == "form":
        body = b"query=" + quote_from_bytes(case).encode()
        request = server.client.build_request("POST", url, content=body, headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"})
    else:
        content_type = data.draw(st.sampled_from(["application/sparql-query", "application/sparql-query; charset=latin-1",
                                                  "text/plain", "application/sparql-update"]), label="type")
        request = server.client.build_request("POST", url, content=case, headers={**headers, "Content-Type": content_type})
    check_answer(f"server sparql {how}", server, request, case)


@fuzz_settings(examples=10)
@given(data=st.data())
def test_mutated_uploads(server: Server, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(sorted(file_seeds())), label="kind")
    seed = file_seeds()[kind]
    case = data.draw(mutated_bytes(list(seed.seeds)), label="upload")
    suffix = data.draw(st.sampled_from([seed.suffix, seed.suffix, ".csv", ".xml", ".json", ".pdf", ""]), label="suffix")
    name = data.draw(st.sampled_from(["export", "../../etc/passwd", "é x", "a" * 300, "\x00"]), label="name")
    profile = data.draw(st.sampled_from([f"mapping:{seed.mapping}", "source:musee-fjord-bleu", "mapping:nope", "",
                                         "source:../x"]), label="profile")
    path = data.draw(st.sampled_from(["/validate", "/validate/report.json", "/validate/report.csv",
                                      "/validate/report.html", "/validate/report.ttl", "/validate/report.x"]), label="path")
    request = server.client.build_request("POST", server.base + path, data={"profile": profile},
                                          files={"file": (name + suffix, case)})
    check_answer("server upload", server, request, case)


@fuzz_settings(examples=20)
@given(data=st.data())
def test_mutated_entity_paths_and_graph_names(server: Server, data: st.DataObject) -> None:
    seeds = [b"reseau-culture-laurentides/organisation/reseau-culture-laurentides", b"musee-fjord-bleu/objet/10001",
             b"theatre-deux-rives/evenement/1", b""]
    case = data.draw(mutated_bytes(seeds), label="path")[:4000]
    where = data.draw(st.sampled_from(["id", "id", "store", "query", "dumps", "regions", "search", "reconcile"]), label="where")
    accept = data.draw(st.sampled_from(ACCEPTS), label="accept")
    headers = {"Accept": accept} if accept else {}
    if where == "id":
        url = server.base + ENTITY_BASE + quote_from_bytes(case, safe="/")
    elif where == "store":
        url = server.base + "/store?graph=" + quote_from_bytes(b"http://127.0.0.1:8000/graph/" + case)
    elif where == "regions":  # a region's code, kind and page are the visitor's
        url = (server.base + "/regions/" + quote_from_bytes(case[:40], safe="") + "?kind="
               + quote_from_bytes(case[-40:]) + "&page=" + quote_from_bytes(case[:30]))
    elif where == "reconcile":  # OpenRefine's parameters, with any text in them
        url = (server.base + "/reconcile?queries=" + quote_from_bytes(b'{"q":{"query":"' + case + b'"}}')
               if len(case) % 2 else server.base + "/reconcile/suggest/entity?prefix=" + quote_from_bytes(case))
    elif where == "search":  # the words, the facets and the page are the visitor's
        url = (server.base + "/search?q=" + quote_from_bytes(case) + "&type=" + quote_from_bytes(case[:60])
               + "&page=" + quote_from_bytes(case[:20]) + "&format=" + ("json" if len(case) % 2 else "html"))
    elif where == "query":
        url = server.base + "/query?query=" + quote_from_bytes(case) + "&example=" + quote(case.decode("latin-1"))
    else:
        url = server.base + "/dumps/" + quote_from_bytes(case, safe="")
    check_answer(f"server {where} path", server, server.client.build_request("GET", url, headers=headers), case)


@pytest.mark.parametrize("path", ["%00", "a%20b", "%22", "%3C", "%7B", "%FF", "%25"])
def test_an_entity_path_that_is_no_iri(server: Server, path: str) -> None:
    answer = server.client.get(server.base + ENTITY_BASE + path)
    assert answer.status_code in (400, 404), answer.text[:300]

"""The same demo run written to a real Oxigraph server and a real Virtuoso gives the same
quads as the embedded store, and a second run against them is incremental."""

from __future__ import annotations

import socket
from pathlib import Path

import pyoxigraph as ox
import pytest

from culturedata.store import Endpoints, RemoteTarget

BASE = "http://127.0.0.1:8000/"
SYSTEM = BASE + "graph/system"
RUN = "https://w3id.org/culturedata/ns/run#"
STABLE = (  # system facts that do not depend on when or by which run
    RUN + "status", RUN + "contentHash", RUN + "source", "http://purl.org/dc/terms/identifier",
    "http://purl.org/dc/terms/license", "http://purl.org/dc/terms/publisher", "http://www.w3.org/ns/prov#wasDerivedFrom",
)
REFERENCE = BASE + "graph/_reference/"
POOLING = BASE + "graph/_pooling"
# The reference graphs (vocabularies) are compared by size: Virtuoso answers 10,000 rows at most.
RECORDS = f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?g), "{BASE}graph/") && ?g != <{SYSTEM}> && !STRSTARTS(STR(?g), "{REFERENCE}")) }}"""
SIZES = f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{REFERENCE}")) }}
  GROUP BY ?g"""
FACTS = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{SYSTEM}> {{ ?s ?p ?o }} }}"


def embedded(project: Path) -> tuple[set[str], set[str]]:
    store = ox.Store.read_only(str(project / "var/store/current"))
    # the merged default graph (store/merged.py) is the embedded snapshot's own: a remote store has its own default graph
    # and a run writing to a remote store skips pooling (docs/pooling.md): no pooling graph to compare
    records = {str(q) for q in store if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != SYSTEM
               and not q.graph_name.value.startswith(REFERENCE) and q.graph_name.value != POOLING}
    facts = {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(SYSTEM))
             if q.predicate.value in STABLE}
    return records, facts


def remote(target: RemoteTarget) -> tuple[set[str], set[str]]:
    records = {str(ox.Quad(r["s"], r["p"], r["o"], r["g"])) for r in target.select_terms(RECORDS)}  # type: ignore[arg-type]
    facts = {str(ox.Triple(r["s"], r["p"], r["o"])) for r in target.select_terms(FACTS)  # type: ignore[arg-type]
             if r["p"].value in STABLE}
    return records, facts


def use(remote_store, monkeypatch: pytest.MonkeyPatch) -> RemoteTarget:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CULTUREDATA_STORE_UPDATE_ENDPOINT", remote_store.update)
    monkeypatch.setenv("CULTUREDATA_STORE_GRAPH_ENDPOINT", remote_store.graph_store)
    monkeypatch.setenv("CULTUREDATA_STORE_AUTH", remote_store.auth)
    if remote_store.user:
        monkeypatch.setenv("CULTUREDATA_STORE_USER", remote_store.user)
        monkeypatch.setenv("CULTUREDATA_STORE_PASSWORD", remote_store.password)
    endpoints = Endpoints.guess(remote_store.query, remote_store.update, remote_store.graph_store, remote_store.auth)
    return RemoteTarget(endpoints, SYSTEM)


def check_same_as_embedded(cli, project: Path, remote_store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assert cli("run").code == 1
    local_records, local_facts = embedded(project)
    target = use(remote_store, monkeypatch)
    outcome = cli("run", "--store", remote_store.query)
    assert outcome.code == 1, outcome.err
    remote_records, remote_facts = remote(target)
    assert len(local_records) > 500
    assert remote_records == local_records
    assert remote_facts == local_facts
    local_sizes = {str(r["g"].value): int(r["n"].value)
                   for r in ox.Store.read_only(str(project / "var/store/current")).query(SIZES)}  # type: ignore[union-attr]
    assert local_sizes and {r["g"].value: int(r["n"].value) for r in target.select_terms(SIZES)} == local_sizes
    # The second run reads the hashes back from the remote system graph: nothing to map.
    assert cli("run", "--store", remote_store.query).code == 1
    assert _unchanged_only(project)
    assert remote(target)[0] == local_records
    # One record graph through the Graph Store Protocol is the embedded one.
    store = ox.Store.read_only(str(project / "var/store/current"))
    graph = next(g for g in store.named_graphs() if "/graph/musee-fjord-bleu/" in g.value)
    expected = {str(q.triple) for q in store.quads_for_pattern(None, None, None, graph)}
    assert expected and {str(t) for t in target.graph(graph.value)} == expected


def _unchanged_only(project: Path) -> bool:
    import json

    report = json.loads(sorted((project / "var/store/reports").glob("run-*.json"))[-1].read_text())
    # Sources whose harvest is incremental (sitemap lastmod) may send nothing at all.
    sources = report["sources"]
    return all(s["new"] == 0 and s["changed"] == 0 for s in sources) and sum(s["unchanged"] for s in sources) > 0


@pytest.mark.slow
def test_oxigraph_server_gets_the_same_quads(cli, demo_project: Path, oxigraph_server,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    check_same_as_embedded(cli, demo_project, oxigraph_server, monkeypatch)


@pytest.mark.slow
def test_virtuoso_gets_the_same_quads(cli, demo_project: Path, virtuoso_server,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    check_same_as_embedded(cli, demo_project, virtuoso_server, monkeypatch)


@pytest.mark.slow
def test_on_a_remote_store_the_drop_guard_withholds_deletions(cli, demo_project: Path, oxigraph_server,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    target = use(oxigraph_server, monkeypatch)
    assert cli("run", "--store", oxigraph_server.query).code == 1
    before = remote(target)[0]
    export = demo_project / "sample_inputs/musee-fjord-bleu/collection.csv"
    lines = export.read_bytes().split(b"\r\n")
    export.write_bytes(b"\r\n".join(lines[:12]) + b"\r\n")  # most of the museum's rows vanish
    refused = cli("run", "--store", oxigraph_server.query)
    assert refused.code == 4
    assert "no record was removed" in refused.err
    assert remote(target)[0] == before


def test_an_unreachable_remote_store_is_a_clear_error(cli, demo_project: Path) -> None:
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/query"
    outcome = cli("run", "--store", url)
    assert outcome.code == 5
    assert "cannot be reached" in outcome.err and "Traceback" not in outcome.err


@pytest.mark.slow
def test_a_takedown_reaches_the_remote_store(cli, demo_project: Path, oxigraph_server,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    target = use(oxigraph_server, monkeypatch)
    assert cli("run", "--store", oxigraph_server.query).code == 1
    # A record's graph: the system graph knows its key (a source's provider graph has none).
    rows = target.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} GRAPH <{SYSTEM}> {{ ?g <http://purl.org/dc/terms/identifier> ?key }} }}"
    )
    graph = sorted(row["g"] for row in rows)[0]
    key = target.subject_facts(graph)["http://purl.org/dc/terms/identifier"]
    assert cli("takedown", key, "--reason", "retrait", "--store", oxigraph_server.query).code == 0
    assert not target.graph(graph)
    assert target.subject_facts(graph)[RUN + "status"] == RUN + "TakenDown"
    assert cli("run", "--store", oxigraph_server.query).code == 1
    assert not target.graph(graph)

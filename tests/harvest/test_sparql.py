"""Paged CONSTRUCT against a real Oxigraph server (PyPI `oxigraph`, test extra) on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from harvest_peers import FAST, make_source

from culturedata.errors import ConfigError
from culturedata.harvest import HarvestOptions, harvest

QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the oxigraph server (pip package `oxigraph`, test extra) is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        triples = "".join(
            f"<http://ex.example/o{n:02d}> <http://schema.org/name> \"Objet {n}\"@fr .\n" for n in range(25)
        )
        requests.post(base + "/store?default", data=triples.encode(),
                      headers={"Content-Type": "application/n-triples"}, timeout=5).raise_for_status()
        yield base + "/query"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_construct_query_in_pages(endpoint):
    source = make_source("sparql", url=endpoint, query=QUERY, page_size=10, **FAST)
    records = list(harvest(source, HarvestOptions()))
    assert [r.local_id for r in records] == ["page-1", "page-2", "page-3"]
    assert [r.location for r in records] == ["page 1", "page 2", "page 3"]
    lines = [line for r in records for line in r.payload.decode().splitlines()]
    assert len(lines) == len(set(lines)) == 25
    assert records[0].media_type == "application/n-triples"


def test_a_query_with_its_own_limit_is_refused(endpoint):
    source = make_source("sparql", url=endpoint, query=QUERY + " LIMIT 5")
    with pytest.raises(ConfigError):
        list(harvest(source, HarvestOptions()))

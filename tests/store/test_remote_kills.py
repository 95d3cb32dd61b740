"""On a remote store a run writes as it goes, so its harvest state may move on only once the
whole run has been written: runs killed at random moments, then a clean run, leave the remote
store with exactly the source's records (the embedded trials are tests/test_pipeline_kills.py)."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pytest
from test_remote import BASE, SYSTEM, use

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "harvest")]
from harvest_peers import serve_wsgi  # noqa: E402

from culturedata.store import RemoteTarget  # noqa: E402
from kill_peers import Catalogue, RestPeer, kill_runs, write_config  # noqa: E402

RUN = "https://w3id.org/culturedata/ns/run#"
TRIALS = 6
TITLES = f"""SELECT ?g ?o WHERE {{
  GRAPH <{SYSTEM}> {{ ?g <{RUN}status> <{RUN}Published> }}
  FILTER(STRSTARTS(STR(?g), "{BASE}graph/kt/"))
  OPTIONAL {{ GRAPH ?g {{ ?s ?p ?o FILTER(isLiteral(?o) && STRSTARTS(STR(?o), "Objet KT-")) }} }}
}}"""


def published_titles(target: RemoteTarget) -> tuple[int, set[str]]:
    rows = target.select_terms(TITLES)
    return len({row["g"].value for row in rows}), {row["o"].value for row in rows if "o" in row}


@pytest.mark.slow
def test_killed_runs_on_a_remote_store_never_lose_records(cli, tmp_path: Path, oxigraph_server,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = use(oxigraph_server, monkeypatch)
    monkeypatch.chdir(tmp_path)
    catalogue = Catalogue()
    catalogue.change(random.Random(0), new=8, updated=0)
    peer = RestPeer(catalogue)
    rng = random.Random("kill-remote")
    with serve_wsgi(peer) as base:
        write_config(tmp_path, peer, base)
        assert cli("run", "--store", oxigraph_server.query).code == 0
        assert published_titles(target) == (8, catalogue.titles())
        span = 0.3 + 2 * (time.monotonic() - peer.first_since(0))
        for trial in range(TRIALS):
            kills = kill_runs(tmp_path, peer, rng, span, "--store", oxigraph_server.query)
            assert cli("run", "--store", oxigraph_server.query).code == 0
            expected = catalogue.titles()
            count, titles = published_titles(target)
            assert (count, titles) == (len(expected), expected), (
                f"trial {trial} (killed {kills} s after the first request; span {span:.2f} s): "
                f"missing {sorted(expected - titles)}, stale {sorted(titles - expected)}"
            )

"""SIGKILL incremental runs at random moments, over real servers on 127.0.0.1 whose records
change between runs: after a final clean run the published records are the source's, always.

A harvester's state (OAI-PMH checkpoint and watermark, REST and JSON-LD pages watermarks, a
URL file's ETag / Last-Modified) must not move past records that were never published: a
run killed between the state write and the publication would otherwise make every later run
skip them. Each kind gets `TRIALS` trials on one project: the source changes (new records,
new versions of old ones), `python -m culturedata run` starts and is killed at a seeded
random moment after its first request (once or twice, the source changing again between),
then a clean run must publish exactly the source's current records.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "harvest"))
from harvest_peers import serve_wsgi  # noqa: E402

from kill_peers import BASE, PEERS, Catalogue, Peer, kill_runs, write_config  # noqa: E402

SYSTEM = ox.NamedNode(BASE + "graph/system")
STATUS = ox.NamedNode("https://w3id.org/culturedata/ns/run#status")
PUBLISHED = ox.NamedNode("https://w3id.org/culturedata/ns/run#Published")
TRIALS = 8  # per kind: 32 in all


def published_titles(project: Path) -> tuple[int, set[str]]:
    """How many of the source's records the served snapshot publishes, and their titles."""
    store = ox.Store.read_only(str(project / "var/store/current"))
    graphs = [q.subject for q in store.quads_for_pattern(None, STATUS, PUBLISHED, SYSTEM)
              if q.subject.value.startswith(BASE + "graph/kt/")]
    titles = {
        q.object.value for graph in graphs for q in store.quads_for_pattern(None, None, None, graph)
        if isinstance(q.object, ox.Literal) and q.object.value.startswith("Objet KT-")
    }
    return len(graphs), titles


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Peer, Path]]:
    catalogue = Catalogue()
    catalogue.change(random.Random(0), new=8, updated=0)
    peer: Peer = PEERS[request.param](catalogue)
    with serve_wsgi(peer) as base:
        write_config(tmp_path, peer, base)
        yield peer, tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("served", sorted(PEERS), indirect=True)
def test_killed_incremental_runs_never_lose_records(served: tuple[Peer, Path], cli: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    peer, project = served
    monkeypatch.chdir(project)
    rng = random.Random(f"kill-{peer.kind}")
    before = peer.requests
    assert cli("run").code == 0  # the first, full harvest; the trials' runs are incremental
    assert published_titles(project) == (8, peer.catalogue.titles())
    # Kills land from a run's first request to about when it would have published.
    span = 0.3 + 2 * (time.monotonic() - peer.first_since(before))
    for trial in range(TRIALS):
        kills = kill_runs(project, peer, rng, span)
        assert cli("run").code == 0
        expected = peer.catalogue.titles()
        count, titles = published_titles(project)
        assert (count, titles) == (len(expected), expected), (
            f"{peer.kind} trial {trial} (killed {kills} s after the first request; span {span:.2f} s): "
            f"missing {sorted(expected - titles)}, stale {sorted(titles - expected)}"
        )

"""The W3C SPARQL 1.1 Protocol test suite, replayed against a running server.

Each test gets a fresh writable server (updates on, the bearer token added to every
request: the suite does not know about authentication) with the test's graph data loaded.
Results are reported in docs/conformance.md.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from harness import TOKEN, publish
from w3c_manifest import read_manifest, replay

from shareddata import SHARED_DATA

ROOT = SHARED_DATA / "w3c-sparql11" / "protocol"
CASES = read_manifest(ROOT / "manifest.ttl") if (ROOT / "manifest.ttl").is_file() else []
# Tests we fail, each with its reason (kept in step with docs/conformance.md).
KNOWN_FAILURES: dict[str, str] = {}


def _params():  # type: ignore[no-untyped-def]
    for case in CASES:
        marks = [pytest.mark.xfail(reason=KNOWN_FAILURES[case.name], strict=True)] if case.name in KNOWN_FAILURES else []
        yield pytest.param(case, id=case.name, marks=marks)


@pytest.mark.skipif(not CASES, reason="../shared/data/w3c-sparql11/protocol is not present")
@pytest.mark.parametrize("case", list(_params()))
def test_protocol(case, serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quads = []
    for file, graph in case.data:
        quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
                  for t in ox.parse(path=str(file), format=ox.RdfFormat.N_TRIPLES)]
    snapshots = publish(tmp_path / "store", quads)
    base = serve(snapshots, updates=True, update_token=TOKEN)
    replay(case, base, {"/sparql/": "/sparql"}, {"authorization": f"Bearer {TOKEN}"})

"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests, replayed against a running server.

The manifests' `/gsp` prefix is our `/store`; with direct identification the graph IRI is
the request URL. Each test starts from an empty
writable store (the tests' expected statuses assume it, e.g. 201 for a first PUT). Results are reported in docs/conformance.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import TOKEN, publish
from w3c_manifest import read_manifest, replay

from shareddata import SHARED_DATA

ROOT = SHARED_DATA / "w3c-sparql11" / "graph-store-protocol"
MANIFESTS = ["manifest-direct.ttl", "manifest-indirect.ttl"]
CASES = [case for name in MANIFESTS if (ROOT / name).is_file() for case in read_manifest(ROOT / name)]
# Tests we fail, each with its reason (kept in step with docs/conformance.md).
KNOWN_FAILURES: dict[str, str] = {}


def _params():  # type: ignore[no-untyped-def]
    for case in CASES:
        marks = [pytest.mark.xfail(reason=KNOWN_FAILURES[case.name], strict=True)] if case.name in KNOWN_FAILURES else []
        yield pytest.param(case, id=case.name, marks=marks)


@pytest.mark.skipif(not CASES, reason="../shared/data/w3c-sparql11/graph-store-protocol is not present")
@pytest.mark.parametrize("case", list(_params()))
def test_graph_store(case, serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = serve(publish(tmp_path / "store", []), updates=True, update_token=TOKEN)
    replay(case, base, {"/gsp": "/store"}, {"authorization": f"Bearer {TOKEN}"})

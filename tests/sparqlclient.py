"""Asking a running server's /sparql over HTTP, as the tests that check its answers do."""

from __future__ import annotations

import httpx


def ask(base: str, query: str) -> list[dict[str, dict[str, str]]]:
    """The JSON bindings of a SELECT sent to `base`/sparql (the answer must be 200)."""
    answer = httpx.get(f"{base}/sparql", params={"query": query}, trust_env=False, timeout=60,
                       headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text[:300]
    bindings: list[dict[str, dict[str, str]]] = answer.json()["results"]["bindings"]
    return bindings

"""GET queries on the hot path (hotpath.py): validators, the answer cache, quick shapes run inline."""

from __future__ import annotations

import math
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from harness import BASE, demo_quads, publish, running

from culturedata.server import create_app
from culturedata.server.answers import AnswerCache, none_match
from culturedata.server.inline import PROOF, InlinePolicy, bounded, shape_of
from culturedata.server.settings import ServerSettings
from culturedata.store import Snapshots

NAME = f"SELECT ?n WHERE {{ <{BASE}id/musee-test/objet/3> <http://schema.org/name> ?n }} ORDER BY ?n"
JSON = {"Accept": "application/sparql-results+json"}
# Empty (and quick) for an unknown IRI; 25 million rows for an object of the demo data.
CROSS = "SELECT * WHERE {{ GRAPH ?g {{ <{x}> ?b ?c }} GRAPH ?h {{ ?d ?e ?f }} GRAPH ?i {{ ?x ?y ?z }} ?p ?q ?r }}"


def test_answers_carry_a_validator_and_revalidate_to_304(demo_server: str, client: httpx.Client) -> None:
    url = demo_server + "/sparql"
    first = client.get(url, params={"query": NAME}, headers=JSON)
    assert first.status_code == 200 and "Object 3" in first.text
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["vary"] == "Accept, Origin"
    again = client.get(url, params={"query": NAME}, headers={**JSON, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    # Another representation of the same query has another validator.
    csv = client.get(url, params={"query": NAME}, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert csv.status_code == 200 and csv.headers["etag"] != tag
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    # ?format= negotiates like Accept.
    by_format = client.get(url, params={"query": NAME, "format": "csv"})
    assert by_format.headers["etag"] == csv.headers["etag"] and by_format.text == csv.text


def test_a_new_publication_changes_the_validator(demo_server: str, demo_snapshots: Snapshots, client: httpx.Client) -> None:
    url = demo_server + "/sparql"
    query = "SELECT ?o WHERE { <http://e/s> <http://e/p> ?o }"
    before = client.get(url, params={"query": query}, headers=JSON)
    assert before.json()["results"]["bindings"] == []
    staging = demo_snapshots.begin()
    assert staging.store is not None
    staging.store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("new"), ox.NamedNode("http://e/g")))
    demo_snapshots.publish(staging)
    after = client.get(url, params={"query": query}, headers={**JSON, "If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert after.json()["results"]["bindings"][0]["o"]["value"] == "new"


def test_answers_that_change_each_time_are_never_reused(demo_server: str, client: httpx.Client) -> None:
    url = demo_server + "/sparql"
    query = "SELECT (STRUUID() AS ?u) WHERE {}"
    first, second = (client.get(url, params={"query": query}, headers=JSON) for _ in range(2))
    assert "etag" not in first.headers
    assert first.json()["results"]["bindings"][0]["u"] != second.json()["results"]["bindings"][0]["u"]


def test_cross_origin_queries_keep_their_cors_headers(demo_server: str, client: httpx.Client) -> None:
    response = client.get(demo_server + "/sparql", params={"query": NAME}, headers={**JSON, "Origin": "https://example.org"})
    assert response.status_code == 200 and "Object 3" in response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == "Location"


def test_errors_on_the_hot_path_read_as_on_the_route(demo_server: str, client: httpx.Client) -> None:
    url = demo_server + "/sparql"
    malformed = client.get(url, params={"query": "SELECT WHERE {"}, headers={"Accept-Language": "fr"})
    assert malformed.status_code == 400 and malformed.headers["vary"] == "Origin"
    assert "etag" not in malformed.headers
    refused = client.get(url, params={"query": NAME}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    two = client.get(url + "?query=ASK%7B%7D&query=ASK%7B%7D")
    assert two.status_code == 400


def serve_app(tmp_path: Path, **settings: object):  # type: ignore[no-untyped-def]
    app = create_app(publish(tmp_path / "store", demo_quads()), ServerSettings(base_iri=BASE, **settings))  # type: ignore[arg-type]
    return app, running(app)


def test_repeated_queries_are_answered_from_the_bounded_cache(tmp_path: Path, client: httpx.Client) -> None:
    app, server = serve_app(tmp_path, response_cache_bytes=1_000_000)
    with server as base:
        bodies = {client.get(base + "/sparql", params={"query": NAME}, headers=JSON).content for _ in range(3)}
        assert len(bodies) == 1 and len(app.state.answers) == 1
    app, server = serve_app(tmp_path / "off", response_cache_bytes=0)
    with server as base:
        assert client.get(base + "/sparql", params={"query": NAME}, headers=JSON).status_code == 200
        assert len(app.state.answers) == 0


def test_quick_shapes_run_inline_and_a_runaway_goes_back_to_the_threads(tmp_path: Path, client: httpx.Client) -> None:
    app, server = serve_app(tmp_path, query_timeout=0.5)
    shape = shape_of(CROSS.format(x="http://e/none"))
    assert not bounded(shape)  # never inline as shipped: a join over variable subjects
    app.state.inline.eligible = lambda _: True  # here: to see the deadline stop it on the loop
    with server as base:
        url = base + "/sparql"
        for i in range(PROOF):
            quick = client.get(url, params={"query": CROSS.format(x=f"http://e/none{i}")}, headers=JSON)
            assert quick.json()["results"]["bindings"] == []
        assert app.state.inline.allows(shape)
        started = time.monotonic()
        runaway = client.get(url, params={"query": CROSS.format(x=f"{BASE}id/musee-test/objet/3")}, headers=JSON)
        # Stopped inline after 50 ms, answered again on a query thread under the full budget.
        assert runaway.status_code == 503 and "0.5 s" in runaway.text
        assert time.monotonic() - started < 5
        assert not app.state.inline.allows(shape)
        small = client.get(url, params={"query": "ASK {}"}, headers=JSON)
        assert small.json()["boolean"] is True


@pytest.mark.parametrize(("query", "inline"), [
    ("CONSTRUCT { <http://a/b> ?p ?o } WHERE { GRAPH ?g { <http://a/b> ?p ?o } }", True),
    ("DESCRIBE <http://a/b>", True),
    ("SELECT ?p ?o WHERE { <http://a/b> ?p ?o } LIMIT 100", True),
    ("PREFIX s: <http://schema.org/> SELECT ?n WHERE { <http://x> s:name ?n ; a ?t . }", True),
    ("SELECT ?n WHERE { <http://x> <http://p> ?n } ORDER BY ?n", False),
    ("SELECT (COUNT(*) AS ?n) WHERE { <http://x> ?p ?o }", False),
    ('SELECT ?o WHERE { <http://x> ?p ?o FILTER(?o = "z") }', False),
    ("SELECT ?s WHERE { ?s a <http://t> }", False),
    ("SELECT ?o WHERE { <http://x> <http://p>* ?o }", False),
    ("SELECT ?o WHERE { <http://x> ?p ?o . ?o ?q ?r }", False),
])
def test_only_descriptions_of_one_subject_may_run_inline(query: str, inline: bool) -> None:
    """The deadline is checked at each row written: a shape that may compute long between
    rows must never hold the event loop, however quick it was with other IRIs."""
    policy = InlinePolicy(proof=1)
    policy.record(shape_of(query), 0.001)
    assert bounded(shape_of(query)) is inline
    assert policy.allows(shape_of(query)) is inline


def test_inline_policy_learns_from_runs() -> None:
    policy = InlinePolicy(quick=0.005, slow=0.05, proof=3, capacity=2, eligible=lambda _: True)
    for _ in range(2):
        policy.record("a", 0.001)
    assert not policy.allows("a")
    policy.record("a", 0.001)
    assert policy.allows("a")
    policy.record("a", 0.01)  # a slow run (a busy machine): prove it again
    assert not policy.allows("a")
    for _ in range(3):
        policy.record("a", 0.001)
    assert policy.allows("a")
    policy.record("a", math.inf)  # stopped: back to the threads for good
    for _ in range(10):
        policy.record("a", 0.001)
    assert not policy.allows("a")
    for _ in range(3):
        policy.record("b", 0.001)
        policy.record("c", 0.001)  # over capacity: never learnt
    assert policy.allows("b") and not policy.allows("c")


def test_shapes_blank_terms_but_keep_numbers() -> None:
    one = shape_of('SELECT * WHERE { <http://e/1> ?p "un" } LIMIT 10')
    assert one == shape_of("SELECT * WHERE { <http://e/2> ?p 'deux' } LIMIT 10")
    assert one != shape_of('SELECT * WHERE { <http://e/1> ?p "un" } LIMIT 10000')


def test_answer_cache_is_bounded_and_least_recently_used_goes_first() -> None:
    cache = AnswerCache(max_bytes=2_400)  # each entry below costs 503 bytes with its key and overhead
    for i in range(4):
        cache.put(("s", "b", f"q{i}", "json"), ("application/json", b"x" * 200))
    assert cache.get(("s", "b", "q0", "json")) is not None  # q0 is now the most recent
    cache.put(("s", "b", "q4", "json"), ("application/json", b"x" * 200))
    assert cache.size <= 2_400 and len(cache) == 4
    assert cache.get(("s", "b", "q1", "json")) is None and cache.get(("s", "b", "q0", "json")) is not None
    cache.put(("s", "b", "big", "json"), ("application/json", b"x" * 1_000))  # over a quarter: not kept
    assert cache.get(("s", "b", "big", "json")) is None


def test_if_none_match_compares_weakly() -> None:
    assert none_match('"x", W/"abc"', 'W/"abc"')
    assert none_match('"abc"', 'W/"abc"')
    assert none_match("*", 'W/"abc"')
    assert not none_match('W/"abd"', 'W/"abc"')

"""The SPARQL 1.1 Protocol at /sparql over real HTTP: operations, formats, errors, limits."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyoxigraph as ox
import pytest
from harness import BASE, TOKEN

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# 4 million rows out of 2,000 triples: far more than any test budget allows.
HEAVY = "SELECT * WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } ?x ?y ?z }"


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_get_post_form_and_post_direct_agree(demo_server: str, client: httpx.Client) -> None:
    url = demo_server + "/sparql"
    by_get = count(client.get(url, params={"query": COUNT}))
    by_form = count(client.post(url, data={"query": COUNT}))
    by_direct = count(client.post(url, content=COUNT, headers={"Content-Type": "application/sparql-query"}))
    # The default graph is the union of the graphs, system graph included (documented).
    assert by_get == by_form == by_direct == 5 + 30 * 6


def test_head_answers_as_get_without_a_body(demo_server: str, client: httpx.Client) -> None:
    """HEAD /sparql?query=… answered 415 (it was read as a POST without a media type)."""
    url = demo_server + "/sparql"
    got = client.get(url, params={"query": COUNT})
    head = client.head(url, params={"query": COUNT})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]
    assert client.head(url, params={"query": "SELECT ?x WHERE {"}).status_code == 400


@pytest.mark.parametrize(
    ("accept", "media", "marker"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
        ("text/csv", "text/csv", "name\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", "?name\n"),
    ],
)
def test_select_results_follow_accept(demo_server: str, client: httpx.Client, accept: str, media: str, marker: str) -> None:
    query = f'SELECT ?name WHERE {{ <{BASE}id/musee-test/objet/3> <http://schema.org/name> ?name FILTER(LANG(?name) = "en") }}'
    response = client.get(demo_server + "/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert marker in response.text and "Object 3" in response.text


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_results_follow_accept(demo_server: str, client: httpx.Client, accept: str, fmt: ox.RdfFormat) -> None:
    query = "CONSTRUCT { ?s <http://schema.org/name> ?n } WHERE { ?s <http://schema.org/name> ?n }"
    response = client.get(demo_server + "/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert len(list(ox.parse(response.content, fmt))) == 61


def test_query_naming_its_own_dataset_is_not_widened_to_the_union(demo_server: str, client: httpx.Client) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/musee-test/1> WHERE {{ ?s ?p ?o }}"
    assert count(client.get(demo_server + "/sparql", params={"query": query})) == 4


def test_protocol_dataset_replaces_the_union(demo_server: str, client: httpx.Client) -> None:
    params = {"query": COUNT, "default-graph-uri": [f"{BASE}graph/musee-test/1", f"{BASE}graph/musee-test/2"]}
    assert count(client.get(demo_server + "/sparql", params=params)) == 8


def test_malformed_query_is_400_with_the_parser_message(demo_server: str, client: httpx.Client) -> None:
    response = client.get(demo_server + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    assert "Malformed SPARQL at line 1, column " in response.text and "expected" in response.text


def test_error_bodies_speak_french_on_request(demo_server: str, client: httpx.Client) -> None:
    response = client.get(demo_server + "/sparql", params={"query": "SELEC"}, headers={"Accept-Language": "fr-CA"})
    assert response.status_code == 400
    assert "SPARQL mal formé" in response.text


def test_unacceptable_media_type_is_406(demo_server: str, client: httpx.Client) -> None:
    response = client.get(demo_server + "/sparql", params={"query": COUNT}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_updates_are_refused_when_off(demo_server: str, client: httpx.Client) -> None:
    update = "INSERT DATA { <http://e/s> <http://e/p> 1 }"
    response = client.post(demo_server + "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    put = client.put(demo_server + "/store?graph=http://e/g", content="<http://e/s> <http://e/p> 1 .",
                     headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
    assert put.status_code == 403


def test_updates_need_the_bearer_token(serve, demo_snapshots, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    url = serve(demo_snapshots, updates=True, update_token=TOKEN) + "/sparql"
    update = "INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> 1 } }"
    assert client.post(url, data={"update": update}).status_code == 401
    assert client.post(url, data={"update": update}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post(url, data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 204
    ask = client.get(url, params={"query": "ASK { GRAPH <http://e/g> { <http://e/s> <http://e/p> 1 } }"})
    assert ask.json()["boolean"] is True
    # The published snapshot itself is untouched: the writes went to <store>/live.
    snapshot = ox.Store.read_only(str(demo_snapshots.current()))
    assert not snapshot.contains_named_graph(ox.NamedNode("http://e/g"))


def test_timeout_really_stops_the_work(serve, demo_snapshots, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    url = serve(demo_snapshots, query_timeout=0.5) + "/sparql"
    started = time.monotonic()
    # As many runaway queries as the server has query threads: if a timed-out query kept
    # running, the pool would stay full and the small query after them would never be served.
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: client.get(url, params={"query": HEAVY}), range(8)))
    assert {r.status_code for r in responses} == {503}
    assert "0.5 s" in responses[0].text
    small = client.get(url, params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
    assert small.json()["boolean"] is True
    assert time.monotonic() - started < 10


def test_result_size_cap_stops_the_work(serve, demo_snapshots, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    url = serve(demo_snapshots, max_result_bytes=50_000) + "/sparql"
    response = client.get(url, params={"query": HEAVY})
    assert response.status_code == 503
    assert "50000 bytes" in response.text
    assert count(client.get(url, params={"query": COUNT})) > 0


def test_cors_allows_any_origin(demo_server: str, client: httpx.Client) -> None:
    preflight = client.options(demo_server + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://example.org")
    response = client.get(demo_server + "/sparql", params={"query": COUNT}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_service_description_void_and_dcat(demo_server: str, client: httpx.Client, demo_snapshots) -> None:  # type: ignore[no-untyped-def]
    sd = client.get(demo_server + "/sparql", headers={"Accept": "text/turtle"})
    assert sd.status_code == 200
    graph = ox.Store()
    graph.load(sd.content, ox.RdfFormat.TURTLE)
    assert graph.query("ASK { ?s a <http://www.w3.org/ns/sparql-service-description#Service> ; "
                       "<http://www.w3.org/ns/sparql-service-description#endpoint> ?e }")
    dumps = demo_snapshots.root / "dumps"
    dumps.mkdir()
    (dumps / "culturedata.nq").write_text("<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n")
    void = client.get(demo_server + "/.well-known/void", headers={"Accept": "application/n-triples"})
    data = ox.Store()
    data.load(void.content, ox.RdfFormat.N_TRIPLES)
    triples = next(iter(data.query("SELECT ?n WHERE { ?d <http://rdfs.org/ns/void#triples> ?n }")))["n"].value
    assert int(triples) == 5 + 30 * 4  # the system graph is not counted
    download = next(iter(data.query(
        "SELECT ?u WHERE { ?c a <http://www.w3.org/ns/dcat#Catalog> ; <http://www.w3.org/ns/dcat#dataset> ?d . "
        "?d <http://www.w3.org/ns/dcat#distribution> ?x . ?x <http://www.w3.org/ns/dcat#downloadURL> ?u }")))["u"].value
    assert download.endswith("/dumps/culturedata.nq")
    fetched = client.get(download)
    assert fetched.status_code == 200 and "<http://e/s>" in fetched.text
    assert client.get(demo_server + "/dumps/..%2Fcurrent").status_code == 404


def test_no_snapshot_yet_is_503(serve, tmp_path, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    from culturedata.store import Snapshots

    url = serve(Snapshots(tmp_path / "empty")) + "/sparql"
    response = client.get(url, params={"query": COUNT})
    assert response.status_code == 503
    assert "culturedata run" in response.text


def test_a_new_publication_is_served_without_restart(demo_server: str, demo_snapshots, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    url = demo_server + "/sparql"
    before = count(client.get(url, params={"query": COUNT}))
    staging = demo_snapshots.begin()
    staging.store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("new"), ox.NamedNode("http://e/g")))
    demo_snapshots.publish(staging)
    assert count(client.get(url, params={"query": COUNT})) == before + 1
    assert json.loads(client.get(demo_server + "/-/versions").text)["snapshot"] == staging.id

"""/robots.txt, the sitemaps (valid against the protocol's own schemas, split past 50,000 URLs),
/healthz and /metrics, on a real server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from harness import BASE, publish
from lxml import etree
from prometheus_client.parser import text_string_to_metric_families

from culturedata.server.crawlers import PAGE_SIZE
from culturedata.store import Snapshots

SCHEMAS = Path(__file__).parent / "schemas"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def valid(body: bytes, schema: str) -> etree._Element:
    document = etree.fromstring(body)
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
    assert xsd.validate(document), xsd.error_log
    return document


def test_robots_names_the_sitemap(demo_server: str, client: httpx.Client) -> None:
    answer = client.get(demo_server + "/robots.txt")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    lines = answer.text.splitlines()
    assert "User-agent: *" in lines and f"Sitemap: {BASE}sitemap.xml" in lines
    assert "Disallow: /sparql" in lines


def test_sitemap_lists_the_entities_and_is_valid(demo_server: str, client: httpx.Client) -> None:
    document = valid(client.get(demo_server + "/sitemap.xml").content, "sitemap.xsd")
    locations = [loc.text for loc in document.iter(f"{SITEMAP}loc")]
    assert f"{BASE}id/musee-test/objet/0" in locations and len(locations) == len(set(locations)) == 32


@pytest.mark.slow
def test_past_50000_urls_the_sitemap_is_an_index_of_pages(tmp_path: Path, serve, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    graph = ox.NamedNode(BASE + "graph/big/1")
    name = ox.NamedNode("http://schema.org/name")
    quads = (ox.Quad(ox.NamedNode(f"{BASE}id/big/objet/{i:06d}"), name, ox.Literal(f"Objet {i}"), graph)
             for i in range(PAGE_SIZE + 1))
    url = serve(publish(tmp_path / "store", quads))
    index = valid(client.get(url + "/sitemap.xml").content, "siteindex.xsd")
    pages = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert pages == [f"{BASE}sitemaps/1.xml", f"{BASE}sitemaps/2.xml"]
    first = valid(client.get(url + "/sitemaps/1.xml").content, "sitemap.xsd")
    second = valid(client.get(url + "/sitemaps/2.xml").content, "sitemap.xsd")
    listed = [loc.text for page in (first, second) for loc in page.iter(f"{SITEMAP}loc")]
    assert len(listed) == len(set(listed)) == PAGE_SIZE + 1
    assert client.get(url + "/sitemaps/3.xml").status_code == 404
    assert client.get(url + "/sitemaps/0.xml").status_code == 404


def test_healthz_answers_with_the_snapshot(demo_server: str, client: httpx.Client) -> None:
    answer = client.get(demo_server + "/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["snapshot"] and body["age_seconds"] >= 0


def test_healthz_without_a_snapshot_is_unavailable(tmp_path: Path, serve, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    url = serve(Snapshots(tmp_path / "empty"))
    assert client.get(url + "/healthz").status_code == 503


def test_metrics_count_requests_by_route_and_show_the_snapshot(demo_server: str, client: httpx.Client) -> None:
    client.get(demo_server + "/sparql", params={"query": "ASK {}"})
    client.get(demo_server + "/sparql", params={"query": "ASK {}"})
    for hostile in ("/nope", "/%00", "/" + "x" * 500):
        client.get(demo_server + hostile)
    text = client.get(demo_server + "/metrics").text
    families = {family.name: family for family in text_string_to_metric_families(text)}
    requests = {tuple(sorted(s.labels.items())): s.value for s in families["culturedata_http_requests"].samples
                if s.name.endswith("_total")}
    assert requests[(("method", "GET"), ("route", "/sparql"), ("status", "200"))] == 2
    # Invented paths share one label: a visitor cannot grow the number of series.
    routes = {dict(key)["route"] for key in requests}
    assert "other" in routes and not any("nope" in route or "xxx" in route for route in routes)
    assert [s.labels["snapshot"] for s in families["culturedata_snapshot_info"].samples]
    assert families["culturedata_snapshot_age_seconds"].samples[0].value >= 0
    assert "culturedata_http_request_duration_seconds" in families
    assert "culturedata_query_timeouts" in families

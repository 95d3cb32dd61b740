"""Linked Data over real HTTP: entity IRIs dereference as pages and as RDF; the sitemap."""

from __future__ import annotations

import json
import re

import httpx
import pyoxigraph as ox
from harness import BASE

OBJECT = "id/musee-test/objet/7"


def test_entity_page_for_people(demo_server: str, client: httpx.Client) -> None:
    response = client.get(f"{demo_server}/{OBJECT}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                                                             "Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<h1 id="entity-name">Object 7</h1>' in html
    assert "creativecommons.org/publicdomain/zero/1.0/" in html  # the licence, from the system graph
    assert "collection.csv" in html  # where it came from
    # Our own IRIs link to this server, wherever it runs.
    assert f'href="{demo_server}/id/musee-test/organisation/musee-test"' in html
    assert "Musée d&#39;essai" in html  # the linked organisation is shown by its name
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert embedded is not None
    data = json.loads(embedded.group(1))  # schema.org for search engines: one node, plain strings
    assert data["@id"] == BASE + OBJECT and data["@context"] == "https://schema.org"
    assert data["name"] == "Object 7" and data["@type"] == "CreativeWork"


def test_entity_page_speaks_french(demo_server: str, client: httpx.Client) -> None:
    html = client.get(f"{demo_server}/{OBJECT}", headers={"Accept": "text/html", "Accept-Language": "fr-CA,fr"}).text
    assert '<h1 id="entity-name">Objet 7</h1>' in html and "Provenance" in html


def test_entity_as_turtle_by_accept_and_by_suffix(demo_server: str, client: httpx.Client) -> None:
    by_accept = client.get(f"{demo_server}/{OBJECT}", headers={"Accept": "text/turtle"})
    by_suffix = client.get(f"{demo_server}/{OBJECT}.ttl")
    for response in (by_accept, by_suffix):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/turtle")
        triples = list(ox.parse(response.content, ox.RdfFormat.TURTLE))
        assert {t.subject.value for t in triples} == {BASE + OBJECT}
        assert len(triples) == 4


def test_entity_as_jsonld(demo_server: str, client: httpx.Client) -> None:
    response = client.get(f"{demo_server}/{OBJECT}.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    assert len(list(ox.parse(response.content, ox.RdfFormat.JSON_LD))) == 4


def test_curl_gets_rdf_not_html(demo_server: str, client: httpx.Client) -> None:
    response = client.get(f"{demo_server}/{OBJECT}", headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/html") is False


def test_unknown_entity_is_404_in_both_forms(demo_server: str, client: httpx.Client) -> None:
    assert client.get(f"{demo_server}/id/musee-test/objet/999", headers={"Accept": "text/html"}).status_code == 404
    assert client.get(f"{demo_server}/id/musee-test/objet/999.ttl").status_code == 404


def test_sitemap_lists_entity_pages(demo_server: str, client: httpx.Client) -> None:
    response = client.get(demo_server + "/sitemap.xml")
    assert response.status_code == 200
    locations = re.findall(r"<loc>(.*?)</loc>", response.text)
    assert BASE + OBJECT in locations
    assert BASE + "id/musee-test/organisation/musee-test" in locations
    assert len(locations) == 30 + 2  # objects, organisation, place


def test_entity_answers_revalidate_to_304(demo_server: str, client: httpx.Client) -> None:
    """Crawlers revalidate: the same snapshot, form and language give a 304 without a body."""
    for headers in ({"Accept": "text/turtle"}, {"Accept": "text/html", "Accept-Language": "fr"}):
        first = client.get(f"{demo_server}/{OBJECT}", headers=headers)
        tag = first.headers["etag"]
        assert first.status_code == 200 and tag.startswith('W/"')
        again = client.get(f"{demo_server}/{OBJECT}", headers={**headers, "If-None-Match": tag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    turtle = client.get(f"{demo_server}/{OBJECT}.ttl").headers["etag"]
    english = client.get(f"{demo_server}/{OBJECT}", headers={"Accept": "text/html", "Accept-Language": "en"})
    french = client.get(f"{demo_server}/{OBJECT}", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert len({turtle, english.headers["etag"], french.headers["etag"]}) == 3
    assert "Accept-Language" in english.headers["vary"]
    stale = client.get(f"{demo_server}/{OBJECT}.ttl", headers={"If-None-Match": 'W/"an-older-snapshot-0"'})
    assert stale.status_code == 200 and stale.content

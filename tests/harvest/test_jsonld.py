"""schema.org JSON-LD pages: the Théâtre des Deux-Rives static site served on 127.0.0.1."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from harvest_peers import FAST, make_source, sample, serve_wsgi

from culturedata.harvest import HarvestOptions, harvest
from culturedata.harvest.jsonrepair import Irreparable, clean, load

PLACEHOLDER = b"https://theatre-deux-rives.example"
DELAY = 0.1


def site_app(root, requests: list[tuple[str, float]]):
    def app(environ, start_response):
        path = environ["PATH_INFO"]
        requests.append((path, time.monotonic()))
        file = root / path.lstrip("/")
        if not file.is_file():
            start_response("404 Not Found", [("Content-Type", "text/html")])
            return [b"<html><body>introuvable</body></html>"]
        body = file.read_bytes()
        if file.name in ("sitemap.xml", "robots.txt"):
            base = f"http://{environ['HTTP_HOST']}".encode()
            body = body.replace(PLACEHOLDER, base).replace(b"Crawl-delay: 1", f"Crawl-delay: {DELAY}".encode())
        kind = {"xml": "application/xml", "txt": "text/plain"}.get(file.suffix[1:], "text/html; charset=utf-8")
        start_response("200 OK", [("Content-Type", kind)])
        return [body]

    return app


@pytest.fixture
def site():
    return sample("theatre-deux-rives")


def crawl(site, options=None, **opts):
    requests: list[tuple[str, float]] = []
    with serve_wsgi(site_app(site, requests)) as base:
        source = make_source("jsonld-pages", url=base + "/", **{**FAST, "crawl_delay": 0, **opts})
        records = list(harvest(source, options or HarvestOptions()))
    return records, requests


def event_nodes(payload: bytes) -> list[dict]:
    data = json.loads(payload)
    blocks = data if isinstance(data, list) else [data]
    nodes = [n for b in blocks for n in (b.get("@graph", [b]))]
    return [n for n in nodes if str(n.get("@type", "")).endswith(("Event", "Festival"))]


def test_the_theatre_site(site, caplog):
    records, requests = crawl(site)
    paths = [p for p, _ in requests]
    assert not any(p.startswith("/admin/") for p in paths), "robots.txt forbids /admin/"
    assert "/evenements/spectacle-retire.html" in paths  # tried: the 404 is skipped, not fatal
    by_page = {r.local_id: r for r in records}
    assert "evenements/brise-glace.html" not in by_page  # irreparable
    assert "evenements/atelier-masques.html" not in by_page  # no JSON-LD
    assert len(records) == 11  # index + 10 event pages
    assert sum(len(event_nodes(r.payload)) for r in records) == 13
    assert "brise-glace" in caplog.text and "atelier-masques" in caplog.text and "admin" in caplog.text
    fleuve = by_page["evenements/le-fleuve-en-nous.html"]
    assert fleuve.media_type == "application/ld+json"
    assert fleuve.datestamp == datetime.fromisoformat("2025-08-15T10:00:00-04:00")
    assert fleuve.origin.endswith("/evenements/le-fleuve-en-nous.html")


def test_broken_blocks_are_repaired(site):
    records, _ = crawl(site)
    by_page = {r.local_id: r for r in records}
    jazz = json.loads(by_page["evenements/jazz-sur-le-quai.html"].payload)
    assert jazz["performer"][1]["url"] == "https://mathieupronovost.example/"  # // inside a string kept
    assert jazz["startDate"] == "2026-01-24T20:00-05:00"
    contes = json.loads(by_page["evenements/contes-du-moulin.html"].payload)
    assert contes["@type"] == "Event"
    quatuor = by_page["evenements/quatuor-laviolette.html"].payload.decode()
    assert "&eacute;" not in quatuor and "&amp;" not in quatuor


def test_the_crawl_delay_of_robots_txt_is_honoured(site):
    _, requests = crawl(site)
    pages = [t for p, t in requests if p.endswith(".html")]
    gaps = [b - a for a, b in zip(pages, pages[1:], strict=False)]
    assert min(gaps) >= DELAY * 0.9


def test_pages_older_than_the_watermark_are_not_fetched(site, tmp_path):
    records, requests = crawl(site, HarvestOptions(since=datetime(2025, 9, 1, tzinfo=UTC)))
    assert sorted(r.local_id for r in records) == [
        "evenements/cabaret-des-fetes.html", "evenements/festival-des-deux-rives-2026.html", "index.html"
    ]
    assert "/evenements/le-fleuve-en-nous.html" not in [p for p, _ in requests]


def test_an_explicit_url_list(site):
    records, requests = crawl(site, urls=["/evenements/soiree-poesie.html", "/admin/brouillon-evenement.html"])
    assert [r.local_id for r in records] == ["evenements/soiree-poesie.html"]
    assert "/admin/brouillon-evenement.html" not in [p for p, _ in requests]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": [1, 2,], "b": {"c": 1,},}', {"a": [1, 2], "b": {"c": 1}}),
        ('{"u": "https://x.example/a", // note\n "v": 1 /* bloc */}', {"u": "https://x.example/a", "v": 1}),
        ('{"n": "Caf&eacute; &amp; th&#233;&#x21;"}', {"n": "Café & thé!"}),
        ('<!-- {"a": 1} -->', {"a": 1}),
        ('{"s": "a \\" // pas un commentaire"}', {"s": 'a " // pas un commentaire'}),
    ],
)
def test_repairs(text, expected):
    assert load(text) == expected


def test_irreparable_raises():
    with pytest.raises(Irreparable):
        load('{"name": "Brise "glace"" "startDate": 2026-02-01 {')
    assert clean('"a,]"') == '"a,]"'


def test_a_saved_copy_of_the_site(site):
    source = make_source("jsonld-pages", url="https://theatre-deux-rives.example/", path=site)
    records = list(harvest(source, HarvestOptions()))
    assert len(records) == 11
    assert not any(r.local_id.startswith("admin/") for r in records)
    assert records[0].origin.startswith("https://theatre-deux-rives.example/")

"""/regions and /regions/{code} over the demo project, published by a real `culturedata run` and
served on 127.0.0.1: the counts agree with SPARQL asked another way, a region lists its entities
a page at a time, and the map works without tiles and lets in only the configured tile host."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from culturedata import iris
from culturedata.config import load_config
from culturedata.errors import ConfigError
from culturedata.reference import write_references
from culturedata.server.headers import tile_source
from culturedata.server.regions import PAGE_SIZE, RegionIndex
from culturedata.store import EmbeddedTarget, Snapshots
from sparqlclient import ask

BASE = "http://127.0.0.1:8000/"
SCHEME = "https://w3id.org/culturedata/vocab/regions"
# Each kind asked the plain way, through the paths the demo's mappings write, the regions
# recognised by their scheme in the reference graph: not the page's own query.
EXPECTED = {
    "institutions": "?e a schema:Organization ; (schema:containedInPlace|schema:location/schema:containedInPlace) ?r .",
    "objects": "?e a qcp:HeritageObject ; qcp:heldBy/schema:containedInPlace ?r .",
    "events": "?e a schema:Event ; schema:location/schema:containedInPlace ?r .",
    "places": "?e a schema:Place ; schema:containedInPlace ?r .",
}


def sparql_counts(base: str) -> dict[tuple[str, str], int]:
    counts = {}
    for kind, pattern in EXPECTED.items():
        rows = ask(base, f"""PREFIX schema: <http://schema.org/>
PREFIX qcp: <https://w3id.org/culturedata/ns/qcp#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?code (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {pattern} ?r skos:inScheme <{SCHEME}> ; skos:notation ?code }}
GROUP BY ?code""")
        counts.update({(row["code"]["value"], kind): int(row["n"]["value"]) for row in rows})
    return counts


def page_counts(html: str) -> dict[tuple[str, str], int]:
    counts = {}
    for code, cells in re.findall(r'<tr data-region="(\d\d)">(.*?)</tr>', html, re.S):
        for kind, n in re.findall(r'data-kind="(\w+)">(\d+)<', cells):
            if int(n):
                counts[(code, kind)] = int(n)
    return counts


@pytest.fixture
def published(cli, demo_project: Path, project_server: str) -> str:  # type: ignore[no-untyped-def]
    assert cli("run").code == 1  # the demo has records to fix on purpose: the rest publishes
    return project_server


@pytest.mark.slow
def test_regions_count_what_sparql_counts_and_list_each_region(published: str) -> None:
    client = httpx.Client(base_url=published, trust_env=False, timeout=60)
    page = client.get("/regions", params={"lang": "fr"})
    assert page.status_code == 200
    assert page.text.count('<tr data-region="') == 17
    assert "Saguenay–Lac-Saint-Jean" in page.text and 'href="/regions/15"' in page.text
    counts = page_counts(page.text)
    assert counts == sparql_counts(published)
    assert counts[("02", "objects")] + counts[("11", "objects")] == 55  # every demo object, held in two regions
    assert counts[("04", "events")] == 11  # the twelfth event is online: no region
    english = client.get("/regions", params={"lang": "en"}).text
    assert '<html lang="en">' in english and '<th class="number">Places</th>' in english

    mauricie = client.get("/regions/04", params={"lang": "fr"})
    assert mauricie.status_code == 200
    assert "Festival des Deux-Rives 2026" in mauricie.text
    assert 'href="/id/theatre-deux-rives/organisation/theatre-deux-rives"' in mauricie.text
    listed = re.findall(r'<section class="region-list" id="(\w+)">', mauricie.text)
    assert listed == ["institutions", "events", "places"]  # no objects in Mauricie: no empty list
    events = client.get("/regions/04", params={"kind": "events"})
    assert events.text.count("<li><a href=\"/id/theatre-deux-rives/evenement/") == 11
    assert client.get("/regions/02", params={"kind": "objects"}).text.count("<li><a href=") == min(37, PAGE_SIZE)

    assert client.get("/regions/18").status_code == 404
    assert client.get("/regions/04", params={"kind": "events", "page": "2"}).status_code == 404  # past the last
    assert client.get("/regions/04", params={"kind": "cats"}).status_code == 404
    assert client.get("/regions/04", params={"page": "x"}).status_code == 404

    dashboard = client.get("/dashboard")
    assert 'href="/regions"' in dashboard.text


def test_a_region_lists_its_entities_a_page_at_a_time(tmp_path: Path) -> None:
    """Paging on a store built here, large enough for three pages; the counts are kept per snapshot."""
    store = ox.Store()
    write_references(EmbeddedTarget(store, iris.system_graph(BASE)), BASE)
    schema = "http://schema.org/"
    graph = ox.NamedNode(BASE + "graph/t/places")
    quads = [ox.Quad(ox.NamedNode(f"{BASE}id/t/place/{n:03}"), p, o, graph) for n in range(2 * PAGE_SIZE + 3)
             for p, o in [(ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(schema + "Place")),
                          (ox.NamedNode(schema + "containedInPlace"),
                           ox.NamedNode("https://w3id.org/culturedata/vocab/municipalities/94068")),
                          (ox.NamedNode(schema + "name"), ox.Literal(f"Lieu {n:03}", language="fr"))]]
    # The target keeps the default graph as the merge of the named graphs: these go in both.
    store.extend(quads + [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads])
    index = RegionIndex()
    figures = index.figures(store, "s1", BASE)
    assert figures.counts["02"]["places"] == 2 * PAGE_SIZE + 3  # through the municipality to its region
    assert index.figures(store, "s1", BASE) is figures  # counted once per snapshot
    assert index.figures(store, "s2", BASE) is not figures

    from culturedata.server.regions import listing

    region = figures.region("02")
    assert region is not None
    first, more = listing(store, region, "places", 1)
    last, no_more = listing(store, region, "places", 3)
    assert len(first) == PAGE_SIZE and more and first[0].name("en") == "Lieu 000"
    assert [e.name("fr") for e in last] == ["Lieu 100", "Lieu 101", "Lieu 102"] and not no_more


TILES = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"


@pytest.mark.slow
def test_the_map_works_without_tiles_and_lets_in_only_the_configured_tile_host(  # type: ignore[no-untyped-def]
        published: str, demo_project: Path, serve) -> None:
    client = httpx.Client(trust_env=False, timeout=60)
    plain = client.get(f"{published}/regions", params={"lang": "fr"})
    assert 'data-tiles=""' in plain.text and "Aucun fond de carte" in plain.text
    assert "tiles.example.org" not in plain.headers["content-security-policy"]
    assert "img-src 'self' data:;" in plain.headers["content-security-policy"]
    assert '<script src="/static/leaflet/leaflet.js"></script>' in plain.text  # self-hosted, no CDN
    assert "https://" not in "".join(re.findall(r'<(?:script|link)[^>]*>', plain.text))
    points = json.loads(re.search(r'<script type="application/json" id="map-points">(.*?)</script>', plain.text,
                                  re.S).group(1))  # type: ignore[union-attr]
    names = {item["name"] for group in points for item in group["items"]}
    assert "Parc portuaire de Trois-Rivières" in names
    assert all(44 < group["lat"] < 64 and -81 < group["lon"] < -56 for group in points)
    assert "2 coordonnées hors du Québec" in plain.text  # rcl-0011 lost its longitude's minus sign
    for static in ("/static/leaflet/leaflet.js", "/static/leaflet/leaflet.css", "/static/regions.js",
                   "/static/leaflet/images/marker-icon.png"):
        assert client.get(published + static).status_code == 200, static

    config = load_config(demo_project / "culturedata.toml")
    tiled = serve(Snapshots(config.store_path), map_tiles=TILES)
    for path in ("/regions", "/regions/15"):
        page = client.get(tiled + path)
        policy = page.headers["content-security-policy"]
        assert "img-src 'self' data: https://*.tiles.example.org;" in policy, policy
        assert "script-src 'self';" in policy and "style-src 'self';" in policy  # scripts stay our own
        assert f'data-tiles="{TILES}"' in page.text
    for path in ("/dashboard", "/query", "/regions/15?kind=places"):
        assert "tiles.example.org" not in client.get(tiled + path).headers["content-security-policy"], path


def test_the_tile_url_is_checked_when_the_configuration_is_read(tmp_path: Path) -> None:
    path = tmp_path / "culturedata.toml"
    path.write_text(f'[server]\nmap_tiles = "{TILES}"\n', encoding="utf-8")
    assert load_config(path).settings.server.map_tiles == TILES
    for bad in ("javascript:alert(1)//{z}/{x}/{y}", "https://tiles.example.org/tile.png",
                "https://tiles.example.org/{z}/{x}/{y}.png' data:", "https://{z}.example.org/{z}/{x}/{y}.png"):
        path.write_text(f"[server]\nmap_tiles = {json.dumps(bad)}\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            load_config(path)
    assert tile_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert tile_source("http://127.0.0.1:8080/t/{z}/{x}/{y}.png") == "http://127.0.0.1:8080"

"""Entity pages as a museum visitor and a search engine read them, on the demo project's store
(`culturedata run` over sample_inputs/, then the server `culturedata serve` runs)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from harness import BASE, QCP, SCHEMA, demo_quads, publish, running

from culturedata.config import load_config
from culturedata.server import create_app
from culturedata.server.entities import build_view
from culturedata.server.lookups import Lookups
from culturedata.server.settings import ServerSettings
from culturedata.server.structured import structured_data
from culturedata.store import Snapshots

ROOT = Path(__file__).resolve().parents[2]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DRAWING = "/id/musee-fjord-bleu/objet/10010"  # by a person, made in Saguenay (a municipality concept)
SCHOONER = "/id/musee-anse-aux-brumes/objet/mmab-0003"  # two photographs, credited and licensed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo project, run once through the real command line, served for the module's tests."""
    project = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "culturedata.toml", project / "culturedata.toml")
    shutil.copytree(ROOT / "sample_inputs", project / "sample_inputs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CULTUREDATA_")} | {"LANG": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "culturedata", "run"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]  # the demo has records to fix on purpose
    config = load_config(project / "culturedata.toml")
    with running(create_app(Snapshots(project / config.store_path), ServerSettings.from_config(config))) as url:
        yield url


def page(site: str, path: str, lang: str) -> httpx.Response:
    response = httpx.get(site + path, headers={"Accept": "text/html", "Accept-Language": lang}, trust_env=False,
                         timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response


def main(html: str) -> str:
    found = re.search(r"<main>(.*)</main>", html, re.S)
    assert found is not None
    return found.group(1)


def shows_term(html: str, curie: str, label: str) -> bool:
    """The property's row names it by `label`, a link to its IRI with the CURIE on hover."""
    return re.search(f'<a class="term" href="[^"]+" title="{re.escape(curie)}">{re.escape(label)}</a>', html) is not None


def test_title_type_and_linked_concepts_in_the_page_language(demo_site: str) -> None:
    french = page(demo_site, DRAWING, "fr").text
    assert '<h1 id="entity-name">Étude pour « Le cœur du Fjord »</h1>' in french
    assert "<title>Étude pour « Le cœur du Fjord » · culturedata</title>" in french
    assert 'title="qcp:HeritageObject">Objet patrimonial</a>' in french  # the type, named by the ontology
    # The municipality concept by its label from the vocabulary in the store, its IRI only on hover.
    assert re.search(r'<a href="https://w3id.org/culturedata/vocab/municipalities/94068"[^>]*>Saguenay</a>', french)
    assert ">https://w3id.org/culturedata/vocab/municipalities/94068<" not in french
    assert ">Marc-Antoine Simard</a>" in french  # the creator, by name
    # Property names from the label table (schema.org) and the ontology (qcp:), CURIEs on hover.
    assert shows_term(french, "schema:locationCreated", "Lieu de création")
    assert shows_term(french, "qcp:heldBy", "Détenu par")
    english = page(demo_site, DRAWING + "?lang=en", "fr").text
    assert '<h1 id="entity-name">Study for “Heart of the Fjord”</h1>' in english
    assert 'title="qcp:HeritageObject">Heritage object</a>' in english
    assert shows_term(english, "schema:locationCreated", "Place created")
    assert shows_term(english, "qcp:heldBy", "Held by")
    assert ">Fjord-Bleu Museum</a>" in english  # the organisation's English name
    assert re.search(r'<a href="https://w3id.org/culturedata/vocab/municipalities/94068"[^>]*>Saguenay</a>', english)


def test_images_are_shown_with_their_credit_and_licence(demo_site: str) -> None:
    response = page(demo_site, SCHOONER, "en")
    html = main(response.text)
    figures = re.findall(r'<figure class="image">(.*?)</figure>', html, re.S)
    assert len(figures) == 2
    first = figures[0]
    assert '<img src="https://collections.anse-aux-brumes.example/images/MMAB-0003_1.jpg" alt="Profil tribord"' in first
    assert "Photo : Musée maritime de l&#39;Anse-aux-Brumes" in first
    assert '<a href="https://creativecommons.org/licenses/by-nc/4.0/"' in first and ">CC BY-NC 4.0</a>" in first
    # The page's policy lets the browser load them (http and https images only).
    policy = response.headers["content-security-policy"]
    assert "img-src 'self' data: http: https:" in policy and "script-src 'self'" in policy


def test_provenance_is_collapsed_and_names_files_without_their_paths(demo_site: str) -> None:
    html = main(page(demo_site, DRAWING + "?lang=en", "en").text)
    details = re.search(r'<details class="provenance">(.*?)</details>', html, re.S)
    assert details is not None  # collapsed: <details> without `open`
    assert '<span class="term" title="prov:wasDerivedFrom">Derived from</span></th><td>collection.csv</td>' in details.group(1)
    assert "file:" not in html and "sample_inputs" not in html  # the export's path on the harvesting machine
    assert ">CC0 1.0 (public domain)</a>" in details.group(1)  # the record's licence, by its name


def test_a_local_path_written_as_text_shows_as_its_file_name(serve, tmp_path: Path, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    record, graph, system = (ox.NamedNode(BASE + "id/musee-test/objet/1"), ox.NamedNode(BASE + "graph/musee-test/1"),
                             ox.NamedNode(BASE + "graph/system"))
    derived = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    quads = [ox.Quad(record, ox.NamedNode("http://schema.org/name"), ox.Literal("Objet 1", language="fr"), graph),
             ox.Quad(graph, derived, ox.Literal("/home/registraire/exports/2026/collection.csv"), system),
             ox.Quad(graph, derived, ox.Literal("C:\\Users\\registraire\\objets.xml"), system)]
    site = serve(publish(tmp_path / "store", quads))
    html = client.get(site + "/id/musee-test/objet/1", headers={"Accept": "text/html"}).text
    assert "collection.csv" in html and "objets.xml" in html
    assert "registraire" not in html and "/home/" not in html


# Google's rules for an Event's structured data, as documented at
# https://developers.google.com/search/docs/appearance/structured-data/event (required properties:
# name, startDate, location; location a Place with its name and its address, or coordinates, or a
# VirtualLocation with its url) and https://developers.google.com/search/docs/appearance/structured-data/sd-policies
# (the JSON-LD names schema.org as its @context and each node its @type).
EVENT_TYPES = {"Event", "BusinessEvent", "ChildrensEvent", "ComedyEvent", "CourseInstance", "DanceEvent",
               "DeliveryEvent", "EducationEvent", "EventSeries", "ExhibitionEvent", "Festival", "FoodEvent",
               "Hackathon", "LiteraryEvent", "MusicEvent", "PublicationEvent", "SaleEvent", "ScreeningEvent",
               "SocialEvent", "SportsEvent", "TheaterEvent", "VisualArtsEvent"}
EVENT_STATUSES = {f"https://schema.org/{s}" for s in (
    "EventScheduled", "EventCancelled", "EventMovedOnline", "EventPostponed", "EventRescheduled")}
ATTENDANCE_MODES = {f"https://schema.org/{m}" for m in (
    "OfflineEventAttendanceMode", "OnlineEventAttendanceMode", "MixedEventAttendanceMode")}
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def event_problems(data: dict[str, Any]) -> list[str]:
    """What Google's Event rules find wrong with one embedded JSON-LD node (empty: eligible)."""
    problems = []
    if data.get("@context") not in ("https://schema.org", "http://schema.org", "https://schema.org/"):
        problems.append("@context is not schema.org")
    if data.get("@type") not in EVENT_TYPES:
        problems.append(f"@type {data.get('@type')!r} is not an Event type")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        problems.append("name missing")
    if not isinstance(data.get("startDate"), str) or not ISO_8601.match(data["startDate"]):
        problems.append(f"startDate missing or not ISO 8601: {data.get('startDate')!r}")
    if "endDate" in data and not ISO_8601.match(str(data["endDate"])):
        problems.append("endDate not ISO 8601")
    locations = data.get("location")
    locations = locations if isinstance(locations, list) else [locations]
    if not locations or locations == [None]:
        problems.append("location missing")
    for location in locations:
        if not isinstance(location, dict):
            problems.append(f"location is not a node: {location!r}")
        elif location.get("@type") == "VirtualLocation":
            if not location.get("url"):
                problems.append("VirtualLocation without url")
        elif location.get("@type") != "Place":
            problems.append(f"location @type {location.get('@type')!r}")
        else:
            if not location.get("name"):
                problems.append("Place without name")
            address, geo = location.get("address"), location.get("geo")
            has_address = isinstance(address, str) and address or isinstance(address, dict) and (
                address.get("@type") == "PostalAddress" and any(address.get(k) for k in (
                    "streetAddress", "addressLocality", "postalCode")))
            has_geo = isinstance(geo, dict) and all(isinstance(geo.get(k), float | int) for k in ("latitude", "longitude"))
            if not (has_address or has_geo):
                problems.append("Place without address or geo")
    if "eventStatus" in data and data["eventStatus"] not in EVENT_STATUSES:
        problems.append(f"eventStatus {data['eventStatus']!r}")
    if "eventAttendanceMode" in data and data["eventAttendanceMode"] not in ATTENDANCE_MODES:
        problems.append(f"eventAttendanceMode {data['eventAttendanceMode']!r}")
    images = data.get("image", [])
    if not all(isinstance(i, str) and i.startswith(("http://", "https://")) for i in images):
        problems.append("image is not a list of URLs")
    return problems


def embedded(html: str) -> dict[str, Any]:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0])
    return data


def test_the_demo_events_embed_json_ld_google_accepts(demo_site: str) -> None:
    answer = httpx.get(demo_site + "/sparql", trust_env=False, timeout=30, headers={"Accept": "application/sparql-results+json"},
                       params={"query": "SELECT DISTINCT ?e WHERE { ?e a <http://schema.org/Event> } ORDER BY ?e"})
    events = [row["e"]["value"] for row in answer.json()["results"]["bindings"]]
    assert len(events) >= 10
    for event in events:
        data = embedded(page(demo_site, "/" + event.removeprefix(BASE), "fr").text)
        assert event_problems(data) == [], (event, data)
        assert data["@id"] == event
    festival = embedded(page(demo_site, "/id/theatre-deux-rives/evenement/b9cc093691acc4ef", "fr").text)
    assert festival["@type"] == "Festival" and festival["name"] == "Festival des Deux-Rives 2026"
    assert festival["location"]["geo"] == {"@id": BASE + "id/theatre-deux-rives/lieu/acd29bbd118e54c4-geo-1",
                                           "@type": "GeoCoordinates", "latitude": 46.3405, "longitude": -72.5398}
    assert embedded(page(demo_site, "/id/theatre-deux-rives/evenement/b9cc093691acc4ef", "en").text)["name"] == (
        "Deux-Rives Festival 2026")  # in the page's language


def test_the_rules_catch_what_google_refuses() -> None:
    """The checker can fail: an event with its location as a bare IRI, no start, RDF's own @type."""
    refused = {"@context": "https://schema.org", "@type": "http://schema.org/Event", "name": "Concert",
               "location": {"@id": "http://example.org/lieu"}}
    assert event_problems(refused) == ["@type 'http://schema.org/Event' is not an Event type",
                                       "startDate missing or not ISO 8601: None", "location @type None"]


def test_a_heritage_object_embeds_a_creative_work(demo_site: str) -> None:
    data = embedded(page(demo_site, SCHOONER, "fr").text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "CreativeWork"
    assert data["image"][0] == "https://collections.anse-aux-brumes.example/images/MMAB-0003_1.jpg"
    assert {creator["name"] for creator in data["creator"]} == {"Émile Cloutier", "Narcisse Cloutier"}


def related(html: str) -> dict[str, list[str]]:
    """Each list of related entities: its heading (with the count) and the names it links."""
    return {re.sub(r"<[^>]+>", "", heading).strip(): re.findall(r"<li><a href=\"[^\"]+\">([^<]+)</a></li>", items)
            for heading, items in re.findall(r'<section class="related">\s*<h2>(.*?)</h2>\s*<ul>(.*?)</ul>', html, re.S)}


def test_related_entities_with_counts(demo_site: str) -> None:
    drawing = related(page(demo_site, DRAWING, "fr").text)
    assert drawing["Autres œuvres de Marc-Antoine Simard (2 en tout)"] == [
        "Le cœur du Fjord", "Le quai de Sainte-Rose-du-Nord"]  # the drawing itself is not among them
    assert len(drawing["Aussi dans la collection de Musée du Fjord-Bleu (36 en tout)"]) == 20  # LIMIT 20
    museum = related(page(demo_site, "/id/musee-fjord-bleu/organisation/musee-fjord-bleu?lang=en", "fr").text)
    collection = museum["The collection (37 in all)"]
    assert len(collection) == 20 and "Study for “Heart of the Fjord”" in collection
    festival = related(page(demo_site, "/id/theatre-deux-rives/evenement/b9cc093691acc4ef?lang=en", "fr").text)
    others = festival["Other events at Parc portuaire de Trois-Rivières (2 in all)"]
    assert len(others) == 2 and "Deux-Rives Festival 2026" not in others
    venue = related(page(demo_site, "/id/theatre-deux-rives/lieu/acd29bbd118e54c4?lang=en", "fr").text)
    assert len(venue["Events here (3 in all)"]) == 3
    creator = related(page(demo_site, "/id/musee-fjord-bleu/personne/marc-antoine-simard", "fr").text)
    assert len(creator["Œuvres (3 en tout)"]) == 3


def filler(records: int) -> list[ox.Quad]:
    """Other museums' records, none linked to the demo's objects: what a bigger store adds."""
    n, quads = ox.NamedNode, []
    for i in range(records):
        entity, graph = n(f"{BASE}id/ailleurs/objet/{i}"), n(f"{BASE}graph/ailleurs/{i}")
        person = n(f"{BASE}id/ailleurs/personne/{i // 10}")
        quads += [
            ox.Quad(entity, n(RDF_TYPE), n(QCP + "HeritageObject"), graph),
            ox.Quad(entity, n(SCHEMA + "name"), ox.Literal(f"Objet {i}", language="fr"), graph),
            ox.Quad(entity, n(SCHEMA + "name"), ox.Literal(f"Object {i}", language="en"), graph),
            ox.Quad(entity, n(SCHEMA + "creator"), person, graph),
            ox.Quad(person, n(SCHEMA + "name"), ox.Literal(f"Artiste {i // 10}"), graph),
            ox.Quad(entity, n(QCP + "heldBy"), n(f"{BASE}id/ailleurs/organisation/{i % 5}"), graph),
        ]
    return quads


def test_every_read_of_a_page_is_a_lookup_by_subject_or_by_object(tmp_path: Path) -> None:
    """What the page asks the store, read back: never a pattern an index cannot answer directly."""
    snapshots = publish(tmp_path / "store", [*demo_quads(), *filler(100)])
    current = snapshots.current()
    assert current is not None
    store, iri, system = ox.Store.read_only(str(current)), BASE + "id/musee-test/objet/7", BASE + "graph/system"
    lookups = Lookups(store)
    triples = lookups.describe(ox.NamedNode(iri), system)
    view = build_view(lookups, iri, triples, system, (BASE, BASE), "fr")
    structured_data(iri, triples, lookups, "fr", [])
    assert view.name == "Objet 7" and view.related  # the page was built, related lists included
    assert len(lookups.patterns) > 10
    for subject, predicate, obj in lookups.patterns:
        assert subject != "?" or (predicate != "?" and obj != "?"), (subject, predicate, obj)


def published(root: Path, quads: list[ox.Quad]) -> Snapshots:
    """`harness.publish` in one bulk write: the big store is ready in seconds."""
    snapshots = Snapshots(root)
    staging = snapshots.begin()
    assert staging.store is not None
    staging.store.bulk_extend(quads)
    snapshots.publish(staging)
    return snapshots


def page_cpu_ms(site: str, path: str, client: httpx.Client, tries: int = 15) -> float:
    """The least CPU time the server reports (Server-Timing) for the page over `tries` requests."""
    spent = []
    for _ in range(tries):
        response = client.get(site + path, headers={"Accept": "text/html"})
        assert response.status_code == 200
        timing = re.search(r"cpu;dur=([0-9.]+)", response.headers["server-timing"])
        assert timing is not None
        spent.append(float(timing.group(1)))
    return min(spent)


def test_a_page_costs_the_same_in_a_store_ten_times_bigger(serve, tmp_path: Path, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    """The label query used to scan the store (14.8 ms at 355k quads, 158 ms at 3.5M), and the
    description visited every record's graph."""
    small = serve(published(tmp_path / "small", [*demo_quads(), *filler(1_000)]))
    big = serve(published(tmp_path / "big", [*demo_quads(), *filler(10_000)]))
    path = "/id/musee-test/objet/7"
    page_cpu_ms(small, path, client, 3), page_cpu_ms(big, path, client, 3)  # warm both (templates, caches)
    cheap, costly = page_cpu_ms(small, path, client), page_cpu_ms(big, path, client)
    assert costly < 2 * cheap, f"{cheap:.2f} ms with 6k quads, {costly:.2f} ms with 60k"


def test_unnamed_values_read_as_one_line(demo_site: str) -> None:
    """An address, coordinates or an accession number has no label: its own values, in reading order."""
    venue = main(page(demo_site, "/id/theatre-deux-rives/lieu/acd29bbd118e54c4", "fr").text)
    assert ">1, rue du Quai, Trois-Rivières, QC, G9A 2G3, CA</a>" in venue
    assert ">46.3405, -72.5398</a>" in venue and ">Mauricie</a>" in venue  # the region concept by its label
    assert ">1981.12.3</a>" in main(page(demo_site, SCHOONER, "fr").text)  # the scheme's bare IRI left out


def test_a_place_with_coordinates_has_a_map_and_an_object_none(demo_site: str) -> None:
    """A place (here an organisation's, on its `schema:geo`) is shown on a map: the map page's
    Leaflet and script, one marker at its coordinates; an object that is nowhere has none."""
    html = page(demo_site, "/id/reseau-culture-laurentides/organisation/rcl-0007", "fr").text
    island = re.search(r'<script type="application/json" id="map-points">(.*?)</script>', html, re.S)
    assert island and 'src="/static/leaflet/leaflet.js"' in html and 'src="/static/regions.js"' in html
    [point] = json.loads(island.group(1))
    assert 45 < point["lat"] < 47.5 and -76 < point["lon"] < -73  # the Laurentides
    assert 'id="map"' not in page(demo_site, SCHOONER, "fr").text

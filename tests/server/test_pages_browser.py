"""The pages for people, driven in a real headless Chromium (Debian's `chromium`, through
Playwright with executable_path; never a downloaded browser)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from harness import demo_quads, publish
from test_entity_pages import SCHOONER, demo_site  # noqa: F401 (demo_site: a fixture)
from test_page_security import hostile_quads

from culturedata.config import load_config
from culturedata.resources import shapes_dir

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


# Chromium reports what the Content-Security-Policy refused as a DOM event (and logs it); the
# script below, injected by the browser's debugging protocol, is not subject to the policy.
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sample);
});"""


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-CA")  # a museum in Quebec
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if _refused(message.text) else None)
    yield page
    context.close()
    assert not errors, errors


def _refused(text: str) -> bool:
    return text.startswith("CSP violation") or "Content Security Policy" in text


def test_run_an_example_query_and_see_rows(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/query?lang=en")
    assert page.locator(".cm-editor").count() == 1  # the CodeMirror editor took over the textarea
    page.click("button.example[data-example='objects_per_region']")
    assert "HeritageObject" in page.locator(".cm-content").inner_text()
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 1
    assert "regions/02" in rows.first.inner_text()
    assert rows.first.locator("td").nth(1).inner_text() == "30"
    assert page.inner_text("#status") == "1 rows"


def test_results_link_entities_to_their_pages(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?o WHERE { ?o a <https://w3id.org/culturedata/ns/qcp#HeritageObject> } ORDER BY ?o LIMIT 3"
    page.goto(demo_server + "/query?lang=en&query=" + query.replace(" ", "+").replace("#", "%23"))
    page.click("#run")
    page.wait_for_selector("table.results tbody tr a")
    page.locator("table.results tbody tr a").first.click()
    page.wait_for_selector("#entity-name")
    assert page.inner_text("#entity-name").startswith("Object ")
    assert page.url.startswith(demo_server + "/id/musee-test/objet/")


def test_malformed_query_shows_the_error(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/query?lang=fr&query=SELECT+%3Fx+WHERE+%7B")
    page.click("#run")
    page.wait_for_selector("#status.error")
    assert "SPARQL mal formé" in page.inner_text("#status")


def test_switch_language(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/dashboard", )
    assert page.locator("h1").inner_text() == "Tableau de bord"  # from the browser's language
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Dashboard"
    page.goto(demo_server + "/query")  # the choice is remembered
    assert page.locator("h1").inner_text() == "Query the data"
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Interroger les données"


def test_dashboard_shows_sources_and_regions(page, demo_snapshots, serve) -> None:  # type: ignore[no-untyped-def]
    reports = demo_snapshots.root / "reports"
    reports.mkdir()
    for number, (published, quarantined) in enumerate([(20, 10), (26, 4)]):
        report = {"snapshot": f"2026010{number + 1}T000000Z", "sources": [
            {"source": "musee-test", "harvested": 30, "published": published, "quarantined": quarantined,
             "failed": False, "rules": {"heritage-object-name": quarantined, "licence-missing": 1}}]}
        (reports / f"run-2026010{number + 1}T000000Z.json").write_text(json.dumps(report), encoding="utf-8")
    base = serve(demo_snapshots)
    page.goto(base + "/dashboard?lang=en")
    source_row = page.locator("table.sources tbody tr").first
    assert "musee-test" in source_row.inner_text()
    assert "87 %" in source_row.inner_text()  # 26 of 30, the last run
    assert "heritage-object-name" in source_row.inner_text()
    assert page.locator("table.sources svg polyline").get_attribute("points").count(",") == 2  # two runs
    region_row = page.locator("table.regions tbody tr").first
    assert "Saguenay–Lac-Saint-Jean" in region_row.inner_text()
    assert "30" in region_row.locator("td").nth(1).inner_text()


def test_results_link_only_http_https_and_mailto(page, serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = serve(publish(tmp_path / "store", [*demo_quads(), *hostile_quads()]))
    query = "SELECT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) } ORDER BY ?o"
    page.goto(base + "/query?lang=en&query=" + quote(query))
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    cells = page.locator("table.results tbody td").all_inner_texts()
    assert "javascript:alert(document.domain)" in cells and "JavaScript:alert(2)" in cells  # shown, as text
    links = page.eval_on_selector_all("table.results a", "links => links.map(a => a.href)")
    assert "mailto:info@example.org" in links and "https://example.org/objet" in links
    assert all(link.split(":")[0] in ("http", "https", "mailto") for link in links), links


def test_every_page_loads_under_its_policy(page, serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The page fixture fails the test on any refusal the Content-Security-Policy reports."""
    base = serve(publish(tmp_path / "store", [*demo_quads(), *hostile_quads()]))
    for path in ("/query", "/validate", "/dashboard", "/id/musee-test/objet/1", "/id/musee-test/objet/piege",
                 "/id/musee-test/objet/nowhere", "/id/%00"):
        page.goto(base + path)
        page.wait_for_load_state("load")
    page.goto(base + "/id/musee-test/objet/piege")
    links = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
    assert all(link.split(":")[0] in ("http", "https", "mailto") for link in links), links
    assert page.locator("text=javascript:alert(document.domain)").count() >= 1


@pytest.fixture
def museum_server(serve, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if not any(shapes_dir().glob("*.ttl")):
        pytest.skip("no SHACL shapes in shapes/ yet")
    config = load_config(ROOT / "culturedata.toml")
    return serve(publish(tmp_path / "store", []), config=config, upload_limit=2_000_000)


def test_upload_a_bad_export_and_see_its_violations(page, museum_server: str) -> None:  # type: ignore[no-untyped-def]
    export = ROOT / "sample_inputs" / "musee-fjord-bleu" / "collection.csv"
    page.goto(museum_server + "/validate?lang=fr")
    page.set_input_files("#file", str(export))
    page.select_option("#profile", "source:musee-fjord-bleu")
    page.click("#check")
    page.wait_for_selector("#report")
    summary = page.inner_text("#report .summary")
    assert "40" in summary
    assert page.locator("details.rule.violation").count() >= 1
    assert page.locator("tr.violation-row").count() >= 1
    # The same report as JSON, through the download button (the page keeps no copy of the
    # file, so it is chosen again, as a person would).
    page.set_input_files("#file", str(export))
    with page.expect_download() as download:
        page.click("button[formaction='/validate/report.json']")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["summary"]["records"] == 40 and data["summary"]["with_violations"] > 0


def test_upload_too_large_is_refused(page, museum_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "enorme.csv"
    big.write_bytes(b"a;b\n" + b"x;y\n" * 700_000)
    page.goto(museum_server + "/validate?lang=en")
    page.set_input_files("#file", str(big))
    page.click("#check")
    page.wait_for_selector(".error")
    assert "larger than the limit of 2 MB" in page.inner_text(".error")


def test_entity_page_in_french_with_its_image_labels_and_related_works(page, demo_site: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """What a visitor sees (the screenshot is kept in the test's tmp_path): the title, the type, the
    photographs with their credit and licence, labels instead of IRIs, provenance folded away."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(demo_site + SCHOONER)  # the browser's language: fr-CA
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.inner_text("#entity-name").startswith("Maquette de la goélette")
    assert "Objet patrimonial" in page.inner_text("p.types")
    assert page.locator("figure.image img").count() == 2  # loaded under the policy (the page fixture checks)
    assert "CC BY-NC 4.0" in page.locator("figure.image figcaption").first.inner_text()
    creator = page.locator("table.properties tr", has=page.locator("a.term[title='schema:creator']"))
    assert "Émile Cloutier" in creator.inner_text() and "Créateur" in creator.inner_text()
    assert "Aussi dans la collection de Musée maritime de l'Anse-aux-Brumes" in page.inner_text("section.related h2")
    provenance = page.locator("details.provenance table.provenance")
    assert not provenance.is_visible()  # collapsed
    page.click("details.provenance summary")
    assert provenance.is_visible() and "lido.xml" in provenance.inner_text()
    shot = tmp_path / "entity-fr.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000

"""The pages for people, driven in a real headless Chromium (Debian's `chromium`, through
Playwright with executable_path; never a downloaded browser)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from harness import BASE, demo_quads, publish
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
    region = rows.first.locator("td").first.locator("a")
    assert region.inner_text() == "Saguenay–Lac-Saint-Jean"  # ?regionLabel names the ?region link
    assert region.get_attribute("title") == "https://w3id.org/culturedata/vocab/regions/02"
    assert rows.first.locator("td").nth(2).inner_text() == "30"
    assert page.inner_text("#status") == "1 row"  # not "1 rows"
    page.goto(demo_server + "/query?lang=fr")
    page.click("button.example[data-example='objects_per_region']")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    assert page.inner_text("#status") == "1 ligne"  # pas « 1 lignes »


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
    query = "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) } ORDER BY ?o"  # one page of results
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
    assert page.locator("#by-rule tr.violation").count() >= 1
    assert page.locator("#fixes tr.violation-row").count() >= 1
    # The same report as JSON, through its download link (the page keeps the report a while,
    # never the file: nothing is posted again).
    with page.expect_download() as download:
        page.click("#download-json")
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


# The query page as a developer uses it: keyboard, links, pages of results, errors, languages.

def _editor_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("() => [...document.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')")


def _replace_query(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.click(".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_ctrl_enter_runs_and_the_link_reopens_the_query(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/query?lang=en")
    page.click(".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT ?o WHERE { ?o a <https://w3id.org/culturedata/ns/qcp#HeritageObject> } LIMIT 7")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("table.results tbody tr")
    assert page.locator("table.results tbody tr").count() == 7
    assert _editor_text(page).count("\n") == 0  # the shortcut ran the query, it inserted no line
    assert "query=SELECT" in page.url  # the address bar is the query's link
    assert page.get_attribute("#permalink", "href").endswith(page.url.split(demo_server, 1)[1])
    link = page.url
    page.goto("about:blank")
    page.goto(link)
    assert _editor_text(page) == "SELECT ?o WHERE { ?o a <https://w3id.org/culturedata/ns/qcp#HeritageObject> } LIMIT 7"


def test_results_are_paged_and_sorted(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/query?lang=en&query=" + quote(
        "SELECT ?s ?n WHERE { ?s <http://schema.org/name> ?n FILTER(LANG(?n) = 'fr') }"))
    page.keyboard.press("Tab")  # nothing focused yet: the shortcut works once the editor has the focus
    page.click(".cm-content")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("table.results tbody tr")
    assert page.inner_text("#status") == "31 rows"  # 30 objects and the museum
    assert page.locator("table.results tbody tr").count() == 31  # one page
    _replace_query(page, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".pager")
    rows = int(page.inner_text("#status").split()[0])
    pages = -(-rows // 50)
    assert page.locator("table.results tbody tr").count() == 50
    assert page.inner_text(".pager .page") == f"Page 1 of {pages}"
    assert page.locator(".pager button.previous").is_disabled()
    page.click(".pager button.next")
    assert page.inner_text(".pager .page") == f"Page 2 of {pages}"
    # Sorting by ?o orders every row, not only the page shown, and starts again at page 1.
    page.click("table.results th button:text('?o')")
    assert page.get_attribute("table.results th:nth-child(3)", "aria-sort") == "ascending"
    assert page.inner_text(".pager .page") == f"Page 1 of {pages}"
    first = page.locator("table.results tbody tr td:nth-child(3)").all_inner_texts()
    page.click("table.results th button:text('?o')")
    assert page.get_attribute("table.results th:nth-child(3)", "aria-sort") == "descending"
    last = page.locator("table.results tbody tr td:nth-child(3)").all_inner_texts()
    values = page.evaluate("""async (q) => {
      const r = await fetch('/sparql', {method: 'POST', headers: {'Accept': 'application/sparql-results+json'},
                                        body: new URLSearchParams({query: q})});
      return (await r.json()).results.bindings.map(b => b.o.value);
    }""", "SELECT ?o WHERE { ?s ?p ?o }")
    ordered = sorted(values, key=lambda v: v.lower())
    assert first[0].lower() == ordered[0].lower() and last[0].lower() == ordered[-1].lower()


# The editor's cursor: its line (from 1) and the text before it on that line.
CURSOR = """() => {
  const s = window.getSelection();
  const node = s.anchorNode.nodeType === Node.TEXT_NODE ? s.anchorNode.parentElement : s.anchorNode;
  const line = node.closest('.cm-line');
  const range = document.createRange();
  range.setStart(line, 0);
  range.setEnd(s.anchorNode, s.anchorOffset);
  return [[...document.querySelectorAll('.cm-line')].indexOf(line) + 1, range.toString()];
}"""


def test_a_syntax_error_is_placed_in_the_page_language(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?nom WHERE {\n  ?s <http://schema.org/name> \"Émilie\" .\n} LIMIT dix"
    page.goto(demo_server + "/query?lang=fr&query=" + quote(query))
    page.click(".cm-content")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#status.error")
    message = page.inner_text("#status")
    assert "SPARQL mal formé à la ligne 3, colonne 9 ; on attendait : HAVING, OFFSET" in message, message
    assert page.get_attribute("#status", "data-line") == "3"
    line, before = page.evaluate(CURSOR)
    assert (line, before) == (3, "} LIMIT ")  # the cursor waits where the parser stopped


def test_switching_language_keeps_the_query(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/query?lang=fr")
    _replace_query(page, "ASK { ?s ?p \"édité\" }")
    page.click("#lang-switch")
    page.wait_for_selector("h1:text('Query the data')")
    assert _editor_text(page) == "ASK { ?s ?p \"édité\" }"
    page.click("#lang-switch")
    page.wait_for_selector("h1:text('Interroger les données')")
    assert _editor_text(page) == "ASK { ?s ?p \"édité\" }"


def test_only_the_formats_of_the_query_form_are_offered(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/query?lang=en&query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))
    offered = lambda: page.eval_on_selector_all(  # noqa: E731
        "button.download", "bs => bs.filter(b => !b.hidden).map(b => b.dataset.format)")
    assert offered() == ["json", "xml", "csv", "tsv"]
    _replace_query(page, "PREFIX s: <http://schema.org/>\n# SELECT in a comment\nCONSTRUCT { ?s s:name ?n } WHERE { ?s s:name ?n }")
    assert offered() == ["turtle", "ntriples", "jsonld", "rdfxml"]
    with page.expect_download() as download:
        page.click("button.download[data-format='turtle']")
    assert download.value.suggested_filename == "results.ttl"
    assert "Objet 1" in Path(download.value.path()).read_text(encoding="utf-8")
    _replace_query(page, "ASK { ?s ?p ?o }")
    assert offered() == ["json", "xml", "csv", "tsv"]
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#status:text('Yes (true)')")


COMPLETION_DELAY_MS = 250


def test_prefixes_and_profile_terms_are_completed(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server + "/query?lang=en")
    _replace_query(page, "SELECT * WHERE { ?o ")
    page.keyboard.type("qcp:hel")
    page.wait_for_selector(".cm-tooltip-autocomplete li")
    assert "qcp:heldBy" in page.inner_text(".cm-tooltip-autocomplete")
    # CodeMirror ignores Enter for 75 ms after the list opens (its interactionDelay, so that a fast
    # typist's Enter is a new line): a person waits as long before choosing
    page.wait_for_timeout(COMPLETION_DELAY_MS)
    page.keyboard.press("Enter")
    # The term went in, and the prefix the query lacked was declared.
    assert _editor_text(page) == "PREFIX qcp: <https://w3id.org/culturedata/ns/qcp#>\nSELECT * WHERE { ?o qcp:heldBy"
    _replace_query(page, "SELECT ?")
    page.keyboard.type("sche")  # a variable's name is not completed
    page.wait_for_timeout(300)
    assert page.locator(".cm-tooltip-autocomplete").count() == 0
    _replace_query(page, "PREFIX ")
    page.keyboard.type("sche")
    page.wait_for_selector(".cm-tooltip-autocomplete li")
    page.wait_for_timeout(COMPLETION_DELAY_MS)
    page.keyboard.press("Enter")
    assert _editor_text(page) == "PREFIX schema: <http://schema.org/>"


def _record_states() -> list[ox.Quad]:
    """What a run says of the demo's records in the system graph: their source and status, and
    for three of them (published under the `never` policy) the rule they violate."""
    run, system = "https://w3id.org/culturedata/ns/run#", ox.NamedNode(BASE + "graph/system")
    quads = []
    for i in range(30):
        graph = ox.NamedNode(f"{BASE}graph/musee-test/{i}")
        quads += [ox.Quad(graph, ox.NamedNode(run + "source"), ox.Literal("musee-test"), system),
                  ox.Quad(graph, ox.NamedNode(run + "status"), ox.NamedNode(run + "Published"), system)]
        if i < 3:
            quads.append(ox.Quad(graph, ox.NamedNode(run + "violation"), ox.Literal("heritage-object-name"), system))
    return quads


def test_every_example_runs(page, serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = serve(publish(tmp_path / "store", [*demo_quads(), *_record_states()]))
    page.goto(base + "/query?lang=en")
    names = page.eval_on_selector_all("button.example", "bs => bs.map(b => b.dataset.example)")
    assert {"quality_per_source", "my_objects", "types_per_region"} <= set(names)
    for name in names:
        page.click(f"button.example[data-example='{name}']")
        page.click("#run")
        page.wait_for_function("() => !['', 'Running…'].includes(document.getElementById('status').textContent)")
        assert "error" not in (page.get_attribute("#status", "class") or ""), (name, page.inner_text("#status"))
    page.click("button.example[data-example='my_objects']")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr a")
    assert page.locator("table.results tbody tr").count() == 30
    assert page.locator("table.results tbody tr a").first.inner_text().startswith("Obje")  # ?objectLabel
    page.click("button.example[data-example='quality_per_source']")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    assert page.locator("table.results tbody tr td").all_inner_texts() == ["musee-test", "30", "3", "0.9"]
    # Record graphs are no entities: their IRIs stay as they are, while entities open on this server.
    page.click("button.example[data-example='graphs']")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr a")
    graph = page.locator("table.results tbody tr a").first
    assert graph.get_attribute("href") == graph.inner_text() and graph.inner_text().startswith(BASE + "graph/")


def test_screenshot_of_the_query_page(page, demo_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(demo_server + "/query?lang=fr")
    page.click("button.example[data-example='objects_per_region']")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    shot = tmp_path / "query.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000

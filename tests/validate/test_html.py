"""The HTML report opened in a real headless Chromium (Debian's package, driven by Playwright):
it renders offline, and the counts a museum reads are the JSON report's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from validation_inputs import BAD, fixture_args

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists() and not shutil.which("chromium"),
                       reason="Debian's chromium package is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")
    with sync_api.sync_playwright() as playwright:
        # Never a downloaded browser: the system's, by path.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_html_report_renders_and_matches_json(cli, browser, tmp_path: Path, lang: str):
    page_file = tmp_path / "rapport.html"
    assert cli("validate", BAD, *fixture_args("--format", "html", "--lang", lang, "--out", page_file)).code == 1
    report = cli("validate", BAD, *fixture_args("--format", "json")).json()

    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    assert requests == [page_file.as_uri()]  # self-contained: nothing else is fetched

    summary = report["summary"]
    for key in ("records", "conforming", "with_violations", "with_warnings"):
        assert page.locator(f'[data-count="{key}"]').inner_text() == str(summary[key])
    shown = {row.get_attribute("data-rule"): int(row.locator("td.num").inner_text())
             for row in page.locator("#rules tbody tr").all()}
    assert shown == {g["rule"]: g["count"] for g in report["groups"]}
    assert page.locator("tr.finding").count() == sum(len(r["findings"]) for r in report["records"])
    assert page.locator("html").get_attribute("lang") == lang
    heading = page.locator("h1").inner_text()
    assert heading == ("Rapport de validation" if lang == "fr" else "Validation report")
    assert page.locator("text=" + ("ligne 4" if lang == "fr" else "line 4")).count() >= 1
    # Rendered, not just parsed: the summary cards have a real size on screen.
    box = page.locator("#summary").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 20
    page.screenshot(path=str(tmp_path / f"report-{lang}.png"), full_page=True)
    page.close()

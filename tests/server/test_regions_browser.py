"""/regions in Debian's Chromium, in French, over the demo published by `culturedata run`: the map
draws its markers without tiles and under the page's policy, a marker names what stands there, and
the page is photographed. The browser and the page (which fails the test on any policy violation or
script error) are test_pages_browser.py's."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pages_browser import CHROMIUM, browser, page  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]
PNG = b"\x89PNG\r\n\x1a\n"


def test_the_map_of_quebec_in_french(page, cli, demo_project: Path, project_server: str,  # type: ignore[no-untyped-def]  # noqa: F811
                                     tmp_path: Path) -> None:
    assert cli("run").code == 1  # the demo has records to fix on purpose: the rest publishes
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(project_server + "/regions")  # the context's locale is fr-CA: French without ?lang
    assert page.locator("h1").inner_text() == "Les régions du Québec"
    assert page.locator("#region-counts tbody tr").count() == 17
    page.wait_for_selector("#map[data-markers]")
    assert page.get_attribute("#map", "data-markers") == "13"  # 25 located entities, a museum and its building share one
    assert page.locator("#map path.leaflet-interactive").count() == 13  # drawn as SVG, no tile, no image
    assert page.locator("#map img.leaflet-tile").count() == 0
    assert "Laurentides" in page.locator("#map .region-name").all_inner_texts()

    marker = page.locator("#map path.leaflet-interactive").last
    marker.click(force=True)  # the theatre's park in Trois-Rivières, the one place of Mauricie
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Parc portuaire de Trois-Rivières" in popup.inner_text()
    assert popup.locator("a").get_attribute("href") == "/id/theatre-deux-rives/lieu/acd29bbd118e54c4"
    page.keyboard.press("Escape")

    shot = page.screenshot(path=str(tmp_path / "regions-fr.png"), full_page=True)
    assert shot.startswith(PNG) and len(shot) > 20_000  # a page with a table and a map, not a blank one
    map_shot = page.locator("#map").screenshot(path=str(tmp_path / "regions-map-fr.png"))
    assert map_shot.startswith(PNG)

    page.click("#region-counts a[href='/regions/04']")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Mauricie")
    page.wait_for_selector("#map[data-markers]")
    assert page.get_attribute("#map", "data-markers") == "1"

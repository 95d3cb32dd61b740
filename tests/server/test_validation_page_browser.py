"""The validation page as a museum uses it, in Debian's Chromium: an export dropped on the page
or chosen, the upload's progress then "checking…", the counts by rule and by column, the rows
to fix sorted and paged, and downloads that are the command's own reports. Screenshots of a
good and a broken export are kept in the test's tmp_path."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from pathlib import Path

import pytest
from harness import publish
from test_pages_browser import CHROMIUM, browser, page  # noqa: F401 (fixtures)

from culturedata.resources import shapes_dir
from culturedata.server.rendering import rule_name
from kind_samples import demo_rows

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]
WIDTH = 1280


@pytest.fixture
def site(serve, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if not any(shapes_dir().glob("*.ttl")):
        pytest.skip("no SHACL shapes in shapes/ yet")
    return serve(publish(tmp_path / "store", []), upload_limit=2_000_000)


def export(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode("cp1252")


def good() -> bytes:
    """The demo export's first twenty objects (their ids are unique), as the museum sends them."""
    return export(demo_rows()[:21])


def broken() -> bytes:
    """The same, as a hurried re-export: a column dropped, one renamed, a title emptied, a date garbled."""
    header, *rows = [list(row) for row in demo_rows()[:21]]
    drop = header.index("numero_accession")
    header, rows = header[:drop] + header[drop + 1:], [row[:drop] + row[drop + 1:] for row in rows]
    header[header.index("titre_en")] = "titre_anglais"
    rows[4][header.index("titre_fr")] = ""
    rows[6][header.index("date_debut")] = "19XX-13-45"
    return export([header, *rows])


def large(objects: int) -> bytes:
    """The demo's objects again and again, each with an id of its own."""
    header, *rows = demo_rows()
    rows = [row for row in rows if any(row)]
    made = [[str(100000 + n), *rows[n % len(rows)][1:]] for n in range(objects)]
    return export([header, *made])


def choose(tab, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    tab.set_input_files("#file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])


def drop(tab, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """A file dragged from the desktop onto the page's drop zone."""
    transfer = tab.evaluate_handle("""([name, bytes]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name, { type: "text/csv" }));
        return transfer;
    }""", [name, list(data)])
    tab.dispatch_event("#drop", "dragenter", {"dataTransfer": transfer})
    tab.dispatch_event("#drop", "drop", {"dataTransfer": transfer})


def check(tab) -> None:  # type: ignore[no-untyped-def]
    tab.select_option("#profile", "mapping:musee-csv")
    tab.click("#check")
    tab.wait_for_selector("#outcome[data-state=done] #report", timeout=60_000)


def shot(tab, path: Path) -> None:  # type: ignore[no-untyped-def]
    tab.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == WIDTH and height >= 900, (width, height)


def counts(tab, section: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {row.get_attribute("data-name"): int(row.locator("td.number").inner_text())
            for row in tab.locator(f"#{section} tbody tr").all()}


def lines_shown(tab) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(re.sub(r"\D", "", text)) for text in tab.locator("#fixes tbody tr td:first-child").all_inner_texts()]


def download(tab, fmt: str) -> str:  # type: ignore[no-untyped-def]
    with tab.expect_download() as done:
        tab.click(f"#download-{fmt}")
    return Path(done.value.path()).read_text(encoding="utf-8")


def same_time(text: str) -> str:
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "TIME", text)


def test_a_good_export_dropped_on_the_page(page, site: str, tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(site + "/validate?lang=fr")
    drop(page, "collection.csv", good())
    assert page.eval_on_selector("#file", "input => input.files[0].name") == "collection.csv"
    check(page)
    assert page.inner_text("#count-records strong") == "20"
    assert "Vérifié : collection.csv" in page.inner_text("#checked")
    shot(page, tmp_path / "validate-good.png")

    # The downloads are the command's reports for the same file, in the page's language.
    (tmp_path / "collection.csv").write_bytes(good())
    monkeypatch.chdir(tmp_path)
    for fmt in ("csv", "json", "html"):
        command = cli("--lang", "fr", "validate", "collection.csv", "--mapping", "musee-csv", "--format", fmt)
        assert command.code in (0, 1), command.err
        assert same_time(download(page, fmt)) == same_time(command.out), fmt

    # The counts by rule are the report's.
    report = json.loads(download(page, "json"))
    assert counts(page, "by-rule") == {rule_name(g["rule"]): g["count"] for g in report["groups"]}
    assert sum(counts(page, "by-column").values()) == report["summary"]["findings"]


def test_a_broken_export_chosen_names_its_columns_and_sorts_its_rows(page, site: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(site + "/validate?lang=en")
    choose(page, "export.csv", broken())
    check(page)
    files = page.inner_text("#file-findings")
    assert "numero_accession" in files and "titre_anglais" in files
    by_rule = counts(page, "by-rule")
    assert by_rule["column-missing"] == 1 and by_rule["column-renamed"] == 1
    assert list(by_rule)[:2] == ["column-missing", "column-renamed"]  # the file's own findings first
    shot(page, tmp_path / "validate-broken.png")

    rows = lines_shown(page)
    assert rows == sorted(rows) and rows  # by row, as the file reads
    page.click("#fixes th[data-key='0'] button")
    descending = lines_shown(page)
    last = max(line[0] for line in json.loads(page.inner_text("#fixes-data")) if line[0] is not None)
    assert descending == sorted(descending, reverse=True) and descending[0] == last > rows[-1]
    assert page.get_attribute("#fixes th[data-key='0']", "aria-sort") == "descending"
    page.click("#fixes th[data-key='3'] button")
    columns = page.locator("#fixes tbody tr td:nth-child(3)").all_inner_texts()
    assert page.evaluate("cs => cs.every((c, i) => !i || cs[i - 1].localeCompare(c, undefined, {numeric: true}) <= 0)",
                         columns)
    assert len(set(columns)) > 1


def test_thousands_of_findings_are_paged_and_the_check_is_shown_in_progress(page, site: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(site + "/validate?lang=fr")
    choose(page, "collection.csv", large(800))
    page.select_option("#profile", "mapping:musee-csv")
    page.click("#check")
    page.wait_for_selector("#progress-text:has-text('Vérification')", timeout=60_000)  # no eval: the page's CSP
    assert page.get_attribute("#progress-bar", "value") is None  # indeterminate while the server checks
    page.wait_for_selector("#outcome[data-state=done] #report", timeout=120_000)
    assert page.is_hidden("#progress")
    found = int(page.get_attribute("#fixes-data", "data-count") or 0)
    assert found >= 4000
    assert page.locator("#fixes tbody tr").count() == 100  # one page at a time
    assert page.inner_text("#page-number") == f"Page 1 sur {-(-found // 100)}"
    first = lines_shown(page)
    page.click("#page-next")
    assert page.inner_text("#page-number").startswith("Page 2 sur")
    assert lines_shown(page)[0] >= first[-1]
    assert page.is_hidden("#rows-shown")  # the server's "first rows only" note: the script has them all


def test_without_javascript_the_form_still_checks_and_downloads(browser, site: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    context = browser.new_context(locale="fr-CA", java_script_enabled=False, accept_downloads=True)
    try:
        tab = context.new_page()
        tab.goto(site + "/validate")
        choose(tab, "export.csv", broken())
        tab.select_option("#profile", "mapping:musee-csv")
        tab.click("#check")
        tab.wait_for_selector("#report")
        assert tab.inner_text("#count-records strong") == "20"  # the twenty objects; the file's own findings are not a record
        assert counts(tab, "by-rule")["column-missing"] == 1
        assert tab.locator("#fixes tbody tr").count() == min(200, int(tab.get_attribute("#rows-shown", "data-count")))
        assert tab.is_hidden("#progress")
        text = download(tab, "csv")
        assert text.startswith('"source","record"') and "column-missing" in text
    finally:
        context.close()

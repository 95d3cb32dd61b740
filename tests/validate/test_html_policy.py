"""The HTML report carries its own Content-Security-Policy: its style sheet applies (by hash)
and nothing else could, not even a script smuggled into a record's value. Opened from disk in
Debian's Chromium, as a museum opens the file it was sent."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from validation_inputs import BAD, fixture_args

from culturedata.validate.html import csp_hash

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def report(cli, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    page = folder / "rapport.html"
    assert cli("validate", BAD, *fixture_args("--format", "html", "--out", page)).code == 1
    return page


def test_the_report_names_its_style_sheet_by_hash_and_allows_nothing_else(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    html = report(cli, tmp_path).read_text(encoding="utf-8")
    found = POLICY.search(html)
    assert found is not None
    policy = found.group(1)
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert policy.startswith("default-src 'none'; ") and f"style-src '{csp_hash(style)}'" in policy
    assert "unsafe-inline" not in policy and "<script" not in html and " style=" not in html


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists() and not shutil.which("chromium"),
                    reason="Debian's chromium package is not installed (apt-get install chromium)")
def test_the_policy_lets_the_style_in_and_refuses_an_injected_one(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")
    page_file = report(cli, tmp_path)
    # What a careless template change could let through: an inline style the policy does not name.
    tampered = tmp_path / "modifie.html"
    tampered.write_text(page_file.read_text(encoding="utf-8").replace(
        "</head>", "<style>body { background: red; }</style></head>"), encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            refusals = {}
            for name, path in (("report", page_file), ("tampered", tampered)):
                page = browser.new_page()
                messages: list[str] = []
                page.on("console", lambda message, seen=messages: seen.append(message.text))
                page.goto(path.as_uri())
                card = page.locator(".card").first.evaluate("card => getComputedStyle(card).borderTopLeftRadius")
                background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                assert card == "6px"  # the report's own style sheet applies
                assert background != "rgb(255, 0, 0)"
                refusals[name] = [m for m in messages if "Content Security Policy" in m]
                page.close()
        finally:
            browser.close()
    assert refusals["report"] == []
    assert refusals["tampered"]  # the policy is on, and says what it refused

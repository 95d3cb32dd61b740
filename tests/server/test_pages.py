"""The validation page and the dashboard over real HTTP, without a browser
(test_pages_browser.py covers the same pages in chromium when it is installed)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx

SAMPLE = Path(__file__).resolve().parents[2] / "sample_inputs" / "musee-fjord-bleu" / "collection.csv"


def upload() -> bytes:
    """The sample's header and three objects, re-encoded as UTF-8 (the sample is cp1252)."""
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    return "\n".join(lines[:4]).encode("utf-8")


def post(client: httpx.Client, url: str) -> httpx.Response:
    return client.post(url, files={"file": ("collection.csv", upload(), "text/csv")},
                       data={"profile": "mapping:musee-csv"})


def test_an_upload_is_reported_on_the_page(demo_server: str, client: httpx.Client) -> None:
    response = post(client, f"{demo_server}/validate?lang=en")
    assert response.status_code == 200
    assert "collection.csv" in response.text and "Person-sameAs" in response.text


def test_an_upload_is_reported_as_csv(demo_server: str, client: httpx.Client) -> None:
    response = post(client, f"{demo_server}/validate/report.csv")
    assert response.status_code == 200
    assert 'filename="collection-report.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["record"] for row in rows} <= {"10001", "10002", "10003"} and rows
    assert all(row["severity"] in {"violation", "warning", "info"} for row in rows)


def test_an_upload_in_an_unknown_format_is_refused(demo_server: str, client: httpx.Client) -> None:
    response = client.post(f"{demo_server}/validate?lang=en", files={"file": ("notes.docx", b"x", "text/plain")},
                           data={"profile": "mapping:musee-csv"})
    assert response.status_code == 422


def test_dashboard_counts_objects_per_region(demo_server: str, client: httpx.Client) -> None:
    figures = client.get(f"{demo_server}/dashboard", params={"format": "json"}).json()
    assert figures["sources"] == []  # the demo snapshot has no run reports
    (region,) = figures["regions"]
    assert region["label"] == "Saguenay–Lac-Saint-Jean" and region["objects"] == 30
    assert client.get(f"{demo_server}/dashboard").status_code == 200


def test_a_query_link_opens_the_page_with_the_query(demo_server: str, client: httpx.Client) -> None:
    """The permalink without JavaScript: the query fills the form and the link to it."""
    query = 'ASK { ?s ?p "<é & ü>" }'
    response = client.get(f"{demo_server}/query", params={"lang": "en", "query": query})
    assert response.status_code == 200
    assert 'ASK { ?s ?p &#34;&lt;é &amp; ü&gt;&#34; }</textarea>' in response.text
    assert 'href="/query?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%3C%C3%A9%20%26%20%C3%BC%3E%22%20%7D"' in response.text
    assert "Data stewards" in response.text and "Museums" in response.text and "Developers" in response.text

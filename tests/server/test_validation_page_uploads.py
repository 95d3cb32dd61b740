"""The validation page's upload and downloads: the body streamed to disk under
`server.upload_limit` (refused as soon as it crosses it, nothing left on disk), and the report
kept a while, never the file, for downloads that are the CLI's `--format json/csv/html`."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from harness import publish

from culturedata.resources import shapes_dir

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "sample_inputs" / "musee-fjord-bleu" / "collection.csv"
TOKEN = re.compile(r'href="/validate/report\.csv\?report=([^&"]+)&amp;lang=(\w+)"')


@pytest.fixture
def page(serve, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if not any(shapes_dir().glob("*.ttl")):
        pytest.skip("no SHACL shapes in shapes/ yet")
    return serve(publish(tmp_path / "store", []), upload_limit=2_000_000)


def uploads_on_disk() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("culturedata-upload-*")}


def demo_head(rows: int) -> bytes:
    """The demo export's header and first `rows` rows, as the museum sends it (Windows-1252)."""
    return b"\n".join(DEMO.read_bytes().splitlines()[:rows + 1]) + b"\n"


def multipart(data: bytes, name: str = "collection.csv", profile: str = "mapping:musee-csv") -> tuple[bytes, str]:
    boundary = "culturedataboundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="profile"\r\n\r\n{profile}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def chunked(body: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


@pytest.mark.parametrize(("lang", "words"), [("en", "larger than the limit of 2 MB"), ("fr", "dépasse la limite de 2 Mo")])
def test_a_chunked_upload_past_the_limit_is_refused_while_streaming(
    page: str, client: httpx.Client, lang: str, words: str
) -> None:
    before = uploads_on_disk()
    body, kind = multipart(b"id;titre\n" + b"1;abc\n" * 600_000)  # 3.6 MB, with no Content-Length to trust
    try:
        answer = client.post(f"{page}/validate?lang={lang}", content=chunked(body), headers={"Content-Type": kind})
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pytest.fail("the server closed the connection instead of answering 413")
    assert answer.status_code == 413
    assert words in answer.text
    assert uploads_on_disk() <= before
    assert client.get(page + "/validate").status_code == 200


def test_a_declared_length_past_the_limit_is_refused_before_reading(page: str, client: httpx.Client) -> None:
    body, kind = multipart(b"1;abc\n" * 400_000)
    answer = client.post(f"{page}/validate?lang=en", content=body, headers={"Content-Type": kind})
    assert answer.status_code == 413 and "larger than the limit of 2 MB" in answer.text


def test_an_upload_within_the_limit_leaves_nothing_on_disk(page: str, client: httpx.Client) -> None:
    before = uploads_on_disk()
    body, kind = multipart(DEMO.read_bytes())
    answer = client.post(f"{page}/validate?lang=en", content=chunked(body, 4096), headers={"Content-Type": kind})
    assert answer.status_code == 200 and "40</strong>" in answer.text
    assert uploads_on_disk() <= before


def test_a_post_that_is_not_a_form_with_a_file_is_refused(page: str, client: httpx.Client) -> None:
    assert client.post(f"{page}/validate?lang=en", content=b"id;titre\n").status_code == 400
    answer = client.post(f"{page}/validate?lang=en", data={"profile": "mapping:musee-csv"},
                         files={"other": ("x.csv", b"id\n1\n")})
    assert answer.status_code == 400 and "Choose a file" in answer.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_downloads_are_the_commands_reports_without_posting_the_file_again(
    page: str, client: httpx.Client, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str  # type: ignore[no-untyped-def]
) -> None:
    # Rows the page and the command compose alike (the whole demo has a repeated id, which
    # only the command checks until both use one validation service: issue 18).
    data = demo_head(20)
    export = tmp_path / "collection.csv"
    export.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    shown = client.post(f"{page}/validate?lang={lang}", data={"profile": "mapping:musee-csv"},
                        files={"file": ("collection.csv", data)})
    assert shown.status_code == 200
    found = TOKEN.search(shown.text)
    assert found is not None and found.group(2) == lang
    for fmt in ("json", "csv", "html"):
        download = client.get(f"{page}/validate/report.{fmt}", params={"report": found.group(1), "lang": lang})
        assert download.status_code == 200, download.text[:300]
        assert f'filename="collection-report.{fmt}"' in download.headers["content-disposition"]
        command = cli("--lang", lang, "validate", "collection.csv", "--mapping", "musee-csv", "--format", fmt)
        assert command.code in (0, 1), command.err
        assert without_time(download.text) == without_time(command.out), fmt


def without_time(text: str) -> str:
    """The HTML report says when it was made, to the minute."""
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "TIME", text)


def test_an_unknown_or_expired_report_is_said_so(page: str, client: httpx.Client) -> None:
    answer = client.get(f"{page}/validate/report.csv", params={"report": "nothing-of-the-sort", "lang": "en"})
    assert answer.status_code == 410 and "no longer kept" in answer.text
    assert client.get(f"{page}/validate/report.exe", params={"report": "x"}).status_code == 404


def test_the_page_says_what_was_checked_and_that_the_file_is_not_kept(page: str, client: httpx.Client) -> None:
    answer = client.post(f"{page}/validate?lang=fr", data={"profile": "mapping:musee-csv"},
                         files={"file": ("collection.csv", DEMO.read_bytes())})
    assert "Vérifié : collection.csv" in answer.text and "effacé une fois lu" in answer.text
    assert "Seul ce rapport est gardé, en mémoire, 15 minutes" in answer.text
    counts = re.search(r'id="by-rule".*?</section>', answer.text, re.S)
    assert counts is not None and "HeritageObject-additionalType" in counts.group()
    by_column = re.search(r'id="by-column".*?</section>', answer.text, re.S)
    # the export's own columns, as its header names them (the mapping's aliases resolved)
    assert by_column is not None and 'data-name="titre_fr/titre_en/nom_objet"' in by_column.group()
    assert 'data-name="createur"' in by_column.group()

"""The validation page on exports as museums send them: in another encoding than the chosen
source declares, with columns dropped or renamed, and every error it can answer, none of
which may show the server's temporary path."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path

import httpx
import pytest
from harness import publish

from bombs import zip_bomb
from culturedata.config import load_config
from culturedata.resources import shapes_dir

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "sample_inputs" / "musee-fjord-bleu" / "collection.csv"
SOURCE = "source:musee-fjord-bleu"  # declares Windows-1252 and semicolons
# The server's temporary folder, and any absolute path of the machine's usual roots.
TEMP = re.escape(tempfile.gettempdir())
SERVER_PATH = re.compile(rf"(?:{TEMP}|/tmp/|/var/|/home/|/root/|/work/|culturedata-upload-)")


@pytest.fixture
def page(serve, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if not any(shapes_dir().glob("*.ttl")):
        pytest.skip("no SHACL shapes in shapes/ yet")
    return serve(publish(tmp_path / "store", []), config=load_config(ROOT / "culturedata.toml"),
                 upload_limit=2_000_000)


def demo_text() -> str:
    return DEMO.read_bytes().decode("cp1252")


def post(client: httpx.Client, url: str, name: str, data: bytes, profile: str = SOURCE,
         lang: str = "fr") -> httpx.Response:
    return client.post(f"{url}?lang={lang}", data={"profile": profile}, files={"file": (name, data)})


def no_server_path(answer: httpx.Response) -> None:
    found = SERVER_PATH.search(answer.text)
    assert found is None, answer.text[max(found.start() - 200, 0):found.end() + 200]


def test_an_excel_csv_utf8_export_is_read_under_a_windows_1252_source(page: str, client: httpx.Client) -> None:
    answer = post(client, page + "/validate/report.json", "collection.csv",
                  b"\xef\xbb\xbf" + demo_text().encode("utf-8"))
    assert answer.status_code == 200, answer.text[:500]
    assert answer.json()["summary"]["records"] == 40
    assert "encoding" not in answer.json()["summary"]["rules"]


def test_a_utf8_export_under_a_windows_1252_source_is_a_finding_first(page: str, client: httpx.Client) -> None:
    data = demo_text().encode("utf-8")
    report = post(client, page + "/validate/report.json", "collection.csv", data).json()
    [encoding] = report["findings"]  # about the file, first, and not a record
    assert encoding["rule"] == "encoding" and encoding["severity"] == "violation"
    assert "UTF-8" in encoding["message"]["fr"] and report["summary"]["records"] == 40
    for lang in ("fr", "en"):
        answer = post(client, page + "/validate", "collection.csv", data, lang=lang)
        assert answer.status_code == 200
        assert "UTF-8" in answer.text and "Windows-1252" in answer.text
        no_server_path(answer)


def test_dropped_and_renamed_columns_are_named_on_the_page(page: str, client: httpx.Client) -> None:
    rows = [row for row in csv.reader(io.StringIO(demo_text(), newline=""), delimiter=";") if any(row)]
    drop = rows[0].index("numero_accession")
    rows = [row[:drop] + row[drop + 1:] for row in rows]
    rows[0][rows[0].index("titre_fr")] = "titre_francais"
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows(rows)
    report = post(client, page + "/validate/report.json", "export.csv", text.getvalue().encode("cp1252")).json()
    assert [f["rule"] for f in report["findings"][:2]] == ["column-missing", "column-renamed"]
    assert report["summary"]["rules"]["column-missing"] == 1


@pytest.mark.parametrize(("name", "data", "words"), [
    ("export.csv", b"numero;titre\r\n1;Goelette\r\n", ["export.csv", "id"]),  # no id column
    ("organismes.json", b"\xff\xfe{[", ["organismes.json"]),  # unreadable JSON
    ("lido.xml", b"<lido:lidoWrap xmlns:lido='http://www.lido-schema.org'><lido:lido>", ["lido.xml"]),
    ("C:\\Users\\musee\\Bureau\\export.csv", b"numero\r\n1\r\n", ["export.csv"]),  # a browser's full path
])
def test_errors_name_the_upload_never_the_server_path(
    page: str, client: httpx.Client, name: str, data: bytes, words: list[str]
) -> None:
    profile = {".csv": SOURCE, ".json": "mapping:organismes-json", ".xml": "mapping:lido"}[Path(name).suffix]
    for lang in ("fr", "en"):
        answer = post(client, page + "/validate", name, data, profile, lang)
        assert answer.status_code in (200, 422), answer.text[:300]
        no_server_path(answer)
        assert all(word in answer.text for word in words)
        assert "Users" not in answer.text


def test_a_zip_bomb_is_refused_naming_the_upload(page: str, client: httpx.Client, tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.zip", "collection.csv", 64 << 20, header=b"id;titre\n", line=b"1;abc\n")
    for lang in ("fr", "en"):
        answer = post(client, page + "/validate", "collection.csv", bomb.read_bytes(), lang=lang)
        assert answer.status_code == 422
        assert "collection.csv" in answer.text and ("bomb" in answer.text or "bombe" in answer.text)
        no_server_path(answer)


def test_a_broken_zip_is_refused_naming_the_upload(page: str, client: httpx.Client, tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("collection.csv", "id;titre\n1;a\n" * 1000)
    data = archive.read_bytes()
    broken = data[:40] + bytes(200) + data[240:]  # the member's bytes, not its directory
    answer = post(client, page + "/validate", "collection.csv", broken, lang="en")
    assert answer.status_code == 422, answer.text[:300]
    assert "collection.csv" in answer.text
    no_server_path(answer)


def test_a_workbook_is_checked_as_its_csv(page: str, client: httpx.Client) -> None:
    from kind_samples import demo_rows, workbook

    as_csv = post(client, page + "/validate/report.json", "collection.csv", DEMO.read_bytes()).json()
    as_xlsx = post(client, page + "/validate/report.json", "collection.xlsx", workbook(demo_rows())).json()
    assert as_xlsx["summary"] == as_csv["summary"]


def test_a_workbook_bomb_is_refused_naming_the_upload(page: str, client: httpx.Client, tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", 64 << 20)
    for lang in ("fr", "en"):
        answer = post(client, page + "/validate", "collection.xlsx", bomb.read_bytes(), lang=lang)
        assert answer.status_code == 422
        assert "collection.xlsx" in answer.text
        no_server_path(answer)
    answer = post(client, page + "/validate", "collection.xlsx", b"not a workbook", lang="en")
    assert answer.status_code == 422 and "collection.xlsx" in answer.text
    no_server_path(answer)

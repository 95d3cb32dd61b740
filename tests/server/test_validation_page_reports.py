"""The validation page and `culturedata validate` give one report (issue 18): every sample input
and broken copies of the demo export are uploaded to the running page, and its JSON report must
equal the command's, its CSV, HTML, text and Turtle downloads the command's bytes, for the same
file and language."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from harness import publish

from culturedata.config import load_config
from culturedata.harvest import KINDS_BY_SUFFIX
from culturedata.resources import shapes_dir

ROOT = Path(__file__).resolve().parents[2]
DEMO = Path("sample_inputs/musee-fjord-bleu/collection.csv")
FJORD = "source:musee-fjord-bleu"  # Windows-1252, semicolons
# Files of sample_inputs/ a kind reads that are no export of their own: the OAI-PMH datestamps of
# the LIDO demo (read by its test server) and the theatre site's sitemap (read by its crawl).
NOT_EXPORTS = {"musee-anse-aux-brumes/datestamps.csv", "theatre-deux-rives/sitemap.xml"}


@dataclass(frozen=True)
class Upload:
    path: Path  # in the demo project: the command reads it there, the page gets its bytes
    profile: str  # the page's choice
    mapping: str  # the command's --mapping

    @property
    def name(self) -> str:
        return self.path.name


@pytest.fixture
def page(serve, demo_project: Path) -> str:  # type: ignore[no-untyped-def]
    if not any(shapes_dir().glob("*.ttl")):
        pytest.skip("no SHACL shapes in shapes/ yet")
    config = load_config(demo_project / "culturedata.toml")
    return serve(publish(demo_project / "var" / "store", []), config=config, upload_limit=5_000_000)


def uploaded(client: httpx.Client, page: str, upload: Upload, fmt: str, lang: str) -> httpx.Response:
    answer = client.post(f"{page}/validate/report.{fmt}?lang={lang}", data={"profile": upload.profile},
                         files={"file": (upload.name, upload.path.read_bytes())})
    assert answer.status_code == 200, answer.text[:500]
    return answer


def command(cli, upload: Upload, fmt: str, lang: str) -> str:  # type: ignore[no-untyped-def]
    done = cli("--lang", lang, "validate", str(upload.path.relative_to(Path.cwd())), "--mapping", upload.mapping,
               "--format", fmt)
    assert done.code in (0, 1), done.err
    return str(done.out)


def same_reports(cli, client: httpx.Client, page: str, upload: Upload,  # type: ignore[no-untyped-def]
                 formats: tuple[str, ...] = ("json", "csv", "html")) -> dict:  # type: ignore[type-arg]
    """The page's report equals the command's in every format asked; the JSON report, read."""
    report: dict = json.loads(command(cli, upload, "json", "fr"))  # type: ignore[type-arg]
    assert uploaded(client, page, upload, "json", "fr").json() == report
    for fmt in formats:
        for lang in ("fr", "en"):
            assert uploaded(client, page, upload, fmt, lang).content == command(cli, upload, fmt, lang).encode(
                "utf-8"), (upload.name, fmt, lang)
    return report


def sample_uploads(project: Path) -> list[Upload]:
    """Every file of sample_inputs/ that a configured demo source reads, under that source."""
    config = load_config(project / "culturedata.toml")
    by_path = {source.path: source for source in config.sources if source.path is not None and source.path.is_file()}
    uploads, others = [], set()
    for path in sorted((project / "sample_inputs").rglob("*")):
        if not path.is_file() or path.suffix.lower() not in KINDS_BY_SUFFIX:
            continue
        source = by_path.get(path.resolve())
        if source is None:
            others.add(path.relative_to(project / "sample_inputs").as_posix())
            continue
        uploads.append(Upload(path, f"source:{source.id}", source.mapping))
    assert others == NOT_EXPORTS  # a new sample is matched with its source here, or said to be none
    return uploads


def test_every_sample_input_gives_the_page_the_commands_report(
    page: str, client: httpx.Client, demo_project: Path, cli  # type: ignore[no-untyped-def]
) -> None:
    uploads = sample_uploads(demo_project)
    assert {u.name for u in uploads} == {"collection.csv", "lido.xml", "organismes.json"}
    for upload in uploads:
        report = same_reports(cli, client, page, upload, ("json", "csv", "html", "text", "ttl"))
        assert report["summary"]["records"] > 1


def demo_rows(project: Path) -> list[list[str]]:
    text = (project / DEMO).read_bytes().decode("cp1252")
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") if any(row)]


def written(project: Path, rows: list[list[str]], encoding: str = "cp1252", bom: bool = False) -> Path:
    """`rows` as the demo source's file (so the command reads it with that source's options)."""
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(rows)
    data = text.getvalue().encode(encoding)
    (project / DEMO).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return project / DEMO


def without(rows: list[list[str]], column: str) -> list[list[str]]:
    drop = rows[0].index(column)
    return [row[:drop] + row[drop + 1:] for row in rows]


def renamed(rows: list[list[str]], column: str, to: str) -> list[list[str]]:
    return [[to if cell == column else cell for cell in rows[0]], *rows[1:]]


def duplicated(rows: list[list[str]]) -> list[list[str]]:
    """Row 10007 given twice: the page used to merge them and report the merged record on both."""
    twice = next(row for row in rows if row[0] == "10007")
    return [*rows, twice[:1] + [cell + " (copie)" if cell else cell for cell in twice[1:]]]


def bad_dates(rows: list[list[str]]) -> list[list[str]]:
    dates = [index for index, name in enumerate(rows[0]) if "date" in name]
    assert dates, rows[0]
    return [rows[0], *([("31/02/1890" if i in dates else cell) for i, cell in enumerate(row)] for row in rows[1:])]


BROKEN = {
    "duplicate id": lambda rows: (duplicated(rows), "cp1252", False),
    "missing column": lambda rows: (without(rows, "numero_accession"), "cp1252", False),
    "renamed column": lambda rows: (renamed(rows, "titre_fr", "titre_francais"), "cp1252", False),
    "bad dates": lambda rows: (bad_dates(rows), "cp1252", False),
    "excel utf-8 with a bom": lambda rows: (rows, "utf-8", True),
    "utf-8 under windows-1252 (mojibake)": lambda rows: (rows, "utf-8", False),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_export_gives_the_page_the_commands_report(
    page: str, client: httpx.Client, demo_project: Path, cli, case: str  # type: ignore[no-untyped-def]
) -> None:
    rows, encoding, bom = BROKEN[case](demo_rows(demo_project))
    upload = Upload(written(demo_project, rows, encoding, bom), FJORD, "musee-csv")
    report = same_reports(cli, client, page, upload)
    if case == "duplicate id":
        again = [r for r in report["records"] if any(f["rule"] == "duplicate-id" for f in r["findings"])]
        assert "10007" in [r["id"] for r in again] and report["summary"]["records"] == 41
        first = next(r for r in report["records"] if r["id"] == "10007")
        assert not any(f["rule"] == "duplicate-id" for f in first["findings"])  # the first is checked as itself
    if case == "renamed column":
        assert [f["rule"] for f in report["findings"]] == ["column-renamed"]
    if case == "utf-8 under windows-1252 (mojibake)":
        assert [f["rule"] for f in report["findings"]] == ["encoding"]


def test_a_workbook_gives_the_page_the_commands_report(
    page: str, client: httpx.Client, demo_project: Path, cli  # type: ignore[no-untyped-def]
) -> None:
    from kind_samples import workbook

    book = demo_project / "collection.xlsx"
    book.write_bytes(workbook(demo_rows(demo_project)))
    report = same_reports(cli, client, page, Upload(book, "mapping:musee-csv", "musee-csv"))
    assert report["summary"]["records"] == 40


def test_an_upload_saved_to_a_file_is_checked_as_its_bytes(tmp_path: Path) -> None:
    """The upload route may stream the file to disk and hand over its path: the same report, the
    file named by its upload name, and the saved file left where it was for its owner to delete."""
    from culturedata.server.validation import profiles, validate_upload

    profile = next(p for p in profiles(None) if p.key == "mapping:musee-csv")
    saved = tmp_path / "upload-0001.part"
    saved.write_bytes((ROOT / DEMO).read_bytes())
    from_path = validate_upload(saved, "collection.csv", profile, "http://127.0.0.1:8000/", 10_000_000)
    from_bytes = validate_upload(saved.read_bytes(), "collection.csv", profile, "http://127.0.0.1:8000/", 10_000_000)
    assert from_path == from_bytes and from_path.summary.records == 40
    assert saved.is_file()

"""Findings a person can act on: each names the row and the column of the export the value came
from (the mapping's `fields:` aliases resolved to the real header), the value, and what is expected.
Over the demo export with broken cells, through `culturedata validate` in every format."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from kind_samples import demo_rows, workbook

CDS = "https://w3id.org/culturedata/shapes/"


def broken_rows() -> list[list[str]]:
    """Row 10001 (line 2) with a start date the calendar lacks, row 10002 (line 3) whose creator is
    unknown and whose titles and object name are empty, row 10003 (line 4) with an image URL that
    is no address."""
    rows = demo_rows()
    header = rows[0]

    def put(record: str, **cells: str) -> None:
        row = next(r for r in rows if r and r[0] == record)
        for column, value in cells.items():
            row[header.index(column)] = value

    put("10001", date_debut="31/02/1901")
    put("10002", createur="inconnu", titre_fr="", titre_en="", nom_objet="")
    put("10003", image_url="pas une adresse")
    return rows


def write_csv(folder: Path, rows: list[list[str]]) -> Path:
    path = folder / "collection.csv"
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def findings(report: dict[str, Any], record: str) -> list[dict[str, Any]]:
    return next(r["findings"] for r in report["records"] if r["id"] == record)


def one(found: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    matching = [f for f in found if f["rule"] == rule]
    assert len(matching) >= 1, [f["rule"] for f in found]
    return matching[0]


@pytest.fixture
def broken(demo_project: Path) -> Path:
    return write_csv(demo_project, broken_rows())


def test_json_report_names_the_column_and_the_cell_of_each_broken_value(cli, broken: Path) -> None:
    result = cli("validate", str(broken), "--mapping", "musee-csv", "--format", "json")
    assert result.code == 1, result.err
    report = result.json()

    # A template's value ({date_from}/{date_to}): the cell that fails on its own, in its column.
    date = [f for f in findings(report, "10001") if f["rule"] == "unreadable-value"]
    assert {(f["column"], f["value"], f["location"]) for f in date} == {("date_debut", "31/02/1901", "line 2")}
    assert all("31/02/1901/1940" in f["message"]["en"] for f in date)  # the message keeps what was read

    row = findings(report, "10002")
    name = one(row, CDS + "HeritageObject-name")
    assert (name["column"], name["location"]) == ("titre_fr/titre_en/nom_objet", "line 3")
    creator = one(row, CDS + "HeritageObject-creator")
    assert creator["column"] == "createur"

    image = one(findings(report, "10003"), "unreadable-value")
    assert (image["column"], image["value"], image["location"]) == ("image_url", "pas une adresse", "line 4")


def test_a_property_no_column_feeds_says_the_mapping_must_change(cli, broken: Path) -> None:
    report = cli("validate", str(broken), "--mapping", "musee-csv", "--format", "json").json()
    caption = one(findings(report, "10001"), CDS + "MediaObject-caption")
    assert caption["column"] is None
    assert "the mapping (musee-csv), not the export, must change" in caption["message"]["en"]
    assert "c'est la correspondance (musee-csv), pas l'export, qu'il faut changer" in caption["message"]["fr"]


def test_every_format_names_the_column(cli, broken: Path) -> None:
    def report(fmt: str, lang: str = "en") -> str:
        result = cli("--lang", lang, "validate", str(broken), "--mapping", "musee-csv", "--format", fmt)
        assert result.code == 1, result.err
        return result.out

    assert "- 10002 (ligne 3, colonne titre_fr/titre_en/nom_objet) schema:name" in report("text", "fr")
    assert "- 10001 (line 2, column date_debut) {date_from}/{date_to} = '31/02/1901'" in report("text")
    rows = list(csv.DictReader(io.StringIO(report("csv"))))
    assert {(r["record"], r["column"], r["value"]) for r in rows if r["rule"] == "unreadable-value"} >= {
        ("10001", "date_debut", "31/02/1901"), ("10003", "image_url", "pas une adresse")}
    assert 'cdr:column "date_debut"' in report("ttl")
    html = report("html", "fr")
    assert "<th>Colonne</th>" in html and "<code>titre_fr/titre_en/nom_objet</code>" in html


def test_a_workbook_finding_names_sheet_row_and_header(cli, demo_project: Path) -> None:
    book = demo_project / "collection.xlsx"
    book.write_bytes(workbook(list(broken_rows())))
    result = cli("validate", str(book), "--mapping", "musee-csv", "--format", "json")
    assert result.code == 1, result.err
    image = one(findings(result.json(), "10003"), "unreadable-value")
    assert (image["location"], image["column"], image["value"]) == ("line 4 [Collection]", "image_url",
                                                                     "pas une adresse")


LIDO = Path("sample_inputs/musee-anse-aux-brumes/lido.xml")
JSON = Path("sample_inputs/reseau-culture-laurentides/organismes.json")


def test_a_broken_lido_record_names_the_element_path_and_its_line(cli, demo_project: Path) -> None:
    lines = (demo_project / LIDO).read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[508].strip() == "<lido:earliestDate>1932</lido:earliestDate>"  # line 509, in record MMAB-0003
    lines[508] = lines[508].replace("1932", "31/02/1932")
    (demo_project / LIDO).write_text("".join(lines), encoding="utf-8")
    result = cli("validate", str(demo_project / LIDO), "--mapping", "lido", "--format", "json")
    assert result.code in (0, 1), result.err
    date = one(findings(result.json(), "MMAB-0003"), "unreadable-value")
    assert date["column"] == ("/lidoWrap/lido[3]/descriptiveMetadata/eventWrap/eventSet[1]/event/eventDate/date/"
                              "earliestDate")
    assert (date["location"], date["value"]) == ("/lidoWrap/lido[3], line 509", "31/02/1932")
    text = cli("--lang", "fr", "validate", str(demo_project / LIDO), "--mapping", "lido").out
    assert "MMAB-0003 (/lidoWrap/lido[3], ligne 509, colonne /lidoWrap/lido[3]/descriptiveMetadata/" in text


def test_a_json_export_names_the_pointer_of_the_value(cli, demo_project: Path) -> None:
    text = (demo_project / JSON).read_text(encoding="utf-8")
    assert text.count('"site_web": "https://') >= 2
    first, second, rest = text.split('"site_web": "', 2)
    (demo_project / JSON).write_text(first + '"site_web": "' + second + '"site_web": "pas une adresse", "x": "' + rest,
                                     encoding="utf-8")
    result = cli("validate", "reseau-culture-laurentides", "--format", "json")
    assert result.code in (0, 1), result.err
    report = result.json()
    url = next(f for r in report["records"] for f in r["findings"] if f["rule"] == "unreadable-value")
    assert (url["column"], url["value"]) == ("/data/organismes/1/site_web", "pas une adresse")

"""CSV reports open in spreadsheets: a cell a spreadsheet would read as a formula (OWASP, CSV
injection: a start of `=`, `+`, `-`, `@`, tab or CR) is written with a leading `'`, whatever
the export's ids and values hold."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from validation_inputs import BAD, fixture_args

from culturedata.validate import spreadsheet_csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_IDS = ['=HYPERLINK("http://evil.example","clic")', "@SUM(1+1)", "+1+1", "-2+3"]


def hostile_export(folder: Path) -> Path:
    """bad.csv's header, and records whose ids and values are formulas (and with no title, so
    each has a finding that names it)."""
    header = BAD.read_text(encoding="utf-8").splitlines()[0]
    rows = [f"{id_};;;Sans titre.;https://musee.example/{n};;;" for n, id_ in enumerate(HOSTILE_IDS)]
    rows.append("20;;;Sans titre.;=cmd|' /C calc'!A0;;;")
    export = folder / "formules.csv"
    export.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return export


def assert_neutralised(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    return rows


def test_the_cli_csv_report_neutralises_formulas(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", hostile_export(tmp_path), *fixture_args("--format", "csv"))
    assert result.code == 1, result.err
    rows = assert_neutralised(result.out)
    assert {"'" + id_ for id_ in HOSTILE_IDS} <= {row["record"] for row in rows}
    assert "'=cmd|' /C calc'!A0" in {row["value"] for row in rows}


def test_every_cell_is_neutralised_and_nothing_else() -> None:
    cells = ["=1", "+1", "-1", "@A1", "\tx", "\rx", "1=1", "a-b", " =x", "", "'=déjà", "x\r=1+1", "x\n@A1"]
    for terminator in ("\n", "\r\n"):
        text = spreadsheet_csv([cells, ["a"]], lineterminator=terminator)
        # As a spreadsheet reads it: a CR or LF anywhere outside quotes ends a row.
        first, second = csv.reader(io.StringIO(text, newline=""))
        assert first == ["'=1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "1=1", "a-b", " =x", "", "'=déjà", "x\r=1+1",
                         "x\n@A1"]
        assert second == ["a"]

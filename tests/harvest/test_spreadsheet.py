"""Spreadsheet exports (.xlsx, harvest/spreadsheet.py): a row reads as the CSV row of the same
columns would, with its sheet and row in the location, bounded like any archive."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from harvest_peers import make_source, sample

from bombs import zip_bomb
from culturedata.errors import InputError
from culturedata.harvest import HarvestOptions, harvest
from culturedata.harvest.spreadsheet import CELL_LIMIT
from culturedata.records import SourceRecord
from kind_samples import demo_rows, workbook


def read(path: Path, kind: str = "xlsx", **options: object) -> list[SourceRecord]:
    return list(harvest(make_source(kind, path=path, **options), HarvestOptions()))


def saved(tmp_path: Path, data: bytes, name: str = "collection.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_demo_export_as_a_workbook_reads_as_its_csv(tmp_path: Path) -> None:
    csv_records = read(sample("musee-fjord-bleu", "collection.csv"), "csv", encoding="cp1252", delimiter=";")
    records = read(saved(tmp_path, workbook(demo_rows())))
    assert [r.payload for r in records] == [r.payload for r in csv_records]
    assert [r.local_id for r in records] == [r.local_id for r in csv_records]
    assert records[0].location == "line 2 [Collection]"
    assert records[-1].location == "line 42 [Collection]"  # rows (a blank one skipped), not the CSV's lines


def test_cells_read_as_a_csv_export_writes_them(tmp_path: Path) -> None:
    rows: list[list[object]] = [["id", "date_debut", "dimensions", "don", "titre_fr"],
                                [10001, datetime(1935, 5, 1), 61.5, True, None],
                                [],
                                [10002, datetime(1935, 5, 1, 14, 30), 1987.0, False, "  Berceau "]]
    first, second = read(saved(tmp_path, workbook(rows)), multivalue={}, sentinels=[])
    assert first.payload == {"id": "10001", "date_debut": "1935-05-01", "dimensions": "61.5", "don": "true",
                             "titre_fr": ""}
    assert second.payload["date_debut"] == "1935-05-01T14:30:00" and second.payload["dimensions"] == "1987"
    assert second.location == "line 4 [Collection]"  # the blank row is skipped, its number kept


def test_the_sheet_is_chosen_by_name_or_position(tmp_path: Path) -> None:
    path = saved(tmp_path, workbook(demo_rows(), "Notes", "Vide"))
    assert len(read(path, sheet="Notes")) == len(read(path, sheet=1)) == len(read(path)) == 40
    assert read(path, sheet=2) == []  # an empty sheet has no records
    with pytest.raises(InputError) as caught:
        read(path, sheet="Collection")
    assert "Notes, Vide" in str(caught.value) and "options.sheet" in str(caught.value)


def forged(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook `data` with `old` replaced by `new` in its sheet: what no spreadsheet program writes."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in source.infolist():
            content = source.read(member.filename)
            archive.writestr(member, content.replace(old, new) if "worksheets" in member.filename else content)
    return out.getvalue()


def test_a_cell_past_excels_limit_quarantines_its_row_naming_the_column(tmp_path: Path) -> None:
    rows: list[list[object]] = [["id", "description_fr"], ["1", "court"], ["2", "x" * CELL_LIMIT], ["3", "ok"]]
    data = forged(workbook(rows), b"x" * CELL_LIMIT, b"x" * (CELL_LIMIT + 1))
    records = read(saved(tmp_path, data))
    assert [r.local_id for r in records] == ["1", "2", "3"]
    (finding,) = records[1].findings
    assert finding.rule == "cell-too-long" and finding.path == "description_fr"
    assert "line 3 [Collection]" in finding.message["en"] and records[1].payload == {}
    assert not records[0].findings and records[2].payload["description_fr"] == "ok"


def test_a_zip_bomb_workbook_is_refused_as_a_file(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bombe.xlsx", "xl/worksheets/sheet1.xml", 64 << 20)
    with pytest.raises(InputError) as caught:
        read(path)
    assert caught.value.code == "harvest.limit.ratio" and "bombe.xlsx" in str(caught.value)
    with pytest.raises(InputError) as caught:
        read(saved(tmp_path, workbook(demo_rows())), max_decoded_bytes=10_000)
    assert caught.value.code == "harvest.limit.decoded"


def test_a_file_that_is_no_workbook_is_unreadable(tmp_path: Path) -> None:
    for data in (b"id;titre\n1;a\n", workbook(demo_rows())[:2000]):
        with pytest.raises(InputError) as caught:
            read(saved(tmp_path, data))
        assert caught.value.code == "harvest.unreadable" and "collection.xlsx" in str(caught.value)
    archive = tmp_path / "autre.xlsx"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("notes.txt", "pas un classeur")
    with pytest.raises(InputError):
        read(archive)


def test_a_workbook_without_the_id_column_names_its_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read(saved(tmp_path, workbook([["numero", "titre"], ["1", "a"]])))
    assert caught.value.code == "harvest.csv_no_id_column" and "numero, titre" in str(caught.value)

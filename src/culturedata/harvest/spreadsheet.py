"""Spreadsheet exports (.xlsx), read as museums send them: one record per row of one sheet.

A row becomes the record a CSV row would (column → text, the header's names as keys), so a
CSV mapping reads an .xlsx of the same columns unchanged; `id_column`, `multivalue` and
`sentinels` work as for CSV. Values are the ones Excel shows (formulas' cached results);
numbers are written without a trailing `.0`, dates as ISO 8601 (`1935-05-01`, with the time
when there is one). Each record's location is `line N [sheet]`: the row as Excel numbers it.

openpyxl reads the file in read-only mode, row by row. An .xlsx is a zip archive: it is read
only when its members, as the archive's directory declares them, decode within the source's
`max_decoded_bytes` and `max_ratio` (zipfile never decodes a member past its declared size,
so that bounds everything openpyxl reads), else it is refused as a file. A cell longer than
Excel's own limit (CELL_LIMIT: no spreadsheet program wrote it) quarantines its row, with a
finding naming the row and the column. The
sheet's declared dimensions are ignored (a forged one would make openpyxl pad millions of
empty cells): only the cells the sheet holds are read.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from openpyxl import load_workbook
from openpyxl.cell.read_only import EmptyCell, ReadOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from culturedata.errors import InputError
from culturedata.harvest.inputs import FILE_OPTIONS, Document, check_archive, documents
from culturedata.harvest.limits import Limits, refused
from culturedata.harvest.options import read_options
from culturedata.harvest.rowhash import RowHasher
from culturedata.harvest.tabular import clean
from culturedata.records import SourceRecord

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

OPTIONS: dict[str, tuple[Any, Any]] = {
    "sheet": ((str, int), 1),  # a sheet's name, or its position (1: the first)
    "id_column": (str, "id"),
    "multivalue": (dict, {}),
    "sentinels": (list, []),
    **FILE_OPTIONS,
}
CELL_LIMIT = 32_767  # characters: Excel's limit for one cell
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What openpyxl raises on a file that is no workbook, or a broken one (its XML: SyntaxError's
# ParseError; its compressed parts: zlib.error), found by tests/fuzz.
BROKEN = (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError, SyntaxError,
          zlib.error, struct.error)


def harvest_xlsx(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    limits = Limits.from_options(opts, source.where)
    for document in documents(source, opts, options, archives=False):
        yield from read_xlsx(source.id, document, opts, limits)


def read_xlsx(source_id: str, document: Document, opts: dict[str, Any], limits: Limits) -> Iterator[SourceRecord]:
    """The rows of the chosen sheet, streamed."""
    _check_size(document, limits)
    try:
        book = load_workbook(document.path, read_only=True, data_only=True)
    except BROKEN as exc:
        raise InputError("harvest.unreadable", path=document.name, detail=exc) from exc
    try:
        sheet = _sheet(book, opts["sheet"], document.name)
        sheet.reset_dimensions()
        yield from _records(source_id, document.name, sheet, opts)
    except BROKEN as exc:
        raise InputError("harvest.unreadable", path=document.name, detail=exc) from exc
    finally:
        book.close()


def _check_size(document: Document, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(document.path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError("harvest.unreadable", path=document.name, detail=exc) from exc
    check_archive(document.name, document.path, members, limits)


def _sheet(book: Workbook, wanted: str | int, name: str) -> ReadOnlyWorksheet:
    names = book.sheetnames
    if isinstance(wanted, int) and not isinstance(wanted, bool) and 1 <= wanted <= len(names):
        chosen = names[wanted - 1]
    elif isinstance(wanted, str) and wanted in names:
        chosen = wanted
    else:
        raise InputError("harvest.xlsx_no_sheet", path=name, sheet=wanted, found=", ".join(names))
    sheet = book[chosen]
    if not isinstance(sheet, ReadOnlyWorksheet):  # a chart sheet has no rows
        raise InputError("harvest.xlsx_no_sheet", path=name, sheet=wanted, found=", ".join(names))
    return sheet


def _records(source_id: str, name: str, sheet: ReadOnlyWorksheet, opts: dict[str, Any]) -> Iterator[SourceRecord]:
    # `rows` is iter_rows() over the whole sheet; the stubs type its cells as a normal sheet's.
    every: Iterator[tuple[ReadOnlyCell | EmptyCell, ...]] = iter(sheet.rows)  # type: ignore[arg-type]
    rows = ((number, cells) for cells in every if (number := _row_number(cells)) is not None)
    first = next(rows, None)
    if first is None:
        return
    header = [text(cell.value).strip() or get_column_letter(index) for index, cell in enumerate(first[1], start=1)]
    id_column = opts["id_column"]
    if id_column not in header:
        raise InputError("harvest.csv_no_id_column", path=name, column=id_column, found=", ".join(header))
    sentinels = {str(s).strip() for s in opts["sentinels"]}
    multivalue = {str(k): str(v) for k, v in opts["multivalue"].items()}
    row_hash = RowHasher()  # the columns hashed once for the whole table
    for number, cells in rows:
        location = f"line {number} [{sheet.title}]"
        values = [text(cell.value) for cell in cells[:len(header)]]
        if not any(value.strip() for value in values):
            continue
        fields = dict(zip(header, values + [""] * (len(header) - len(values)), strict=True))
        local_id = fields.get(id_column, "").strip() or f"line-{number}"
        too_long = next((column for column, value in fields.items() if len(value) > CELL_LIMIT), None)
        if too_long is not None:
            empty = SourceRecord(source_id, local_id, {}, MEDIA_TYPE, "", origin=name, location=location)
            yield refused(empty, "harvest.limit.cell", "cell-too-long", path=too_long, column=too_long,
                          limit=CELL_LIMIT)
            continue
        payload = clean(fields, sentinels, multivalue)
        yield SourceRecord(source_id=source_id, local_id=local_id, payload=payload, media_type=MEDIA_TYPE,
                           content_hash=row_hash(payload), origin=name, location=location)


def _row_number(cells: tuple[ReadOnlyCell | EmptyCell, ...]) -> int | None:
    """The sheet's number for the row (None for a row without cells, which read-only mode
    gives for the gaps between rows)."""
    return next((cell.row for cell in cells if isinstance(cell, ReadOnlyCell)), None)


def text(value: object) -> str:
    """A cell's value as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)

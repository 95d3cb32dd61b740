"""CSV exports: one record per row, with the row's line number kept for the reports.

Museum exports from Excel in Quebec are often Windows-1252 with semicolons; both are
detected when not declared, and a byte-order mark is honoured whatever is declared. A file
that is not in its declared encoding is read in the likely one and reported once, as a file
finding (encodings.py). Cells holding several
values ("huile; toile") become lists when the column is declared in `multivalue`, and the
placeholders a provider writes for "unknown" (`..`, `n/d`, `inconnu`) become empty cells
when listed in `sentinels`.

A cell longer than csv's own limit (131,072 characters, left as it is: it is process-wide) or
a line longer than LINE_LIMIT does not stop the file: that row becomes an empty record with a
finding naming its line and column, which quarantines it, and reading goes on at the next row
(after the rest of the cell, when the cell was quoted over several lines).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from culturedata.errors import ConfigError, InputError
from culturedata.harvest import encodings
from culturedata.harvest.filefindings import file_finding, file_record
from culturedata.harvest.inputs import FILE_OPTIONS, Document, documents
from culturedata.harvest.limits import refused
from culturedata.harvest.options import read_options
from culturedata.harvest.rowhash import RowHasher
from culturedata.messages import t
from culturedata.records import Severity, SourceRecord, composite_id

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

OPTIONS: dict[str, tuple[Any, Any]] = {
    "encoding": (str, "auto"),  # auto: UTF-8 if it decodes, else the detector's choice (encodings.py)
    "delimiter": (str, ""),  # empty: sniffed from the header line
    "id_column": ((str, list), "id"),  # a column, or several: ["PageUrl", "EventDate"] (records.composite_id)
    "multivalue": (dict, {}),  # column -> separator, e.g. { materiaux = ";" }
    "sentinels": (list, []),  # cell values that mean "unknown", e.g. ["..", "n/d"]
    **FILE_OPTIONS,
}
DELIMITERS = (",", ";", "\t", "|")
FIELD_LIMIT = csv.field_size_limit()
LINE_LIMIT = 16 * FIELD_LIMIT  # characters; a longer line is never held whole
ENDINGS = ("\n", "\r")


def harvest_csv(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    if not encodings.known(opts["encoding"]):
        problem = t("harvest.problem.encoding", value=opts["encoding"])
        raise ConfigError("config.bad_value", path=source.where, key="options.encoding", problem=problem)
    for document in documents(source, opts, options):
        yield from read_csv(source.id, document, opts)


def read_csv(source_id: str, document: Document, opts: dict[str, Any]) -> Iterator[SourceRecord]:
    """Rows streamed from the file: an export of any size is read in flat memory."""
    with document.open() as raw:
        reading = encodings.choose(raw, opts["encoding"])
    if reading.mismatch is not None:
        yield encoding_record(source_id, document.name, reading.mismatch)
    with document.open() as raw:
        text = io.TextIOWrapper(raw, encoding=reading.encoding, errors=reading.errors, newline="")
        try:
            yield from read_rows(source_id, document.name, text, opts, document.part)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError("harvest.bad_encoding", path=document.name, encoding=reading.encoding,
                             detail=exc) from exc


def encoding_record(source_id: str, origin: str, mismatch: encodings.Mismatch) -> SourceRecord:
    """The file's encoding problem, said once before its rows."""
    finding = file_finding(
        source_id, origin, f"harvest.encoding.{mismatch.problem}", "encoding", Severity.VIOLATION,
        declared=encodings.label(mismatch.declared), likely=encodings.label(mismatch.likely), option=mismatch.likely,
    )
    return file_record(source_id, origin, "text/csv", (finding,))


def read_rows(
    source_id: str, name: str, text: io.TextIOWrapper, opts: dict[str, Any], part: str = "",
) -> Iterator[SourceRecord]:
    """`part`: where the file sits inside its source (inputs.Document), which names a row without an id."""
    first = text.readline(LINE_LIMIT)
    delimiter = opts["delimiter"] or sniff_delimiter(first)
    lines = Lines(text)
    reader = csv.DictReader(itertools.chain([first], lines), delimiter=delimiter)
    id_columns = id_names(opts["id_column"])
    try:
        fieldnames = reader.fieldnames
    except (csv.Error, LongLine) as exc:  # no row can be read without its header: the file fails
        if isinstance(exc, LongLine) or "field larger than field limit" in str(exc):
            raise InputError("harvest.limit.header", path=name, limit=FIELD_LIMIT) from exc
        raise InputError("harvest.unreadable", path=name, detail=f"line 1: {exc}") from exc
    header = [name.strip() for name in fieldnames or []]
    for id_column in id_columns:
        if id_column not in header:
            raise InputError("harvest.csv_no_id_column", path=name, column=id_column, found=", ".join(header))
    within = f"{part}#" if part else ""
    sentinels = {str(s).strip() for s in opts["sentinels"]}
    multivalue = {str(k): str(v) for k, v in opts["multivalue"].items()}
    row_hash = RowHasher()  # the columns hashed once for the whole table
    line = 1
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, LongLine) as exc:
            yield unread_row(source_id, name, start, lines, header, delimiter, exc, within)
            line = lines.resync()
            continue
        line = lines.row_done()
        fields = {k.strip(): (v or "") for k, v in row.items() if k is not None}
        if not any(value.strip() for value in fields.values()):
            continue  # a blank line of separators, as spreadsheets leave behind
        local_id = row_id(fields, id_columns) or f"{within}line-{start}"
        payload = clean(fields, sentinels, multivalue)
        yield SourceRecord(
            source_id=source_id,
            local_id=local_id,
            payload=payload,
            media_type="text/csv",
            content_hash=row_hash(payload),
            origin=name,
            location=f"line {start}",
        )


class LongLine(Exception):
    """A physical line longer than LINE_LIMIT characters."""


class Lines:
    """The text's lines for the csv reader, none held longer than LINE_LIMIT, with what is
    needed to report a row that cannot be read and to find the row after it: the row's first
    line, and its count of quote characters (odd: the row ends inside a quoted cell)."""

    def __init__(self, text: TextIO) -> None:
        self.text = text
        self.number = 1  # physical lines read, the header included
        self.first = ""
        self.quotes = 0

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(LINE_LIMIT)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) >= LINE_LIMIT and not line.endswith(ENDINGS):
            while (rest := self.text.readline(LINE_LIMIT)) and not rest.endswith(ENDINGS):
                pass
            raise LongLine()
        if not self.first:
            self.first = line
        self.quotes += line.count('"')
        return line

    def row_done(self) -> int:
        """Forget the row just read; the number of its last line."""
        self.first, self.quotes = "", 0
        return self.number

    def resync(self) -> int:
        """After a row that could not be read, skip the rest of its quoted cell; the last line read."""
        while self.quotes % 2:
            line = self.text.readline(LINE_LIMIT)
            if not line:
                break
            self.number += 1
            if len(line) < LINE_LIMIT or line.endswith(ENDINGS):
                self.quotes += line.count('"')
        return self.row_done()


def id_names(option: str | list[Any]) -> list[str]:
    """The id option's column(s) or path(s), as a list."""
    return [option] if isinstance(option, str) else [str(name) for name in option]


def row_id(fields: dict[str, str], id_columns: list[str]) -> str:
    """The row's id: its id column, or its id columns joined (records.composite_id); "" when
    they are all empty."""
    values = [fields.get(column, "").strip() for column in id_columns]
    if not any(values):
        return ""
    return values[0] if len(values) == 1 else composite_id(values)


def unread_row(
    source_id: str, name: str, start: int, lines: Lines, header: list[str], delimiter: str, exc: Exception,
    within: str = "",
) -> SourceRecord:
    """The row at line `start` that csv could not read, as an empty record with a finding."""
    location = f"line {start}"
    empty = SourceRecord(source_id, f"{within}line-{start}", {}, "text/csv", "", origin=name, location=location)
    if isinstance(exc, LongLine):
        return refused(empty, "harvest.limit.line", "line-too-long", limit=LINE_LIMIT)
    if "field larger than field limit" not in str(exc):
        raise InputError("harvest.unreadable", path=name, detail=f"{location}: {exc}") from exc
    index = long_cell(lines.first, delimiter, FIELD_LIMIT)
    column = header[index] if index < len(header) else str(index + 1)
    return refused(empty, "harvest.limit.cell", "cell-too-long", path=column, column=column, limit=FIELD_LIMIT)


def long_cell(line: str, delimiter: str, limit: int) -> int:
    """The index of the cell that passes `limit` characters in a row starting with `line`
    (the last cell the line opens, when the long one goes on over the next lines)."""
    index, length, quoted = 0, 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            index, length = index + 1, 0
            continue
        length += 1
        if length > limit:
            break
    return index


def clean(fields: dict[str, str], sentinels: set[str], multivalue: dict[str, str]) -> dict[str, Any]:
    if not sentinels and not multivalue:
        return dict(fields)  # nothing to clean: a rerun reads every row, and most sources declare neither
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value.strip() in sentinels:
            value = ""
        separator = multivalue.get(key)
        if separator:
            out[key] = [part.strip() for part in value.split(separator) if part.strip() not in sentinels | {""}]
        else:
            out[key] = value
    return out


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

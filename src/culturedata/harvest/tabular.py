"""CSV exports: one record per row, with the row's line number kept for the reports.

Museum exports from Excel in Quebec are often Windows-1252 with semicolons; both are
detected when not declared, and a UTF-8 byte-order mark is dropped. Cells holding several
values ("huile; toile") become lists when the column is declared in `multivalue`, and the
placeholders a provider writes for "unknown" (`..`, `n/d`, `inconnu`) become empty cells
when listed in `sentinels`.

A cell longer than csv's own limit (131,072 characters, left as it is: it is process-wide) or
a line longer than LINE_LIMIT does not stop the file: that row becomes an empty record with a
finding naming its line and column, which quarantines it, and reading goes on at the next row
(after the rest of the cell, when the cell was quoted over several lines).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from culturedata.errors import InputError
from culturedata.harvest.inputs import FILE_OPTIONS, Document, documents
from culturedata.harvest.limits import refused
from culturedata.harvest.options import read_options
from culturedata.records import SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

OPTIONS: dict[str, tuple[Any, Any]] = {
    "encoding": (str, ""),  # empty: UTF-8 if it decodes, else Windows-1252
    "delimiter": (str, ""),  # empty: sniffed from the header line
    "id_column": (str, "id"),
    "multivalue": (dict, {}),  # column -> separator, e.g. { materiaux = ";" }
    "sentinels": (list, []),  # cell values that mean "unknown", e.g. ["..", "n/d"]
    **FILE_OPTIONS,
}
DELIMITERS = (",", ";", "\t", "|")
CHUNK = 1 << 20
FIELD_LIMIT = csv.field_size_limit()
LINE_LIMIT = 16 * FIELD_LIMIT  # characters; a longer line is never held whole
ENDINGS = ("\n", "\r")


def harvest_csv(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    for document in documents(source, opts, options):
        yield from read_csv(source.id, document, opts)


def read_csv(source_id: str, document: Document, opts: dict[str, Any]) -> Iterator[SourceRecord]:
    """Rows streamed from the file: an export of any size is read in flat memory."""
    encoding, errors = (declared(opts["encoding"]), "strict") if opts["encoding"] else detect_encoding(document)
    with document.open() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
        try:
            yield from read_rows(source_id, document.name, text, opts)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError("harvest.bad_encoding", path=document.name, encoding=encoding, detail=exc) from exc


def read_rows(source_id: str, name: str, text: io.TextIOWrapper, opts: dict[str, Any]) -> Iterator[SourceRecord]:
    first = text.readline(LINE_LIMIT)
    delimiter = opts["delimiter"] or sniff_delimiter(first)
    lines = Lines(text)
    reader = csv.DictReader(itertools.chain([first], lines), delimiter=delimiter)
    id_column = opts["id_column"]
    try:
        fieldnames = reader.fieldnames
    except (csv.Error, LongLine) as exc:  # no row can be read without its header: the file fails
        if isinstance(exc, LongLine) or "field larger than field limit" in str(exc):
            raise InputError("harvest.limit.header", path=name, limit=FIELD_LIMIT) from exc
        raise InputError("harvest.unreadable", path=name, detail=f"line 1: {exc}") from exc
    header = [name.strip() for name in fieldnames or []]
    if id_column not in header:
        raise InputError("harvest.csv_no_id_column", path=name, column=id_column, found=", ".join(header))
    sentinels = {str(s).strip() for s in opts["sentinels"]}
    multivalue = {str(k): str(v) for k, v in opts["multivalue"].items()}
    line = 1
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, LongLine) as exc:
            yield unread_row(source_id, name, start, lines, header, delimiter, exc)
            line = lines.resync()
            continue
        line = lines.row_done()
        fields = {k.strip(): (v or "") for k, v in row.items() if k is not None}
        if not any(value.strip() for value in fields.values()):
            continue  # a blank line of separators, as spreadsheets leave behind
        local_id = fields.get(id_column, "").strip() or f"line-{start}"
        payload = clean(fields, sentinels, multivalue)
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        yield SourceRecord(
            source_id=source_id,
            local_id=local_id,
            payload=payload,
            media_type="text/csv",
            content_hash=content_hash(canonical),
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


def unread_row(
    source_id: str, name: str, start: int, lines: Lines, header: list[str], delimiter: str, exc: Exception,
) -> SourceRecord:
    """The row at line `start` that csv could not read, as an empty record with a finding."""
    location = f"line {start}"
    empty = SourceRecord(source_id, f"line-{start}", {}, "text/csv", "", origin=name, location=location)
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


def declared(encoding: str) -> str:
    """A declared UTF-8 also accepts a byte-order mark, as Excel writes one."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding  # reported with the file's name when it is used
    return "utf-8-sig" if name == "utf-8" else encoding


def detect_encoding(document: Document) -> tuple[str, str]:
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else Windows-1252.

    One pass in chunks, so a large file is never held in memory.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with document.open() as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig", "replace"
        try:
            decoder.decode(head)
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252", "replace"
    return "utf-8", "strict"


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

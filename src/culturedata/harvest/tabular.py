"""CSV exports: one record per row, with the row's line number kept for the reports.

Museum exports from Excel in Quebec are often Windows-1252 with semicolons; both are
detected when not declared, and a UTF-8 byte-order mark is dropped. Cells holding several
values ("huile; toile") become lists when the column is declared in `multivalue`, and the
placeholders a provider writes for "unknown" (`..`, `n/d`, `inconnu`) become empty cells
when listed in `sentinels`.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from culturedata.errors import InputError
from culturedata.harvest.inputs import FILE_OPTIONS, Document, documents
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
    first = text.readline()
    delimiter = opts["delimiter"] or sniff_delimiter(first)
    reader = csv.DictReader(itertools.chain([first], text), delimiter=delimiter)
    id_column = opts["id_column"]
    header = [name.strip() for name in reader.fieldnames or []]
    if id_column not in header:
        raise InputError("harvest.csv_no_id_column", path=name, column=id_column, found=", ".join(header))
    sentinels = {str(s).strip() for s in opts["sentinels"]}
    multivalue = {str(k): str(v) for k, v in opts["multivalue"].items()}
    line = 1
    for row in reader:
        start, line = line + 1, reader.line_num
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

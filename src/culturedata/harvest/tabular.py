"""CSV exports: one record per row, with the row's line number kept for the reports.

Museum exports from Excel in Quebec are often Windows-1252 with semicolons; both are
detected when not declared, and a UTF-8 byte-order mark is dropped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from culturedata.errors import InputError
from culturedata.harvest.options import read_options
from culturedata.records import SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

OPTIONS = {
    "encoding": (str, ""),  # empty: UTF-8 if it decodes, else Windows-1252
    "delimiter": (str, ""),  # empty: sniffed from the header line
    "id_column": (str, "id"),
}


def harvest_csv(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    path = source.path
    if path is None:
        raise InputError("harvest.needs_path", where=source.where)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("harvest.unreadable", path=path, detail=exc.strerror or exc) from exc
    text = decode(data, opts["encoding"], path)
    delimiter = opts["delimiter"] or sniff_delimiter(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    id_column = opts["id_column"]
    if reader.fieldnames is None or id_column not in reader.fieldnames:
        raise InputError(
            "harvest.csv_no_id_column", path=path, column=id_column, found=", ".join(reader.fieldnames or [])
        )
    for row in reader:
        line = reader.line_num
        fields = {k.strip(): (v or "") for k, v in row.items() if k is not None}
        if not any(value.strip() for value in fields.values()):
            continue  # a blank line of separators, as spreadsheets leave behind
        local_id = fields.get(id_column, "").strip() or f"line-{line}"
        canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
        yield SourceRecord(
            source_id=source.id,
            local_id=local_id,
            payload=fields,
            media_type="text/csv",
            content_hash=content_hash(canonical),
            origin=str(path),
            location=f"line {line}",
        )


def decode(data: bytes, declared: str, path: object) -> str:
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError("harvest.bad_encoding", path=path, encoding=declared, detail=exc) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

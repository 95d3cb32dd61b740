"""CSV exports: one record per row, with the row's line number kept for the reports.

Museum exports from Excel in Quebec are often Windows-1252 with semicolons; both are
detected when not declared, and a UTF-8 byte-order mark is dropped. Cells holding several
values ("huile; toile") become lists when the column is declared in `multivalue`, and the
placeholders a provider writes for "unknown" (`..`, `n/d`, `inconnu`) become empty cells
when listed in `sentinels`.
"""

from __future__ import annotations

import csv
import io
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


def harvest_csv(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    for document in documents(source, opts, options):
        yield from read_csv(source.id, document, opts)


def read_csv(source_id: str, document: Document, opts: dict[str, Any]) -> Iterator[SourceRecord]:
    text = decode(document.read(), opts["encoding"], document.name)
    delimiter = opts["delimiter"] or sniff_delimiter(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    id_column = opts["id_column"]
    header = [name.strip() for name in reader.fieldnames or []]
    if id_column not in header:
        raise InputError(
            "harvest.csv_no_id_column", path=document.name, column=id_column, found=", ".join(header)
        )
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
            origin=document.name,
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


def decode(data: bytes, declared: str, path: object) -> str:
    if declared:
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError("harvest.bad_encoding", path=path, encoding=declared, detail=exc) from exc
        return text.removeprefix("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

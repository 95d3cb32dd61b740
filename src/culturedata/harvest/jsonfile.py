"""JSON exports: an array of objects, JSON Lines, or records nested in a wrapper object.

`record_path` names where the records sit inside the document ("data.organismes" for
`{"data": {"organismes": [...]}}`); `format = "auto"` tells an array or a wrapper from JSON
Lines by trying to read the document whole. A folder of JSON files (one object each, as
the Tate publishes its artworks) is read with `files = "**/*.json"`.

Memory stays flat whatever the size of the export: a UTF-8 document over STREAM_ABOVE bytes is
streamed record by record (an array, or the array at `record_path`, with ijson's C parser; JSON
Lines line by line), smaller ones are read whole, which gives exact line numbers for errors.
Declare `format = "lines"` to stream JSON Lines of any size. A JSON Lines line that does not
parse is skipped with a warning naming it; the others are harvested.

Nesting is bounded (limits.py): a record nested deeper than `max_depth` is yielded empty with
a finding that quarantines it, and a document nested deeper than DOCUMENT_DEPTH (too deep for
json's parser, and for ijson's memory) is refused whole, before it is parsed.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, cast

import ijson

from culturedata.errors import InputError
from culturedata.harvest.inputs import FILE_OPTIONS, Document, documents
from culturedata.harvest.limits import (
    DEPTH,
    DEPTH_OPTIONS,
    DOCUMENT_DEPTH,
    DepthGauge,
    Limits,
    TooDeep,
    depth_exceeds,
    refused,
)
from culturedata.harvest.options import read_options, require_choice
from culturedata.messages import t
from culturedata.records import SourceRecord, composite_id, content_hash
from culturedata.surrogates import escaped

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

log = logging.getLogger(__name__)

FORMATS = ("auto", "array", "lines")
STREAM_ABOVE = 32 * 1024 * 1024  # bytes
UTF8 = ("utf-8", "utf8")
BOM = b"\xef\xbb\xbf"
OPTIONS: dict[str, tuple[Any, Any]] = {
    "format": (str, "auto"),
    "record_path": (str, ""),  # dotted path to the records, e.g. "data.organismes"
    "id_field": ((str, list), "id"),  # a dotted path inside a record, or several (records.composite_id)
    "encoding": (str, "utf-8"),
    **DEPTH_OPTIONS,
    **FILE_OPTIONS,
}


def harvest_json(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    require_choice(source, "format", opts["format"], FORMATS)
    limits = Limits.from_options(opts, source.where)
    for document in documents(source, opts, options):
        for location, item in items(document, opts):
            record = to_record(source.id, document.name, location, item, opts["id_field"], limits.max_depth,
                               within=document.part)
            if record is not None:
                yield record


def items(document: Document, opts: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(location, value) of every record in the document."""
    utf8 = opts["encoding"].lower().replace("_", "-") in UTF8
    encoding = "utf-8-sig" if utf8 else opts["encoding"]
    try:
        if opts["format"] == "lines":  # streamed: a JSON Lines export of any size in flat memory
            with document.open() as raw:
                yield from lines(document.name, io.TextIOWrapper(raw, encoding=encoding))
            return
        if utf8 and document.size() > STREAM_ABOVE:
            yield from streamed(document, opts)
            return
        text = document.read().decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError("harvest.bad_encoding", path=document.name, encoding=encoding, detail=exc) from exc
    try:
        data = parse_document(text, document.name)
    except json.JSONDecodeError as exc:
        if opts["format"] == "auto" and exc.msg == "Extra data":
            yield from lines(document.name, io.StringIO(text))
            return
        raise InputError("harvest.bad_json", path=document.name, line=exc.lineno, detail=exc.msg) from exc
    path = opts["record_path"]
    data = follow(data, path, document.name)
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield f"{path or '$'}[{index}]", item
    else:
        yield path or "$", data


def streamed(document: Document, opts: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """A big document record by record: the array at `record_path` (or the top-level array)
    through ijson, JSON Lines line by line, anything else read whole as before."""
    path = opts["record_path"]
    with document.open() as raw:
        # BufferedReader only needs `readinto`, which every binary file (a zip member too) has
        handle = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast("io.RawIOBase", raw))
        if handle.peek(3)[:3] == BOM:
            handle.read(3)
        first = _first_byte(handle)
        if first == b"{" and not path and opts["format"] == "auto":  # objects one after another: JSON Lines
            yield from lines(document.name, io.TextIOWrapper(handle, encoding="utf-8"))
            return
        count = 0
        prefix = f"{path}.item" if path else "item"
        try:
            for item in ijson.items(Gauged(handle, DepthGauge(document.name)), prefix, use_float=True):
                yield f"{path or '$'}[{count}]", item
                count += 1
        except ijson.JSONError as exc:
            raise InputError("harvest.bad_json_stream", path=document.name, count=count, detail=exc) from exc
    if count == 0:  # not an array there (one record, or a path to check): the careful way
        data = follow(parse_document(document.read().decode("utf-8-sig"), document.name), path, document.name)
        yield path or "$", data


def parse_document(text: str, name: str) -> Any:
    """`json.loads`, with a document too deep for its recursion refused as an `InputError`."""
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError("harvest.limit.depth_file", path=name, limit=DOCUMENT_DEPTH) from None


class Gauged:
    """A byte stream whose nesting a `DepthGauge` bounds as ijson reads it."""

    def __init__(self, handle: IO[bytes], gauge: DepthGauge) -> None:
        self.handle, self.gauge = handle, gauge

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.gauge.feed(data)
        return data


def _first_byte(handle: io.BufferedReader) -> bytes:
    """The document's first non-blank byte, left unread."""
    while True:
        ahead = handle.peek(64)
        if not ahead:
            return b""
        stripped = ahead.lstrip()
        if stripped:
            return stripped[:1]
        handle.read(len(ahead))


def lines(name: str, text: Iterable[str]) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as exc:
            log.warning(t("harvest.json_bad_line", path=name, line=number, detail=exc.msg))
        except RecursionError:  # reported on its own record (a TooDeep stands for it); the others go on
            yield f"line {number}", TooDeep()


def follow(data: Any, path: str, name: str) -> Any:
    for step in filter(None, path.split(".")):
        if not isinstance(data, dict) or step not in data:
            raise InputError("harvest.json_no_path", path=name, record_path=path, step=step)
        data = data[step]
    return data


def lookup(item: dict[str, Any], path: str) -> Any:
    value: Any = item
    for step in path.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def to_record(
    source_id: str, origin: str, location: str, item: Any, id_field: str | list[Any], max_depth: int = DEPTH,
    within: str = "", unnamed: str | None = None,
) -> SourceRecord | None:
    """The record of one JSON value. Without an id, it is named `unnamed` when given (a REST
    record: `page-2#item-3`), else by where it is: `within` (the file inside its source, "" for
    the source's own file) and `location`."""
    fallback = unnamed or (f"{within}#{location}" if within else location)
    if isinstance(item, TooDeep):
        return too_deep(source_id, origin, location, None, max_depth, fallback)
    if not isinstance(item, dict):
        log.warning(t("harvest.json_not_object", path=origin, location=location))
        return None
    key = item_id(item, id_field)
    try:
        text = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except RecursionError:
        return too_deep(source_id, origin, location, key, max_depth, fallback)
    # As many brackets as levels at least: most records are measured by two counts at C speed.
    if text.count("[") + text.count("{") > max_depth and depth_exceeds(item, max_depth):
        return too_deep(source_id, origin, location, key, max_depth, fallback)
    # An id holding a lone surrogate (a JSON escape such as "\\ud800") is kept as its escape,
    # so that the record can still be reported by it.
    local_id = escaped(str(key).strip()) if key not in (None, "") else fallback
    # surrogatepass: a lone surrogate still hashes (the mapper then reports the record).
    canonical = text.encode("utf-8", "surrogatepass")
    return SourceRecord(
        source_id=source_id,
        local_id=local_id,
        payload=item,
        media_type="application/json",
        content_hash=content_hash(canonical),
        origin=origin,
        location=location,
    )


def item_id(item: dict[str, Any], id_field: str | list[Any]) -> Any:
    """The value at `id_field`, or the values at several paths joined (records.composite_id);
    None when there is none."""
    if isinstance(id_field, str):
        return lookup(item, id_field)
    values = [lookup(item, str(path)) for path in id_field]
    texts = ["" if value is None else str(value).strip() for value in values]
    return composite_id(texts) if any(texts) else None


def too_deep(
    source_id: str, origin: str, location: str, key: Any, max_depth: int, fallback: str | None = None,
) -> SourceRecord:
    """A record nested past `max_depth`: empty, with the finding that quarantines it."""
    named = fallback if fallback is not None else f"{origin}#{location}"
    local_id = escaped(str(key).strip()) if isinstance(key, str | int) and key != "" else named
    empty = SourceRecord(source_id, local_id, {}, "application/json", "", origin=origin, location=location)
    return refused(empty, "harvest.limit.depth", "too-deep", limit=max_depth)

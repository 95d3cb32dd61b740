"""How much one source may make us read: decoded bytes, compression ratio, nesting depth.

A 2 MB gzip body or zip member can decode to gigabytes, and one record nested thousands of
levels deep overflows any recursive parser; either used to kill the process. These limits
turn them into what the rest of the harvest already knows: a file or a response past a
limit fails its source alone (`InputError` for a file, `HarvestError` for a response, exit
3 in a run), and a record past one is still yielded, empty, carrying a finding that
quarantines it (`refused`; the mapping engine maps no record with a violation from the harvest).

    max_decoded_bytes  bytes one response body, zip member or zip archive may decode to (2 GB)
    max_ratio          decoded bytes per compressed byte, checked once RATIO_AFTER bytes are
                       decoded, so that small, very compressible files pass (200)
    max_depth          nesting of a JSON record, at most MAX_DEPTH (100)

The first two are options of every source that reads files or the network (`DECODE_OPTIONS`),
`max_depth` of the `json` and `jsonld-pages` kinds (`DEPTH_OPTIONS`); `read_options` checks
their ranges. docs/operations.md ("Limits") lists every limit, these and the fixed ones.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, count
from typing import Any

from culturedata.errors import ConfigError, CultureDataError, InputError
from culturedata.messages import both, t
from culturedata.records import Finding, Severity, SourceRecord, content_hash

MAX_DECODED = 2_000_000_000
MAX_RATIO = 200.0
RATIO_AFTER = 8_000_000  # decoded bytes before the ratio counts: a small file may compress very well
DEPTH = 100
# The mapping engine walks a JSON-LD record recursively (about three frames a level) under
# Python's recursion limit of 1000: past this depth no option can make a record mappable.
MAX_DEPTH = 200
# Nesting at which a whole document is refused before a parser builds it: json's C parser
# stops near here anyway, and ijson's memory grows with the square of the depth.
DOCUMENT_DEPTH = 1000

# libxml2's own limit on element nesting, kept on (`safexml`): past it a document does not
# parse; an OAI-PMH page is then read again without its too-deep records (`xmldepth.py`).
XML_DEPTH = 256

DECODE_OPTIONS: dict[str, tuple[Any, Any]] = {
    "max_decoded_bytes": (int, MAX_DECODED),
    "max_ratio": ((int, float), MAX_RATIO),
}
DEPTH_OPTIONS: dict[str, tuple[Any, Any]] = {"max_depth": (int, DEPTH)}


class TooDeep(Exception):
    """A JSON value nests deeper than allowed (or than json's parser can recurse)."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_decoded_bytes: int = MAX_DECODED
    max_ratio: float = MAX_RATIO
    max_depth: int = DEPTH

    @classmethod
    def from_options(cls, opts: dict[str, Any], where: str = "") -> Limits:
        """The limits a source's options set (others at their defaults); nonsense is a ConfigError."""
        limits = cls(
            max_decoded_bytes=int(opts.get("max_decoded_bytes", MAX_DECODED)),
            max_ratio=float(opts.get("max_ratio", MAX_RATIO)),
            max_depth=int(opts.get("max_depth", DEPTH)),
        )
        for key, value, low, high in (
            ("max_decoded_bytes", limits.max_decoded_bytes, 1, None),
            ("max_ratio", limits.max_ratio, 1, None),
            ("max_depth", limits.max_depth, 1, MAX_DEPTH),
        ):
            if value < low or (high is not None and value > high):
                problem = t("harvest.limit.range", low=low, high=high if high is not None else "∞")
                raise ConfigError("config.bad_value", path=where, key=f"options.{key}", problem=problem)
        return limits


class Meter:
    """Counts the bytes a decoder gives for one body, member or archive; raises once past a limit.

    `error` is the class raised: `InputError` for a file, `HarvestError` for a response.
    `packed()` gives the compressed bytes read so far (or the compressed size, when known).
    """

    def __init__(self, limits: Limits, name: str, error: type[CultureDataError] = InputError,
                 packed: int = 0) -> None:
        self.limits, self.name, self.error = limits, name, error
        self.decoded = 0
        self.packed = packed

    def add(self, decoded: int, packed: int | None = None) -> None:
        self.decoded += decoded
        if packed is not None:
            self.packed = packed
        self.check()

    def check(self) -> None:
        limits = self.limits
        if self.decoded > limits.max_decoded_bytes:
            raise self.error("harvest.limit.decoded", path=self.name, limit=limits.max_decoded_bytes)
        if self.decoded > RATIO_AFTER and self.decoded > limits.max_ratio * max(self.packed, 1):
            raise self.error("harvest.limit.ratio", path=self.name, ratio=f"{limits.max_ratio:g}",
                             decoded=self.decoded, packed=self.packed)


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` (parsed JSON) nests lists and objects more than `limit` levels deep.

    Walked with a stack of its own, so that a record too deep for recursion is measured too.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return False


_BRACKETS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class DepthGauge:
    """An upper bound on the nesting of a JSON byte stream, read chunk by chunk at C speed.

    Brackets inside strings are counted too, which is why this is a bound: a window of the
    stream where opening brackets outnumber closing ones by `limit` (the largest such excess,
    so closing brackets in earlier strings cannot hide a deep nest after them). Real exports
    come nowhere near DOCUMENT_DEPTH; a file that reaches it is refused before ijson, whose
    memory grows with the square of the depth, is given it.
    """

    def __init__(self, name: str, limit: int = DOCUMENT_DEPTH) -> None:
        self.name, self.limit = name, limit
        self.level = 0
        self.low = 0

    def feed(self, chunk: bytes) -> None:
        marks = chunk.translate(_BRACKETS, _NOT_BRACKETS)  # opening → 2, closing → 0
        if not marks:
            return
        levels = list(map(operator.sub, accumulate(marks), count(1 - self.level)))
        lows = list(accumulate(levels, min, initial=self.low))[1:]
        if max(map(operator.sub, levels, lows)) > self.limit:
            raise InputError("harvest.limit.depth_file", path=self.name, limit=self.limit)
        self.level, self.low = levels[-1], lows[-1]


def refused(record: SourceRecord, code: str, rule: str, path: str | None = None, **params: Any) -> SourceRecord:
    """`record` emptied and carrying a violation that quarantines it: what a record past a
    limit becomes, so that the source goes on and the report names the record."""
    finding = Finding(
        stage="harvest", severity=Severity.VIOLATION, rule=rule,
        message=both(code, record=record.local_id, location=record.location or "", **params),
        source_id=record.source_id, local_id=record.local_id, location=record.location, path=path,
    )
    marker = f"{rule}|{record.origin}|{record.location}".encode("utf-8", "surrogatepass")
    return SourceRecord(
        source_id=record.source_id, local_id=record.local_id, payload={}, media_type=record.media_type,
        content_hash=content_hash(marker), datestamp=record.datestamp, origin=record.origin,
        location=record.location, findings=(finding,),
    )

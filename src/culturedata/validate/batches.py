"""Running an engine over a stream of records, batch by batch, on every core.

Batches go to worker processes (pySHACL is pure Python, so threads would share one core);
each worker loads the shapes once, in its initializer. A stream that fits in one batch is
checked in this process: starting workers would cost more than it saves. So is every stream
for the fast engine, which checks a batch faster than it can be sent to a worker.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from itertools import islice
from pathlib import Path

from culturedata.records import MappedRecord, NTriples
from culturedata.validate.report import RecordReport
from culturedata.validate.shapes import load_shapes
from culturedata.validate.validator import Validator, make_validator


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """What a worker needs to build its own engine: plain, picklable values."""

    engine: str = "pyshacl"
    shapes: Path | None = None
    ontologies: Path | None = None

    def build(self) -> Validator:
        """The engine, built once per process: a run checks many sources with the same shapes."""
        return _build(self)


@cache
def _build(spec: EngineSpec) -> Validator:
    return make_validator(spec.engine, load_shapes(spec.shapes, spec.ontologies))


# Engines whose batches cost less than shipping them to another process and the findings
# back: the fast engine checks 14k records/s here in-process, 3.4k through two workers.
IN_PROCESS = frozenset({"fast"})


def default_workers(engine: str = "pyshacl") -> int:
    if engine in IN_PROCESS:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def batched(records: Iterable[MappedRecord], size: int) -> Iterator[list[MappedRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def validate_records(
    spec: EngineSpec | Validator,
    records: Iterable[MappedRecord],
    batch_size: int = 500,
    workers: int | None = None,
) -> Iterator[tuple[MappedRecord, RecordReport]]:
    """Each record with its report, in input order.

    `spec` is an `EngineSpec` (batches may go to worker processes) or a ready `Validator`
    (checked in this process). Deleted records and records the mapper could not map carry
    only their own findings.
    """
    if workers is None:
        workers = default_workers(spec.engine) if isinstance(spec, EngineSpec) else 1
    batches = batched(records, batch_size)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    if isinstance(spec, EngineSpec):
        # Build one engine here first: shapes that do not parse stop us before any worker starts.
        local = spec.build()
        if second is not None and workers > 1:
            visible = getattr(getattr(local, "shapes", None), "visible", None)
            yield from _in_workers(spec, _chain(first, second, batches), workers, visible)
            return
    else:
        local = spec
    for batch in _chain(first, second, batches):
        yield from zip(batch, check_batch(local, batch), strict=True)


def _chain(first: list[MappedRecord], second: list[MappedRecord] | None,
           rest: Iterator[list[MappedRecord]]) -> Iterator[list[MappedRecord]]:
    yield first
    if second is not None:
        yield second
        yield from rest


def check_batch(validator: Validator, batch: list[MappedRecord]) -> list[RecordReport]:
    # By position, not by id: two records may share an id (a duplicate is a finding of its own).
    checkable = [i for i, r in enumerate(batch) if r.has_triples and not r.deleted]
    checked = validator.validate([batch[i] for i in checkable]) if checkable else []
    reports = dict(zip(checkable, checked, strict=True))
    return [
        reports.get(i) or RecordReport(record.source_id, record.local_id, record.findings, record.location)
        for i, record in enumerate(batch)
    ]


_worker_validator: Validator | None = None


def _init_worker(spec: EngineSpec) -> None:
    global _worker_validator
    _worker_validator = spec.build()


def _check_in_worker(packed: list[Packed]) -> list[RecordReport]:
    assert _worker_validator is not None
    return check_batch(_worker_validator, [_unpack(p) for p in packed])


# Pickling pyoxigraph terms one by one costs as much as validating them, so records cross to
# workers as N-Triples text (what the mapper wrote), which the worker parses only as needed.
Packed = tuple[MappedRecord, str]


def _pack(record: MappedRecord, visible: frozenset[str] | None) -> Packed:
    """The record without its triples, and the triples the shapes can see as N-Triples."""
    text: str = record.ntriples
    if visible is not None and text:
        text = "".join(line for line in text.splitlines(keepends=True) if _predicate(line) in visible)
    # No text: the record's report is its own findings.
    return replace(record, triples=NTriples("")), text


def _predicate(line: str) -> str:
    """The predicate IRI of an N-Triples line (subjects and predicates hold no spaces)."""
    return line.split(" ", 2)[1][1:-1]


def _unpack(packed: Packed) -> MappedRecord:
    record, data = packed
    if not data:
        return record
    return replace(record, triples=NTriples(data))


def _in_workers(
    spec: EngineSpec, batches: Iterator[list[MappedRecord]], workers: int, visible: frozenset[str] | None
) -> Iterator[tuple[MappedRecord, RecordReport]]:
    # Spawned, not forked: the parent holds Rust-side stores and threads that fork does not copy safely.
    context = multiprocessing.get_context("spawn")
    pending: deque[tuple[list[MappedRecord], Future[list[RecordReport]]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(spec,)) as pool:
        for batch in batches:
            pending.append((batch, pool.submit(_check_in_worker, [_pack(r, visible) for r in batch])))
            # A bounded queue keeps memory flat on a 100k-record source while both cores stay busy.
            while len(pending) > workers * 2:
                done, future = pending.popleft()
                yield from zip(done, future.result(), strict=True)
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.result(), strict=True)

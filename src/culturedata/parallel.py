"""A big source on every core: its rows mapped and validated in worker processes, batch by
batch, while the run's own process harvests, triages and loads them (Oxigraph allows one
writing process, so loading stays here).

    this process:  harvest ─▶ triage ─▶ batch ─┬─▶ [worker: map ─▶ validate] ─┬─▶ fold ─▶ tune ─▶ load
                                               └─▶ [worker: map ─▶ validate] ─┘  (in the order sent)

The result is the one-process run's, record for record: what watches the whole stream stays in
this process and is told, batch by batch in the order the batches were sent, what the workers
saw. Each worker maps a batch with a fresh `Coverage` and `Identities` and notes, per record,
what the record changed in them (`_Seen`: the mapping fields it had, the entities it made or
reached, the names it holds while they are sampled; the main entities it minted); this process
replays those notes on the run's own, so the coverage findings and the identity collisions
(whose findings are put back in the record's report where the mapper puts them, then tuned) are
those of one process. A batch is validated whole, as in one process (validation shares a node's
findings between the records of a batch). What the triage says while rows are read ahead
(`Deferred`) is let out when the batch it was read with is loaded, as in one process.

The first batches are checked here (starting workers costs more than a small source takes), as
is every source whose records cannot cross to a process cheaply (`FORMATS`). A worker that dies
(killed, out of memory) loses nothing: the batches it had, and those after, are checked here.
A worker whose parent died exits. Workers are spawned, not forked: the parent holds Rust-side
stores and threads that fork does not copy safely.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Generic, TypeVar

from culturedata.checking import SourceCheck
from culturedata.config import Source
from culturedata.mapping import SAMPLED, Coverage, Identities, load_mapping
from culturedata.records import Finding, MappedRecord, SourceRecord
from culturedata.stagetimes import StageTimes
from culturedata.validate import EngineSpec, RecordReport

# Mapping formats whose records are plain values (a CSV row, a JSON object): pickled for a
# worker in microseconds.
FORMATS = frozenset({"csv", "json"})
IN_PROCESS_BATCHES = 4  # checked here before any worker starts: a small source never starts one
PARENT_CHECK = 1.0  # seconds between a worker's looks at whether the run is still there
T = TypeVar("T")
Checked = tuple[MappedRecord, RecordReport]
MintedNames = tuple[tuple[str, int], ...]  # a record's main entities, each with its names' fingerprint (identities.py)


@dataclass(frozen=True, slots=True)
class Processes:
    """How many worker processes check a big source's records, and the engine each builds."""

    count: int
    engine: EngineSpec


class Deferred(Generic[T]):
    """A list the triage appends to while rows are read ahead of the loader: what it says about
    the rows of a batch is let out just before that batch is loaded, as one process orders it."""

    def __init__(self, out: list[T]) -> None:
        self.out = out
        self.ahead = False  # reading ahead: hold what is appended
        self._held: list[T] = []
        self._cuts: deque[int] = deque()  # how many held items each batch read so far ends at

    def append(self, item: T) -> None:
        (self._held if self.ahead else self.out).append(item)

    def cut(self) -> None:
        """A batch's rows are read: what was appended so far belongs to it, or before it."""
        self._cuts.append(len(self._held))

    def release(self) -> None:
        """The oldest batch is being loaded: out with what was said while reading it."""
        upto = self._cuts.popleft()
        self.out.extend(self._held[:upto])
        del self._held[:upto]
        self._cuts = deque(cut - upto for cut in self._cuts)

    def finish(self) -> None:
        self.out.extend(self._held)
        self._held.clear()
        self._cuts.clear()
        self.ahead = False


def checked(check: SourceCheck, records: Iterable[SourceRecord], processes: Processes | None, clock: StageTimes,
            said: Deferred[T] | None = None) -> Iterator[Checked]:
    """`check.checked(records)`, with the mapping and validation of a big source in worker
    processes. This process's part of their work (sending batches, taking them back) is timed
    as `map`; the workers' CPU seconds go to `map` and `validate` as spent elsewhere."""
    if processes is None or processes.count < 2 or check.mapping.format not in FORMATS:
        return check.checked(records)
    spread: _Spread[T] = _Spread(check, processes, clock, said)
    return check.tuned(clock.wrap("map", spread.mapped(check.rows(records))))


@dataclass(frozen=True, slots=True)
class _Seen:
    """What one record changed in a worker's Coverage, as far as it could change the run's."""

    index: int  # how many records the batch's coverage saw before this one
    had: frozenset[str]  # mapping fields found
    made: frozenset[str]  # entities made
    reached: frozenset[str]  # entities made or whose `each` matched
    names: tuple[str, ...] | None  # the names it holds, when sampled


@dataclass
class _Batch:
    """A batch back from a worker: its records mapped and validated (reports not tuned), and
    what the whole stream's watchers must be told."""

    checked: list[Checked]
    seen: list[_Seen]
    count: int  # records the coverage saw
    minted: list[tuple[int, MintedNames]]  # by position in the batch, in order
    map_cpu: float = 0.0
    validate_cpu: float = 0.0


@dataclass
class _Spread(Generic[T]):
    check: SourceCheck
    processes: Processes
    clock: StageTimes
    said: Deferred[T] | None = None
    pending: deque[tuple[list[SourceRecord], Future[_Batch] | None]] = field(default_factory=deque)

    def mapped(self, rows: Iterator[SourceRecord]) -> Iterator[Checked]:
        size = self.check.batch_size
        batches = iter(lambda: list(islice(rows, size)), [])
        if self.said is not None:
            self.said.ahead = True
        try:
            for _ in range(IN_PROCESS_BATCHES):
                batch = next(batches, None)
                if batch is None:
                    return
                self._cut()
                yield from self._here(batch)
            yield from self._in_workers(batches)
        finally:
            if self.said is not None:
                self.said.finish()

    def _in_workers(self, batches: Iterator[list[SourceRecord]]) -> Iterator[Checked]:
        recipe = _Recipe(self.check.source, self.check.base_iri, self.processes.engine, self.check.batch_size)
        pool = ProcessPoolExecutor(self.processes.count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=(recipe, os.getpid()))
        try:
            for batch in batches:
                self._cut()
                self.pending.append((batch, None))
                self.pending[-1] = (batch, pool.submit(_check, batch, self.check.coverage.records < SAMPLED))
                # A bounded queue keeps memory flat while every worker has a batch waiting.
                while len(self.pending) > 2 * self.processes.count:
                    yield from self._fold()
            while self.pending:
                yield from self._fold()
        except BrokenProcessPool:
            # A worker died: its batches, and those after, are checked here; none is lost.
            pool.shutdown(wait=False, cancel_futures=True)
            while self.pending:
                batch, _ = self.pending.popleft()
                yield from self._here(batch)
            for batch in batches:
                self._cut()
                yield from self._here(batch)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _cut(self) -> None:
        if self.said is not None:
            self.said.cut()

    def _here(self, batch: list[SourceRecord]) -> Iterator[Checked]:
        checked = list(self.check.mapped(iter(batch)))
        if self.said is not None:
            self.said.release()
        yield from checked

    def _fold(self) -> Iterator[Checked]:
        batch, future = self.pending[0]
        assert future is not None, "a batch whose sending failed broke the pool"
        done = future.result()  # raises BrokenProcessPool with the batch still pending
        self.pending.popleft()
        self.clock.elsewhere("map", done.map_cpu)
        self.clock.elsewhere("validate", done.validate_cpu)
        _replay(self.check.coverage, done)
        extra = _identities(self.check.identities, batch, done.minted)
        if self.said is not None:
            self.said.release()
        for position, (record, report) in enumerate(done.checked):
            found = extra.get(position)
            yield (record, report) if not found else _with_collisions(record, report, found)


def _replay(coverage: Coverage, done: _Batch) -> None:
    """Tell the run's coverage what the batch's records showed a worker's, in their order: the
    same steps `Coverage.see` takes, on what each record had."""
    base = coverage.records
    for seen in done.seen:
        coverage.records = base + seen.index + 1
        if not coverage.pending:
            break
        if coverage.unmade:
            coverage.unmade -= seen.made
            coverage.unreached -= seen.reached
        coverage.pending -= seen.had
        if seen.names is not None and coverage.pending and coverage.records <= SAMPLED:
            coverage.names.update(seen.names)
    coverage.records = base + done.count


def _identities(identities: Identities, batch: list[SourceRecord],
                minted: list[tuple[int, MintedNames]]) -> dict[int, list[Finding]]:
    """The batch's main entities checked against the run's, in order: the collision findings
    by position. Each entity's names are given as the fingerprint the check would make of them."""
    found: dict[int, list[Finding]] = {}
    for position, entities in minted:
        findings = identities.register(batch[position], entities)
        if findings:
            found[position] = findings
    return found


def _with_collisions(record: MappedRecord, report: RecordReport, found: list[Finding]) -> Checked:
    """The collision findings where the mapper puts them: after the record's own, before the shapes'."""
    own = len(record.findings)
    return (replace(record, findings=(*record.findings, *found)),
            replace(report, findings=(*report.findings[:own], *found, *report.findings[own:])))


# --- the worker's side --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Recipe:
    """What a worker needs to check a source's rows: plain, picklable values."""

    source: Source
    base_iri: str
    engine: EngineSpec
    batch_size: int


_checker: SourceCheck | None = None


def _start(recipe: _Recipe, parent: int) -> None:
    """Load the mapping and build the engine once; leave when the run's process is gone."""
    global _checker
    _checker = SourceCheck(recipe.source, load_mapping(recipe.source.mapping), recipe.base_iri,
                           recipe.engine.build(), recipe.batch_size, workers=1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)  # the run was killed: nobody will read what this worker makes


def _check(batch: list[SourceRecord], sampling: bool) -> _Batch:
    check = _checker
    assert check is not None, "_start runs first"
    check.coverage, check.identities = Coverage(check.mapping), Identities()
    clock = StageTimes("validate")
    check.timed = clock.wrap
    done = _Batch([], [], 0, [])
    done.checked = list(check.mapped(_watched(batch, check, sampling, done)))
    times = clock.spent
    done.map_cpu, done.validate_cpu = times["map"].cpu, times["validate"].cpu
    return done


def _watched(batch: list[SourceRecord], check: SourceCheck, sampling: bool, done: _Batch) -> Iterator[SourceRecord]:
    """The batch's rows, noting after each was mapped what it changed in the coverage and what
    it minted. The worker's identities forget every IRI at once: collisions are found by the
    run's process, which sees the whole stream."""
    coverage, identities = check.coverage, check.identities
    for position, record in enumerate(batch):
        before = (set(coverage.pending), set(coverage.unmade), set(coverage.unreached)) if coverage.pending else None
        # The coverage samples names while it counts at most SAMPLED records: sample this one or not.
        coverage.records = 0 if sampling else SAMPLED
        if sampling and before is not None:
            coverage.names = Counter()
        yield record
        if coverage.records != (0 if sampling else SAMPLED):  # it saw the record
            if before is not None:
                pending, unmade, unreached = before
                names = tuple(coverage.names) if sampling and coverage.names else None
                seen = _Seen(done.count, frozenset(pending - coverage.pending), frozenset(unmade - coverage.unmade),
                             frozenset(unreached - coverage.unreached), names)
                if seen.had or seen.made or seen.reached or seen.names:
                    done.seen.append(seen)
            done.count += 1
        told = identities.take(record.key)
        if told is not None:
            done.minted.append((position, told))


__all__ = ["FORMATS", "Deferred", "Processes", "checked"]

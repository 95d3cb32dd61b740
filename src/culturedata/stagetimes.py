"""Where a night went: CPU and wall seconds per stage of each source (harvest, map, validate, load)
and of the run around them (setup, pooling, index, report, publish, store).

The stages are generators pulled one through another: the loader's loop pulls validation, which
pulls mapping, which pulls the harvest. Timing a stage's iterator from outside would count the
stages it pulls too, so `StageTimes` keeps the stack of stages being pulled and charges every
interval to the innermost one: entering a stage's `next` pauses the stage that called it. Time
outside any wrapped iterator goes to the stage at the bottom of the stack (`load` in the pipeline:
its loop, flushes and deletions). CPU is the thread's own (`time.thread_time`), since sources run
in threads; waiting (the network, the shared validator's lock) is wall time only. A big source's
mapping and validation may run in worker processes (parallel.py): their CPU seconds are added to
those stages (`elsewhere`) and also kept apart, as `workers_cpu`, so a report says both.

The run's own stages are `RunTimes`, on the thread that calls `run()`. The store works in threads
of its own too (RocksDB's compactions and flushes, the bulk loader's parsers), on behalf of
whichever source wrote last: their CPU is the `store` stage, counted as the process's CPU during
the run less every other stage's, so that the stages add up to the whole run. Publication is the
process's CPU while the snapshot is optimised and switched, most of which RocksDB's threads spend.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

SOURCE_STAGES = ("harvest", "map", "validate", "load")
RUN_STAGES = ("setup", "pooling", "index", "report", "publish", "store")
STAGES = SOURCE_STAGES + RUN_STAGES
Timings = dict[str, dict[str, float]]  # stage -> {"cpu": seconds, "wall": seconds}, as the run report keeps them
T = TypeVar("T")


@dataclass
class Spent:
    cpu: float = 0.0
    wall: float = 0.0
    workers: float = 0.0  # of `cpu`, the seconds worker processes spent

    def as_dict(self) -> dict[str, float]:
        spent = {"cpu": round(self.cpu, 3), "wall": round(self.wall, 3)}
        if self.workers:
            spent["workers_cpu"] = round(self.workers, 3)
        return spent


def thread_clock() -> tuple[float, float]:
    """This thread's CPU seconds and the wall clock's."""
    return time.thread_time(), time.perf_counter()


class StageTimes:
    """The seconds of one thread's work, per stage; `bottom` gets what no wrapped stage does."""

    def __init__(self, bottom: str, clock: Callable[[], tuple[float, float]] = thread_clock) -> None:
        self.spent = {name: Spent() for name in STAGES}
        self._stack = [bottom]
        self._clock = clock
        self._cpu, self._wall = clock()

    def wrap(self, stage: str, iterator: Iterator[T]) -> Iterator[T]:
        return _Timed(self, stage, iterator)

    def enter(self, stage: str) -> None:
        self._charge()
        self._stack.append(stage)

    def leave(self) -> None:
        self._charge()
        self._stack.pop()

    def elsewhere(self, stage: str, cpu: float) -> None:
        """CPU seconds another process spent on this thread's behalf (parallel.py's workers)."""
        spent = self.spent[stage]
        spent.cpu += cpu
        spent.workers += cpu

    def as_dict(self) -> Timings:
        """The stages that took any time, as the run report keeps them."""
        self._charge()
        return {name: spent.as_dict() for name, spent in self.spent.items() if spent.wall or spent.cpu}

    def skip(self) -> None:
        """Charge nobody for the time since the last charge (a wait counted elsewhere)."""
        self._cpu, self._wall = self._clock()

    def _charge(self) -> None:
        cpu, wall = self._clock()
        spent = self.spent[self._stack[-1]]
        spent.cpu += cpu - self._cpu
        spent.wall += wall - self._wall
        self._cpu, self._wall = cpu, wall


class _Timed(Iterator[T]):
    """An iterator whose `next` is charged to `stage`, less the stages it pulls in turn."""

    def __init__(self, times: StageTimes, stage: str, inner: Iterator[T]) -> None:
        self.times, self.stage, self.inner = times, stage, inner

    def __next__(self) -> T:
        self.times.enter(self.stage)
        try:
            return next(self.inner)
        finally:
            self.times.leave()


class RunTimes:
    """The run's own stages on the thread that runs it, publication, and the store's threads."""

    def __init__(self, clock: Callable[[], tuple[float, float]] = thread_clock,
                 process: Callable[[], tuple[float, float]] = lambda: (time.process_time(), time.perf_counter())) -> None:
        self.times = StageTimes("setup", clock)
        self._process = process
        self._started = process()[0]
        self._publishing = (0.0, 0.0)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.times.enter(name)
        try:
            yield
        finally:
            self.times.leave()

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """The sources run: this thread only waits, and their threads count their own time."""
        self.times.enter("setup")
        try:
            yield
        finally:
            self.times.skip()
            self.times.leave()

    def publish_begins(self) -> None:
        self.times.enter("publish")
        self._publishing = self._process()

    def published(self) -> None:
        cpu, wall = self._process()
        self.times.skip()  # this thread's share is in the process's figure
        self.times.leave()
        self.times.spent["publish"] = Spent(cpu - self._publishing[0], wall - self._publishing[1])

    def as_dict(self, sources: Iterable[Timings]) -> Timings:
        """The run's stages, `store` being what neither they nor the sources' stages spent."""
        timings = self.times.as_dict()
        # Worker processes' seconds are in the sources' stages but not in this process's clock.
        spent = sum(s["cpu"] for s in timings.values()) + sum(
            s["cpu"] - s.get("workers_cpu", 0.0) for t in sources for s in t.values())
        rest = self._process()[0] - self._started - spent
        if rest > 0:
            timings["store"] = Spent(rest).as_dict()
        return timings

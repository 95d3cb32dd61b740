"""Where a source's night went: CPU and wall seconds per stage (harvest, map, validate, load).

The stages are generators pulled one through another: the loader's loop pulls validation, which
pulls mapping, which pulls the harvest. Timing a stage's iterator from outside would count the
stages it pulls too, so `StageTimes` keeps the stack of stages being pulled and charges every
interval to the innermost one: entering a stage's `next` pauses the stage that called it. Time
outside any wrapped iterator goes to the stage at the bottom of the stack (`load` in the pipeline:
its loop, flushes and deletions). CPU is the thread's own (`time.thread_time`), since sources run
in threads; waiting (the network, the shared validator's lock) is wall time only. A big source's
mapping and validation may run in worker processes (parallel.py): their CPU seconds are added to
those stages (`elsewhere`) and also kept apart, as `workers_cpu`, so a report says both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

STAGES = ("harvest", "map", "validate", "load", "publish")
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

    def as_dict(self) -> dict[str, dict[str, float]]:
        """The stages that took any time, as the run report keeps them."""
        self._charge()
        return {name: spent.as_dict() for name, spent in self.spent.items() if spent.wall or spent.cpu}

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


def publishing(cpu: float, wall: float) -> dict[str, dict[str, float]]:
    """The run's publish stage, from the process's CPU and wall seconds when it began."""
    return {"publish": Spent(time.process_time() - cpu, time.perf_counter() - wall).as_dict()}

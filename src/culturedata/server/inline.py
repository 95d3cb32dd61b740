"""Which queries are answered on the event loop itself instead of by a query worker.

The trip to a worker process and back costs two wake-ups, about 0.1 ms here: as much as
evaluating a point lookup. But a query evaluated on the event loop holds up every other
request, and pyoxigraph can only be stopped where it writes its output (see limits.py). So
a query runs inline only when its *shape* (its text with IRIs and strings blanked, numbers
such as LIMIT kept) has proven quick: its last PROOF runs each took at most QUICK seconds of
CPU (a slower run starts the count again). CPU time, not the wall clock: on a busy machine a
quick evaluation is often preempted, and each false alarm cost PROOF trips to a worker. A run slower
than SLOW, or stopped by its budget, sends the shape to the workers for good. An inline
run has its own short budget (INLINE_DEADLINE of CPU, INLINE_WALL of wall clock for a disk
that stalls, checked at each write like any budget); a query that overruns it is answered
again by a worker under the full budget. Memory
stays bounded: at most CAPACITY shapes are remembered.

While every worker is busy (runaway queries, say), a short description of one subject that
has not yet proven quick is tried inline too (`stand_in`) rather than queued behind them:
such a query writes a row at each step, and a star of a few dozen patterns is planned in
well under a millisecond (pyoxigraph's planner only takes seconds past a hundred patterns,
which SHORT keeps out). It gets the same inline deadline, and the same banishment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

QUICK = 0.005
SLOW = 0.05
PROOF = 20
INLINE_DEADLINE = SLOW
INLINE_WALL = 0.5
CAPACITY = 10_000
SHORT = 300  # characters of a shape tried inline before it proved quick: a few dozen patterns at most
_TERMS = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""")


_CONSTANT = r"(?:\?(?!\w)|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)"  # a blanked IRI or a prefixed name
_VARIABLE = r"[?$]\w+"
_SLOT = rf"(?:{_VARIABLE}|{_CONSTANT}|a)"
_STAR = rf"{_CONSTANT}\s+{_SLOT}\s+{_SLOT}(?:\s*;\s*{_SLOT}\s+{_SLOT})*\s*\.?"
_BOUNDED = re.compile(
    rf"""^(?:(?:PREFIX\s+[\w.-]*:\s*\?|BASE\s+\?)\s*)*
    (?:DESCRIBE(?:\s+{_CONSTANT})+\s*(?:WHERE\s*)?(?:\{{\s*\}})?
      |(?:SELECT\s+(?:\*|(?:{_VARIABLE}\s*)+)|CONSTRUCT\s*\{{[^{{}}]*\}})\s*
       (?:FROM\s+(?:NAMED\s+)?\?\s*)*(?:WHERE\s*)?
       \{{\s*(?:GRAPH\s+(?:{_VARIABLE}|{_CONSTANT})\s*\{{\s*{_STAR}\s*\}}|{_STAR})\s*\}})
    \s*(?:LIMIT\s+\d+\s*|OFFSET\s+\d+\s*)*$""",
    re.IGNORECASE | re.VERBOSE,
)


@lru_cache(maxsize=1024)  # asked on every request; the shapes of a day's traffic are few
def bounded(shape: str) -> bool:
    """Is `shape` the description of one constant subject, which writes as it goes?"""
    return _BOUNDED.match(shape.strip()) is not None


def shape_of(query: str) -> str:
    """The query with its IRIs and strings blanked: what stays the same from one entity to the next."""
    return _TERMS.sub("?", query)


@dataclass
class ShapeRecord:
    quick_runs: int = 0
    banished: bool = False


class InlinePolicy:
    """What the query workers have taught about each query shape; used on the event loop thread only."""

    def __init__(
        self, quick: float = QUICK, slow: float = SLOW, proof: int = PROOF, capacity: int = CAPACITY,
        eligible: Callable[[str], bool] = bounded,
    ) -> None:
        self.eligible = eligible
        self.quick = quick
        self.slow = slow
        self.proof = proof
        self.capacity = capacity
        self._shapes: dict[str, ShapeRecord] = {}

    def allows(self, shape: str) -> bool:
        if not self.eligible(shape):
            return False
        record = self._shapes.get(shape)
        return record is not None and not record.banished and record.quick_runs >= self.proof

    def stand_in(self, shape: str) -> bool:
        """May `shape` be tried inline when no worker is free, though it has not proven quick yet?"""
        if len(shape) > SHORT or not self.eligible(shape):
            return False
        record = self._shapes.get(shape)
        return record is None or not record.banished

    def record(self, shape: str, seconds: float) -> None:
        """One evaluation of `shape` took `seconds` (infinity when it was stopped)."""
        record = self._shapes.get(shape)
        if record is None:
            if len(self._shapes) >= self.capacity:
                return  # shapes not yet learnt stay with the workers
            record = self._shapes[shape] = ShapeRecord()
        if seconds > self.slow:
            record.banished = True
        elif seconds > self.quick:
            record.quick_runs = 0
        else:
            record.quick_runs += 1

"""A query's budget: a deadline and a byte cap, enforced where pyoxigraph writes its output.

pyoxigraph has no timeout option (0.5), but its serialisers pull solutions lazily and write
them through our file object; raising from `write` unwinds the Rust evaluation and frees
its iterators, so a runaway streaming query really stops. A query that computes for a long
time before its first row (a huge ORDER BY or GROUP BY) is only stopped at that first write;
the client gets its 503 at the deadline anyway (see `sparql.py`).
"""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class BudgetExceeded(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason  # "timeout" or "size"
        super().__init__(reason)


class BudgetedBuffer(io.BytesIO):
    """A binary file collecting the response body under a deadline and a size cap.

    A BytesIO, so that pyoxigraph's serialisers (typed to write to a binary file) accept it;
    `write` raises, which stops the serialiser, once the deadline passes or the body outgrows the cap."""

    def __init__(self, timeout: float, max_bytes: int, cpu: float | None = None) -> None:
        super().__init__()
        self.deadline = time.monotonic() + timeout
        self.max_bytes = max_bytes
        self.size = 0
        self.cancelled = False
        # `cpu`: seconds of this thread's CPU time, for work on the event loop (inline.py), where
        # what matters is how long the query holds the loop, not how long others held the core.
        self.cpu_started = time.thread_time() if cpu is not None else None
        self.cpu_deadline = self.cpu_started + cpu if self.cpu_started is not None and cpu is not None else None

    def write(self, data: ReadableBuffer, /) -> int:
        self.check()
        written = super().write(data)
        self.size += written
        if self.size > self.max_bytes:
            raise BudgetExceeded("size")  # the body is dropped with the buffer
        return written

    def check(self) -> None:
        if (self.cancelled or time.monotonic() > self.deadline
                or (self.cpu_deadline is not None and time.thread_time() > self.cpu_deadline)):
            raise BudgetExceeded("timeout")

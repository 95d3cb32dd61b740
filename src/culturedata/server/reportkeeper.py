"""The validation page's reports, kept a short while in memory for their downloads.

A person who checked a large export then asks for its report as CSV, JSON or HTML; posting
the file again would check it again. So the page keeps the *reports* (never the file) under
an unguessable token for `TTL` seconds, within a byte budget: the oldest go first when a new
one does not fit, and a report larger than the whole budget is not kept (its page says so).
They are kept pickled and compressed, which counts their bytes exactly and makes them small:
a report's findings repeat the same messages (100,000 rows with half a million findings take
about 8 MB). Only this process ever reads what it pickled. The token is random, not signed:
it names nothing, and nothing can be learnt from it. One process holds them, as `culturedata
serve` runs one.
"""

from __future__ import annotations

import pickle
import secrets
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server starts without the validation wing; the first upload loads it
    from culturedata.validate import ExportReport

TTL = 15 * 60
BUDGET = 64_000_000


@dataclass(frozen=True)
class Kept:
    packed: bytes
    filename: str
    until: float

    def report(self) -> ExportReport:
        report: ExportReport = pickle.loads(zlib.decompress(self.packed))  # noqa: S301 (our own bytes)
        return report


class ReportKeeper:
    def __init__(self, budget: int = BUDGET, ttl: float = TTL) -> None:
        self.budget, self.ttl = budget, ttl
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, report: ExportReport, filename: str) -> str | None:
        """A token for this report, or None when it is larger than the whole budget.
        Seconds of CPU for a large report: call it off the event loop."""
        packed = zlib.compress(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL), 1)
        if len(packed) > self.budget:
            return None
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._expire(time.monotonic())
            while self._kept and self.used + len(packed) > self.budget:
                self._kept.popitem(last=False)
            self._kept[token] = Kept(packed, filename, time.monotonic() + self.ttl)
        return token

    def get(self, token: str) -> Kept | None:
        with self._lock:
            self._expire(time.monotonic())
            return self._kept.get(token)

    @property
    def used(self) -> int:
        return sum(len(kept.packed) for kept in self._kept.values())

    def _expire(self, now: float) -> None:
        for token in [token for token, kept in self._kept.items() if kept.until <= now]:
            del self._kept[token]


"""The validation page's reports, kept a short while in memory for their downloads.

A person who checked a large export then asks for its report as CSV, JSON or HTML; posting
the file again would check it again. So the page keeps the *reports* (never the file) under
an unguessable token for `TTL` seconds, within a byte budget: the oldest go first when a new
one does not fit, and a report larger than the whole budget is not kept (its page then offers
the download by posting the file again). The token is random, not signed: it names nothing,
and nothing can be learnt from it. One process holds them, as `culturedata serve` runs one.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server starts without the validation wing; the first upload loads it
    from culturedata.validate import RecordReport

TTL = 15 * 60
BUDGET = 64_000_000


@dataclass(frozen=True)
class Kept:
    reports: list[RecordReport]
    filename: str
    size: int  # the budget it takes: the report's estimated size
    until: float


class ReportKeeper:
    def __init__(self, budget: int = BUDGET, ttl: float = TTL) -> None:
        self.budget, self.ttl = budget, ttl
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, reports: list[RecordReport], filename: str) -> str | None:
        """A token for these reports, or None when they are larger than the whole budget."""
        size = estimated_size(reports)
        if size > self.budget:
            return None
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._expire(time.monotonic())
            while self._kept and self.used + size > self.budget:
                self._kept.popitem(last=False)
            self._kept[token] = Kept(reports, filename, size, time.monotonic() + self.ttl)
        return token

    def get(self, token: str) -> Kept | None:
        with self._lock:
            self._expire(time.monotonic())
            return self._kept.get(token)

    @property
    def used(self) -> int:
        return sum(kept.size for kept in self._kept.values())

    def _expire(self, now: float) -> None:
        for token in [token for token, kept in self._kept.items() if kept.until <= now]:
            del self._kept[token]


def estimated_size(reports: list[RecordReport]) -> int:
    """Roughly the memory the reports take: a record's fixed cost, and each finding's texts."""
    return sum(
        300 + sum(400 + sum(len(text) for text in f.message.values()) + len(f.value or "") for f in report.findings)
        for report in reports
    )

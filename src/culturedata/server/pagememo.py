"""What the entity pages of one snapshot ask alike, answered once per snapshot.

Every page names the same few hundred terms (types, properties, concepts, the run that
published its record), lists the same collection of its institution and counts it: read
from the store, those were most of a page's cost. A published snapshot never changes, so an
answer read from it stays true for as long as it is served; `PageMemos` hands out the current
snapshot's `Memo` and drops it when the server switches to another. A writable store (no
snapshot name: its content changes) gets none. Each memo is bounded: past its size, the
oldest answers are forgotten first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # lookups.py reads and fills the memo
    import pyoxigraph as ox

    from culturedata.server.lookups import Subject, Term

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

LABELS = 50_000  # (IRI, language) -> label: a few MB, every concept and term of a large snapshot
LISTS = 5_000  # (predicate, object, limit) -> the first subjects: one per creator, venue, institution seen
COUNTS = 5_000  # (predicate, object, cap) -> how many subjects

# The first subjects with a predicate and object, and when they are all of them, how many rows held them.
Found = tuple[tuple["Subject", ...], int | None]


class Bounded(Generic[K, V]):
    """A mapping that keeps its last `size` entries (first in, first out: no bookkeeping on a hit)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def __getitem__(self, key: K) -> V:
        return self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: K, value: V) -> V:
        if key not in self._entries and len(self._entries) >= self.size:
            self._entries.popitem(last=False)
        self._entries[key] = value
        return value


@dataclass
class Memo:
    """One snapshot's answers (the store's labels, lists and counts; see lookups.py and labels.py)."""

    snapshot: str
    labels: Bounded[tuple[str, str], str | None] = field(default_factory=lambda: Bounded(LABELS))
    lists: Bounded[tuple[ox.NamedNode, Term, int], Found] = field(default_factory=lambda: Bounded(LISTS))
    counts: Bounded[tuple[ox.NamedNode, Term, int], int] = field(default_factory=lambda: Bounded(COUNTS))


class PageMemos:
    """The memo of the snapshot being served, made on its first page."""

    def __init__(self) -> None:
        self._current: Memo | None = None

    def of(self, snapshot: str | None) -> Memo | None:
        """The memo of `snapshot` (a new one when the server moved to another); None for a store
        whose content changes."""
        if snapshot is None:
            return None
        memo = self._current
        if memo is None or memo.snapshot != snapshot:
            # Replaced as one value: a page being built keeps the memo of its own snapshot.
            memo = self._current = Memo(snapshot)
        return memo

"""Which store the server answers from.

Read-only mode (the default): the published snapshot, opened read-only and reopened when a
run publishes a new one (a `readlink` per request is how we notice). The query workers
(workers.py) open the directory `served()` names with each request, so they switch with us.

Writable mode (`server.updates = true`): Oxigraph allows one writing process, and snapshots
never change, so the server owns a dedicated store at `<store>/live`, created the first time
as a copy of the published snapshot (`Store.backup`: hard links, instant). SPARQL Update and
the Graph Store Protocol write there and queries read there; `culturedata run` keeps
publishing snapshots, which this mode does not follow.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from culturedata.store import Snapshots, is_merged, unmerge


def select(store: ox.Store, query: str, *, union: bool = False) -> ox.QuerySolutions:
    """The solutions of one of our own SELECT queries (`union`: the default graph is the merge of
    every graph, which a snapshot stores as its default graph; see store/merged.py)."""
    solutions = store.query(query, use_default_graph_as_union=union and not is_merged(store))
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query[:80]}")
    return solutions


class Served(NamedTuple):
    """What a query is answered from: the store, its snapshot's name (None when its content
    changes), the snapshot's directory, where query workers open it (None: no workers), and
    whether its default graph is the merge of its named graphs (None: ask the store each time,
    its content changes)."""

    store: ox.Store | None
    name: str | None
    location: str | None
    merged: bool | None = None


class SnapshotReader:
    writable = False

    def __init__(self, snapshots: Snapshots) -> None:
        self.snapshots = snapshots
        self._pointer = str(snapshots.pointer)  # read on every request: spelled once
        self._lock = threading.Lock()
        # (pointer target, what it serves), replaced as one value so that readers never mix two
        # snapshots; `Served` is made once per snapshot, not per request (the hot path's cost).
        self._open: tuple[str, Served] | None = None

    @property
    def label(self) -> str | None:
        return self._open[1].name if self._open else None

    def store(self) -> ox.Store | None:
        """The current snapshot's store, or None before the first publication."""
        return self.current()[0]

    def current(self) -> tuple[ox.Store | None, str | None]:
        """The current snapshot's store and name (the name stands for its content, which never changes)."""
        served = self.served()
        return served.store, served.name

    def served(self) -> Served:
        """The current snapshot: its store, name and directory, all of the same publication."""
        try:
            target = os.readlink(self._pointer)
        except OSError:
            return Served(None, None, None)
        opened = self._open
        if opened is None or opened[0] != target:
            with self._lock:
                opened = self._open
                if opened is None or opened[0] != target:
                    location = str(Path(self._pointer).parent / target)
                    store = ox.Store.read_only(location)
                    opened = (target, Served(store, target.rsplit("/", 1)[-1], location, is_merged(store)))
                    self._open = opened
        return opened[1]


class LiveStore:
    """The writable store of a server with updates enabled."""

    writable = True

    def __init__(self, snapshots: Snapshots, path: Path) -> None:
        self.snapshots = snapshots
        self.path = path
        if not path.exists():
            current = snapshots.current()
            path.parent.mkdir(parents=True, exist_ok=True)
            if current is not None:
                ox.Store.read_only(str(current)).backup(str(path))
        self._store = ox.Store(str(path))
        # Updates here do not keep a merged default graph in step: queries take the union instead.
        unmerge(self._store)

    @property
    def label(self) -> str:
        return "live"

    def store(self) -> ox.Store:
        return self._store

    def current(self) -> tuple[ox.Store, None]:
        """The store, and no snapshot name: its content changes, so answers are never reused."""
        return self._store, None

    def served(self) -> Served:
        """No directory for workers either: Oxigraph lets one process open a writable store, and a
        read-only view elsewhere would not see the writes. Its queries run on threads (sparql.py)."""
        return Served(self._store, None, None)

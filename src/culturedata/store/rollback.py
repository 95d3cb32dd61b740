"""A rollback that keeps the takedown list applied.

The list lives beside the snapshots, but a snapshot published before a takedown still holds
the withdrawn record. So a rollback looks in the snapshot it goes back to: when a record on
the list is there, it publishes a reissue of that snapshot (snapshot.py) with those records
withdrawn, tombstone and reason as `culturedata takedown` leaves them, and serves the
reissue; the withdrawn record is never served, not even for a moment. Otherwise it serves
the earlier snapshot as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from culturedata import iris
from culturedata.store.loader import Loader, Provenance, RecordState
from culturedata.store.snapshot import Snapshots
from culturedata.store.takedown import Takedown, Takedowns
from culturedata.store.target import EmbeddedTarget, read_records


@dataclass(frozen=True)
class RolledBack:
    restored: str  # the earlier snapshot gone back to
    served: str  # what is served now: `restored`, or its reissue without the withdrawn records
    withdrawn: list[str] = field(default_factory=list)  # the keys withdrawn again


# What must sit beside a snapshot before it is served, given its store and folder: the caller's
# (the CLI gives the search index, which a later wing builds: the store may not import it).
Prepare = Callable[[ox.Store, Path], object]


def roll_back(snapshots: Snapshots, takedowns: Takedowns, base_iri: str, to: str | None = None,
              prepare: Prepare | None = None) -> RolledBack:
    """Serve the earlier snapshot `to` (default: the one before the current) without anything
    the takedown list names; `prepare` is called on what will be served, before it is. Call it
    holding the run lock."""
    restored = snapshots.earlier(to)
    listed = takedowns.load()
    system = iris.system_graph(base_iri)
    folder = snapshots.root / "snapshots" / restored
    back = ox.Store.read_only(str(folder))
    present = listed_graphs(back, system, listed)
    if not present and prepare is not None:
        prepare(back, folder)
    del back
    if not present:
        return RolledBack(restored, snapshots.rollback(restored))
    staging = snapshots.begin(reissue=restored)
    assert staging.store is not None
    target = EmbeddedTarget(staging.store, system)
    try:
        now = datetime.now(UTC)
        for key, state in present.items():
            loader = Loader(target, Provenance(system, iris.run(base_iri, staging.id), state.source), now,
                            {state.graph: state})
            loader.take_down(state.graph, key, listed[key].reason)
            loader.flush()
        if prepare is not None:
            prepare(staging.store, staging.path)  # the reissue's own: without the withdrawn records
        target.close()  # RocksDB must be closed before its folder moves
        snapshots.publish(staging, optimize=False)
    except BaseException:
        target.close()
        snapshots.discard(staging)
        raise
    snapshots.ask_full_harvest()
    return RolledBack(restored, staging.id, sorted(present))


def listed_graphs(store: ox.Store, system: str, listed: dict[str, Takedown]) -> dict[str, RecordState]:
    """The state of each listed record whose data `store` serves (published, or held), by key."""
    return {
        state.key: state for state in read_records(store, system).values()
        if state.key in listed and (state.published or state.held)
    }

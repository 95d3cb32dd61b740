"""One write to the store, all or nothing where the store allows it.

Embedded, a write goes to a staged copy of the served snapshot: published when the block
ends, thrown away (staging folder and all) if it raises. A remote store has no snapshots: it
is written as the block goes, and its id is only the run's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from culturedata.store.remote import Endpoints, RemoteTarget
from culturedata.store.snapshot import Snapshots, Staging
from culturedata.store.target import EmbeddedTarget, Target


@dataclass
class Transaction:
    target: Target
    id: str  # the staged snapshot's id, or the run's time for a remote store
    staging: Staging | None = None
    # Compacting a snapshot costs seconds and pays only after many changes: the block says.
    optimize: bool = True


@contextmanager
def transaction(
    snapshots: Snapshots, endpoints: Endpoints | None, system_graph: str, now: datetime, *, revertible: bool = False,
    empty: bool = False,
) -> Iterator[Transaction]:
    """Write to the remote store at `endpoints`, or else to a staged snapshot: a copy of the
    served one, or with `empty` an empty store. `revertible` opens the served snapshot beside
    it, for `Target.revert`."""
    if endpoints is not None:
        yield Transaction(RemoteTarget(endpoints, system_graph), now.strftime("%Y%m%dT%H%M%S%fZ"))
        return
    staging = snapshots.begin(empty=empty)
    assert staging.store is not None
    # Additions wait until the store is read, something removed or a million lines held
    # (spool.py): a first run into an empty store is few bulk_loads. The spool beside the staging folder, never inside it.
    target = EmbeddedTarget(staging.store, system_graph, snapshots.open_current() if revertible else None,
                            defer=True, spool_folder=staging.path.parent)
    written = Transaction(target, staging.id, staging)
    try:
        yield written
        optimize = written.optimize and target.needs_optimising
        target.close()  # RocksDB must be closed before its folder moves
        snapshots.publish(staging, optimize=optimize)
    except BaseException:
        target.close(settle=False)  # and before its folder is removed
        snapshots.discard(staging)
        raise

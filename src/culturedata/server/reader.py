"""The published snapshot, opened read-only and reopened when a run publishes a new one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyoxigraph as ox

from culturedata.store import Snapshots


class SnapshotReader:
    def __init__(self, snapshots: Snapshots) -> None:
        self.snapshots = snapshots
        self._lock = threading.Lock()
        self._target: str | None = None
        self._store: ox.Store | None = None

    def store(self) -> ox.Store | None:
        """The current snapshot's store; a readlink per call is how we notice a publication."""
        pointer = self.snapshots.pointer
        try:
            target = os.readlink(pointer)
        except OSError:
            return None
        if target != self._target:
            with self._lock:
                if target != self._target:
                    self._store = ox.Store.read_only(str(Path(pointer).parent / target))
                    self._target = target
        return self._store

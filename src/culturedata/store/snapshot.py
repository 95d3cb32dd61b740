"""Immutable snapshots of the store, published by an atomic pointer switch.

Oxigraph allows one writing process, and opening a store read-only while another process
writes it is undefined. So the served store never changes: a run copies the current
snapshot (`Store.backup` hard-links its files, so this is instant), writes into the copy,
and then swaps the `current` symlink to it in one `rename`. A reader sees the old snapshot
or the new one, never half of a run.

    <store>/snapshots/<id>/      one pyoxigraph store per published run
    <store>/staging/<id>/        the run being written; removed if the run dies
    <store>/current -> snapshots/<id>

A snapshot's id is the time its run began (`20260301T020000123456Z`). A snapshot made from an
earlier one, when a rollback withdraws again what the takedown list names (rollback.py),
is a reissue of it: the same id and a number (`20260301T020000123456Z-1`), which sorts after
its origin and before the next run's snapshot, so going back once more goes back in time.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from culturedata.errors import StoreError

# Every run is described in the system graph as a prov:Activity (runstate.run_facts).
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_ACTIVITY = ox.NamedNode("http://www.w3.org/ns/prov#Activity")


@dataclass
class Staging:
    """The snapshot a run is writing. Hold this, not the store: publishing must be able to
    close the store (drop the last reference) before its directory moves."""

    id: str
    path: Path
    store: ox.Store | None

    def close(self) -> None:
        if self.store is not None:
            self.store.flush()
        self.store = None


@dataclass(frozen=True)
class Snapshots:
    root: Path
    keep: int = 5

    @property
    def pointer(self) -> Path:
        return self.root / "current"

    def current(self) -> Path | None:
        """The published snapshot's directory, or None before the first publication."""
        if not self.pointer.is_symlink():
            return None
        return (self.root / os.readlink(self.pointer)).resolve()

    def open_current(self) -> ox.Store | None:
        """The published snapshot, read-only (it never changes, so reading it is safe)."""
        current = self.current()
        return ox.Store.read_only(str(current)) if current is not None else None

    def foreign_system_graph(self, system_graph: str) -> str | None:
        """The served snapshot's system graph when it is not `system_graph`: the snapshot was
        published under another base IRI (`publish.base_iri` changed, or a restored dump).
        None when it is ours, when nothing is served, or when the snapshot has no system graph."""
        store = self.open_current()
        if store is None or store.contains_named_graph(ox.NamedNode(system_graph)):
            return None
        # A system graph is where runs are described; its name ends as iris.system_graph spells it.
        suffix = system_graph.rsplit("/", 2)[-2:]
        for quad in store.quads_for_pattern(None, RDF_TYPE, PROV_ACTIVITY, None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value.rsplit("/", 2)[-2:] == suffix:
                return graph.value
        return None

    def begin(self, empty: bool = False, reissue: str | None = None) -> Staging:
        """A writable copy of the current snapshot (or an empty store), under a new id; or,
        with `reissue`, a copy of that published snapshot under its next reissue id.
        Call it holding the run lock: staging left by a killed run is removed first."""
        snapshot_id = self._reissue_id(reissue) if reissue else datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        staging = self.root / "staging" / snapshot_id
        try:
            staging.parent.mkdir(parents=True, exist_ok=True)
            for leftover in staging.parent.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)
            probe = staging.parent / ".write-test"
            probe.write_bytes(b"")  # a read-only folder fails here, before any work is done
            probe.unlink()
            source = self.root / "snapshots" / reissue if reissue else self.current()
            if source is not None and not empty:
                ox.Store.read_only(str(source)).backup(str(staging))
            return Staging(snapshot_id, staging, ox.Store(str(staging)))
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)  # a half-made copy, e.g. on a full disk
            raise StoreError("store.unwritable", path=self.root, detail=exc.strerror or exc) from exc

    def publish(self, staging: Staging, optimize: bool = True) -> Path:
        """Make the staged snapshot the served one, atomically, then drop old snapshots.
        `optimize` compacts it first: worth it after many changes to a copied snapshot, not for
        a few (RocksDB compacts small writes on its own) nor for a store bulk-loaded from empty,
        whose files it would write again uncompressed (`EmbeddedTarget.needs_optimising`).
        Nothing else writes the store again: the copy `begin` made is hard links, the move a rename."""
        try:
            if staging.store is not None and optimize:
                staging.store.optimize()
            staging.close()  # RocksDB must be closed before its directory moves
            final = self.root / "snapshots" / staging.id
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging.path, final)
            try:
                self._point_to(staging.id)
            except OSError:
                shutil.rmtree(final, ignore_errors=True)  # never served: not a snapshot to roll back to
                raise
        except OSError as exc:
            raise StoreError("store.unwritable", path=self.root, detail=exc.strerror or exc) from exc
        self._prune()
        return final

    def rollback(self, to: str | None = None) -> str:
        """Serve an earlier snapshot again: `to`, or the one published before the current.
        It is served as it is: `rollback.roll_back` is the rollback that keeps takedowns."""
        to = self.earlier(to)
        self._point_to(to)
        self.ask_full_harvest()
        return to

    def earlier(self, to: str | None = None) -> str:
        """The snapshot a rollback goes back to: `to`, which must be kept, or else the latest
        one made before the current one's run (a reissue of the current one is not earlier)."""
        ids = [p.name for p in self.published()]
        if to is None:
            current = self.current()
            older = [i for i in ids if current is None or _origin(i) < _origin(current.name)]
            if not older:
                raise StoreError("store.no_earlier_snapshot", path=self.root)
            to = max(older, key=_order)
        if to not in ids:
            raise StoreError("store.unknown_snapshot", snapshot=to, known=", ".join(ids) or "-")
        return to

    def _reissue_id(self, snapshot_id: str) -> str:
        origin = _origin(snapshot_id)
        taken = [_order(p.name)[1] for p in self.published() if _origin(p.name) == origin]
        return f"{origin}-{max(taken, default=0) + 1}"

    @property
    def full_marker(self) -> Path:
        return self.root / "full-harvest-next"

    def ask_full_harvest(self) -> None:
        """The harvesters' own watermarks (var/state) do not go back with a snapshot: the
        next run must harvest everything to catch up with what the served snapshot lacks."""
        self.full_marker.write_text("set by a rollback or a restore\n", encoding="utf-8")

    def _point_to(self, snapshot_id: str) -> None:
        # A new symlink renamed over the old one: readers see the old target or the new one.
        temporary = self.root / "current.new"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(Path("snapshots") / snapshot_id)
        os.replace(temporary, self.pointer)

    def discard(self, staging: Staging) -> None:
        """Drop a run's staging copy; it is thrown away, so a flush that fails (a full disk)
        must not stop the clean-up nor hide the error that led here."""
        staging.store = None
        shutil.rmtree(staging.path, ignore_errors=True)

    def published(self) -> list[Path]:
        folder = self.root / "snapshots"
        return sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: _order(p.name)) if folder.is_dir() else []

    def _prune(self) -> None:
        current = self.current()
        for old in self.published()[: -self.keep or None]:
            if old != current:
                shutil.rmtree(old, ignore_errors=True)


def _origin(snapshot_id: str) -> str:
    """The run a snapshot comes from: its id without a reissue number."""
    return snapshot_id.split("-", 1)[0]


def _order(snapshot_id: str) -> tuple[str, int]:
    """Snapshots in the order they were made: by run, then reissue (`-10` after `-9`)."""
    origin, _, number = snapshot_id.partition("-")
    return origin, int(number) if number.isdigit() else 0

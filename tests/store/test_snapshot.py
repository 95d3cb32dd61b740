"""Snapshots: a staged copy published by a symlink swap, rollback, pruning, leftovers."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from culturedata.errors import StoreError
from culturedata.store import Snapshots

Q = ox.Quad(ox.NamedNode("http://x.test/s"), ox.NamedNode("http://x.test/p"), ox.Literal("1"),
            ox.NamedNode("http://x.test/g"))


def publish_one(snapshots: Snapshots, quads: list[ox.Quad]) -> str:
    staging = snapshots.begin()
    assert staging.store is not None
    staging.store.extend(quads)
    snapshots.publish(staging)
    return staging.id


def test_a_new_snapshot_starts_as_a_copy_and_the_old_one_does_not_change(tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path, keep=3)
    first = publish_one(snapshots, [Q])
    staging = snapshots.begin()
    assert staging.store is not None and Q in staging.store
    staging.store.remove(Q)
    snapshots.publish(staging)
    assert len(ox.Store.read_only(str(tmp_path / "snapshots" / first))) == 1
    assert len(snapshots.open_current()) == 0  # type: ignore[arg-type]


def test_rollback_and_pruning(tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path, keep=2)
    ids = [publish_one(snapshots, [Q]) for _ in range(3)]
    assert [p.name for p in snapshots.published()] == ids[1:]
    assert snapshots.rollback() == ids[1]
    assert snapshots.current() == tmp_path / "snapshots" / ids[1]
    with pytest.raises(StoreError):
        snapshots.rollback()  # nothing older is kept
    assert snapshots.rollback(ids[2]) == ids[2]
    with pytest.raises(StoreError, match="No snapshot named"):
        snapshots.rollback("nope")


def test_staging_left_by_a_killed_run_is_removed(tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path)
    leftover = tmp_path / "staging" / "20200101T000000Z"
    leftover.mkdir(parents=True)
    (leftover / "junk").write_text("half a run")
    staging = snapshots.begin()
    assert not leftover.exists()
    snapshots.discard(staging)


def test_an_unwritable_root_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError) as caught:
        Snapshots(tmp_path / "file" / "store").begin()
    assert "file" in str(caught.value)

"""One write to the store: a staged snapshot published when the block ends, removed (after its
store is closed) when the block raises; a remote store written as the block goes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from culturedata.store import Batch, EmbeddedTarget, Endpoints, RemoteTarget, Snapshots, transaction

SYSTEM = "http://x.test/graph/system"
NOW = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
Q = ox.Quad(ox.NamedNode("http://x.test/s"), ox.NamedNode("http://x.test/p"), ox.Literal("1"),
            ox.NamedNode("http://x.test/g"))


def test_a_block_that_ends_publishes_its_snapshot(tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path)
    with transaction(snapshots, None, SYSTEM, NOW) as written:
        written.target.apply(Batch(quads=[Q]))
    current = snapshots.current()
    assert current is not None and current.name == written.id
    assert Q in ox.Store.read_only(str(current))
    assert not any((tmp_path / "staging").iterdir())


def test_a_block_that_raises_closes_the_store_then_removes_the_staging(tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path)
    with transaction(snapshots, None, SYSTEM, NOW) as first:
        first.target.apply(Batch(quads=[Q]))
    with pytest.raises(RuntimeError, match="boom"), transaction(snapshots, None, SYSTEM, NOW) as written:
        written.target.apply(Batch(drop=["http://x.test/g"]))
        raise RuntimeError("boom")
    assert isinstance(written.target, EmbeddedTarget) and written.target.store is None
    assert not any((tmp_path / "staging").iterdir())
    current = snapshots.current()
    assert current is not None and current.name == first.id  # the served snapshot did not move
    assert Q in ox.Store.read_only(str(current))


def test_a_revertible_transaction_sees_the_served_snapshot(tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path)
    with transaction(snapshots, None, SYSTEM, NOW) as first:
        first.target.apply(Batch(quads=[Q]))
    with transaction(snapshots, None, SYSTEM, NOW, revertible=True) as written:
        written.target.apply(Batch(drop=["http://x.test/g"]))
        assert written.target.revert(["http://x.test/g"])
    current = snapshots.current()
    assert current is not None and Q in ox.Store.read_only(str(current))


def test_a_remote_store_is_named_by_the_time_and_stages_nothing(tmp_path: Path) -> None:
    endpoints = Endpoints.guess("http://127.0.0.1:9/query")  # never called: nothing is written
    with transaction(Snapshots(tmp_path), endpoints, SYSTEM, NOW) as written:
        assert isinstance(written.target, RemoteTarget) and written.staging is None
    assert written.id == "20260102T030405000006Z"
    assert not (tmp_path / "staging").exists() and Snapshots(tmp_path).current() is None

"""A run's harvest state waits aside until the caller says its records are safe (checkpoint.py),
over the real OAI-PMH server of the `oaipmh` package."""

from __future__ import annotations

from pathlib import Path

import pytest
from harvest_peers import FAST, demo_repository, make_source, sample, serve_oai

from culturedata.harvest import HarvestOptions, PendingState, harvest
from culturedata.harvest.checkpoint import Checkpoint


@pytest.fixture
def repository():
    sample("musee-anse-aux-brumes", "datestamps.csv")
    return demo_repository()


def oai(url: str):
    return make_source("oai-pmh", url=url, metadata_prefix="lido", **FAST)


def test_a_runs_watermark_counts_only_once_promoted(repository, tmp_path: Path) -> None:
    pending = PendingState(tmp_path, "run-1")
    pending.begin()
    with serve_oai(repository, batch_size=5) as url:
        assert len(list(harvest(oai(url), HarvestOptions(state_dir=tmp_path, run="run-1")))) == 22
        assert Checkpoint(tmp_path, "test-source").watermark is None  # nothing published yet
        assert Checkpoint(tmp_path, "test-source", "run-1").watermark is not None  # the run sees its own
        pending.promote(["test-source"])
        assert Checkpoint(tmp_path, "test-source").watermark is not None
        assert not pending.folder.exists()
        # The next run starts from the promoted watermark: nothing changed since.
        assert list(harvest(oai(url), HarvestOptions(state_dir=tmp_path, run="run-2"))) == []


def test_a_dead_runs_position_is_never_resumed_by_the_next_run(repository, tmp_path: Path) -> None:
    with serve_oai(repository, batch_size=5) as url:
        stream = harvest(oai(url), HarvestOptions(state_dir=tmp_path, run="run-1"))
        for _ in range(7):
            next(stream)
        stream.close()  # the run dies on page 2, before anything is published
        assert Checkpoint(tmp_path, "test-source", "run-1").run is not None
        PendingState(tmp_path, "run-2").begin()
        assert not (tmp_path / "pending").exists()
        again = list(harvest(oai(url), HarvestOptions(state_dir=tmp_path, run="run-2")))
    assert len(again) == 22  # page 1 again: its records were never published


def test_a_position_left_in_the_durable_state_is_ignored_by_a_run(repository, tmp_path: Path) -> None:
    with serve_oai(repository, batch_size=5) as url:
        stream = harvest(oai(url), HarvestOptions(state_dir=tmp_path))  # no run: writes through
        for _ in range(7):
            next(stream)
        stream.close()
        assert Checkpoint(tmp_path, "test-source").run is not None
        assert Checkpoint(tmp_path, "test-source", "run-1").run is None
        assert len(list(harvest(oai(url), HarvestOptions(state_dir=tmp_path, run="run-1")))) == 22


def test_only_the_named_sources_are_promoted(tmp_path: Path) -> None:
    pending = PendingState(tmp_path, "run-1")
    for source_id in ("ok", "failed"):
        Checkpoint(tmp_path, source_id, "run-1").save_validators("http://127.0.0.1/x.csv", {"etag": '"v2"'})
    pending.promote(["ok"])
    assert Checkpoint(tmp_path, "ok").validators("http://127.0.0.1/x.csv") == {"etag": '"v2"'}
    assert Checkpoint(tmp_path, "failed").validators("http://127.0.0.1/x.csv") == {}
    assert not (tmp_path / "pending" / "run-1").exists()


def test_a_harvest_of_one_source_leaves_another_ones_pending_state_alone(tmp_path: Path) -> None:
    Checkpoint(tmp_path, "busy", "run-a").complete(None)  # still harvesting elsewhere
    Checkpoint(tmp_path, "mine", "run-dead").complete(None)  # killed earlier
    PendingState(tmp_path, "run-b").begin(["mine"])
    assert (tmp_path / "pending" / "run-a" / "busy.json").exists()
    assert not (tmp_path / "pending" / "run-dead").exists()

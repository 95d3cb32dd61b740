"""Per-stage timings: each second is charged once, to the innermost stage running; the run's own
stages and the store's threads make up the rest of the run; a run's report, its summary and
`culturedata status` show them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from culturedata.stagetimes import RunTimes, StageTimes


class Clock:
    """A clock the test moves by hand: (CPU seconds, wall seconds)."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def __call__(self) -> tuple[float, float]:
        return self.cpu, self.wall

    def spend(self, cpu: float, wall: float) -> None:
        self.cpu += cpu
        self.wall += wall


def test_each_stage_is_charged_its_own_time_not_the_stages_it_pulls() -> None:
    clock = Clock()
    times = StageTimes("load", clock)

    def harvest() -> Iterator[int]:
        for n in range(3):
            clock.spend(1, 5)  # a network wait: more wall than CPU
            yield n

    def mapping(records: Iterator[int]) -> Iterator[int]:
        for record in records:
            clock.spend(2, 2)
            yield record

    def validation(records: Iterator[int]) -> Iterator[int]:
        batch = list(records)  # pulls every record before checking any, as batches do
        clock.spend(4, 4)
        yield from batch

    checked = times.wrap("validate", validation(times.wrap("map", mapping(times.wrap("harvest", harvest())))))
    for _ in checked:
        clock.spend(0.5, 0.5)  # the loader's work
    assert times.as_dict() == {
        "harvest": {"cpu": 3.0, "wall": 15.0}, "map": {"cpu": 6.0, "wall": 6.0},
        "validate": {"cpu": 4.0, "wall": 4.0}, "load": {"cpu": 1.5, "wall": 1.5},
    }


def test_the_run_stages_and_the_store_threads_add_up_to_the_process_cpu() -> None:
    thread, process = Clock(), Clock()

    def spend(cpu: float, wall: float, others: float = 0.0) -> None:
        """This thread spends (cpu, wall); the process spends that and `others` on other threads."""
        thread.spend(cpu, wall)
        process.spend(cpu + others, wall)

    times = RunTimes(thread, process)
    spend(2, 3)  # setup
    with times.waiting():
        spend(0.01, 40, others=30)  # the sources' threads (25 s) and RocksDB's compactions (5 s)
    with times.stage("index"):
        spend(4, 4, others=1)
    times.publish_begins()
    spend(0.5, 6, others=3)  # optimize: RocksDB's threads do the work
    times.published()
    timings = times.as_dict([{"map": {"cpu": 10, "wall": 12}, "load": {"cpu": 15, "wall": 25}}])
    assert timings == {
        "setup": {"cpu": 2.0, "wall": 3.0}, "index": {"cpu": 4.0, "wall": 4.0},
        "publish": {"cpu": 3.5, "wall": 6.0}, "store": {"cpu": 6.01, "wall": 0.0},
    }
    assert sum(s["cpu"] for s in timings.values()) + 25 == pytest.approx(process.cpu)


def test_a_run_reports_its_stages_and_status_shows_them(cli, demo_project: Path) -> None:
    outcome = cli("run")
    assert outcome.code in (0, 1), outcome.err
    assert "Where the run's time went" in outcome.err
    [path] = (demo_project / "var" / "store" / "reports").glob("run-*.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    assert {"setup", "index", "report", "publish"} <= set(report["timings"]), report["timings"]
    assert report["timings"]["publish"]["wall"] > 0
    for source in report["sources"]:
        assert {"harvest", "map", "validate", "load"} <= set(source["timings"]), source["source"]
        assert all(spent["cpu"] >= 0 and spent["wall"] >= 0 for spent in source["timings"].values())
        assert sum(spent["wall"] for spent in source["timings"].values()) <= source["seconds"] + 0.01
    status = cli("--lang", "fr", "status")
    assert status.code == 0 and "Où le temps de l'exécution est passé" in status.err
    assert "Moissonnage" in status.err and "(toute l'exécution)" in status.err and "Préparation" in status.err

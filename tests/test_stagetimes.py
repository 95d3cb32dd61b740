"""Per-stage timings: each second is charged once, to the innermost stage running, and a run's
report, its summary and `culturedata status` show them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from culturedata.stagetimes import StageTimes


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


def test_a_run_reports_its_stages_and_status_shows_them(cli, demo_project: Path) -> None:
    outcome = cli("run")
    assert outcome.code in (0, 1), outcome.err
    assert "Where the run's time went" in outcome.err
    [path] = (demo_project / "var" / "store" / "reports").glob("run-*.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    assert set(report["timings"]) == {"publish"} and report["timings"]["publish"]["wall"] > 0
    for source in report["sources"]:
        assert {"harvest", "map", "validate", "load"} <= set(source["timings"]), source["source"]
        assert all(spent["cpu"] >= 0 and spent["wall"] >= 0 for spent in source["timings"].values())
        assert sum(spent["wall"] for spent in source["timings"].values()) <= source["seconds"] + 0.01
    status = cli("--lang", "fr", "status")
    assert status.code == 0 and "Où le temps de l'exécution est passé" in status.err
    assert "Moissonnage" in status.err and "(toute l'exécution)" in status.err

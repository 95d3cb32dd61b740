"""Run reports are named as runs only once published; what killed runs left is settled."""

from __future__ import annotations

from pathlib import Path

from culturedata.store import RunReports


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_staged_report_is_no_runs_report_until_published(tmp_path: Path) -> None:
    reports = RunReports(tmp_path / "reports")
    reports.stage("20260101T000000000000Z", '{"snapshot": "20260101T000000000000Z"}')
    assert list((tmp_path / "reports").glob("run-*.json")) == []
    published = reports.publish("20260101T000000000000Z")
    assert names(tmp_path / "reports") == ["run-20260101T000000000000Z.json"]
    assert published.read_text(encoding="utf-8") == '{"snapshot": "20260101T000000000000Z"}'
    reports.discard("20260101T000000000000Z")  # after publication: nothing to discard
    assert names(tmp_path / "reports") == ["run-20260101T000000000000Z.json"]


def test_a_discarded_report_leaves_nothing(tmp_path: Path) -> None:
    reports = RunReports(tmp_path / "reports")
    reports.stage("20260101T000000000000Z", "{}")
    reports.discard("20260101T000000000000Z")
    assert names(tmp_path / "reports") == []


def test_settling_names_the_served_runs_report_and_drops_the_others(tmp_path: Path) -> None:
    reports = RunReports(tmp_path / "reports")
    reports.stage("20260101T000000000000Z", "{}")  # killed after publishing: its snapshot is served
    reports.stage("20260102T000000000000Z", "{}")  # killed before: never served
    reports.settle(lambda run_id: run_id == "20260101T000000000000Z")
    assert names(tmp_path / "reports") == ["run-20260101T000000000000Z.json"]
    RunReports(tmp_path / "absent").settle(lambda run_id: True)  # no folder yet: nothing to do

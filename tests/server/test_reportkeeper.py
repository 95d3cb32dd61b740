"""The validation page's reports kept for their downloads: within a byte budget, the oldest
first out, forgotten after their time, never larger than the budget."""

from __future__ import annotations

import time
from pathlib import Path

from culturedata.records import Finding, Severity
from culturedata.server.reportkeeper import ReportKeeper
from culturedata.validate import ExportReport, RecordReport


def reports(count: int, salt: str = "") -> ExportReport:
    """A report whose findings do not compress away: each names a value of its own."""
    return ExportReport(tuple(RecordReport("musee", str(n), (Finding(
        "validate", Severity.WARNING, "HeritageObject-name", {"fr": f"titre {salt}{n * 7919}", "en": f"title {n}"},
        "musee", str(n), value=f"{salt}{n * 104729:x}", location=f"line {n + 2}"),), f"line {n + 2}")
        for n in range(count)))


def test_a_kept_report_comes_back_whole() -> None:
    keeper = ReportKeeper()
    kept = reports(50)
    token = keeper.keep(kept, "collection.csv")
    assert token is not None and len(token) >= 32
    back = keeper.get(token)
    assert back is not None and back.filename == "collection.csv" and back.report() == kept
    assert keeper.get("another") is None
    assert keeper.get("../../etc/passwd") is None


def test_a_report_kept_by_one_process_is_found_by_another(tmp_path: Path) -> None:
    """`serve --processes N`: the download may reach another process than the page did."""
    kept = reports(20)
    token = ReportKeeper(tmp_path).keep(kept, "collection.csv")
    back = ReportKeeper(tmp_path).get(token or "")
    assert back is not None and back.report() == kept and back.filename == "collection.csv"


def test_a_private_folder_goes_with_its_keeper() -> None:
    keeper = ReportKeeper()
    assert keeper.keep(reports(2), "a.csv") and keeper.folder.is_dir()
    assert keeper.folder.stat().st_mode & 0o077 == 0  # no one else reads what is unpickled
    keeper.close()
    assert not keeper.folder.exists()


def test_the_oldest_goes_when_a_new_one_does_not_fit() -> None:
    keeper = ReportKeeper(budget=200_000)
    tokens = [keeper.keep(reports(2000, str(n)), f"{n}.csv") for n in range(6)]
    assert all(tokens)
    assert keeper.used <= 200_000
    assert keeper.get(tokens[-1]) is not None  # type: ignore[arg-type]
    assert keeper.get(tokens[0]) is None  # type: ignore[arg-type]


def test_a_report_larger_than_the_budget_is_not_kept() -> None:
    keeper = ReportKeeper(budget=1_000)
    assert keeper.keep(reports(2000), "big.csv") is None
    assert keeper.used == 0


def test_a_report_is_forgotten_after_its_time() -> None:
    keeper = ReportKeeper(ttl=0.05)
    token = keeper.keep(reports(3), "a.csv")
    assert token is not None and keeper.get(token) is not None
    time.sleep(0.1)
    assert keeper.get(token) is None and keeper.used == 0

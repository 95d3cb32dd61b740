"""Honest quality over the demo configuration: a source's quality and open findings per rule
are those of its live records, the ones a run did not check again included, in the run report,
the CLI's tables and the dashboard alike; fixing or deleting a record moves them by that record."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx

from test_pipeline import FJORD, last_report, rewrite_csv

THEATRE = "theatre-deux-rives"
SHAPES = "https://w3id.org/culturedata/shapes/"


def reported(project: Path) -> dict[str, dict]:
    return {s["source"]: s for s in last_report(project)["sources"]}


def figures(project: Path) -> dict[str, tuple[int, int, float, dict[str, int]]]:
    """Per source, what must not move unless a record does: live, violating, quality, open rules."""
    return {name: (s["live"], s["violating"], s["quality"], s["open_rules"]) for name, s in reported(project).items()}


def dashboard(server: str) -> dict[str, tuple[float, list]]:
    """Per source, the dashboard's quality of the last run and its most broken rules."""
    answer = httpx.get(f"{server}/dashboard?format=json", timeout=30, trust_env=False)
    assert answer.status_code == 200
    return {s["source"]: (s["last"]["quality"], s["rules"]) for s in answer.json()["sources"]}


def kept_findings(project: Path, source: str) -> Counter[str]:
    """Records per rule, from the files listing every live record with findings (quarantined, or
    published with warnings), which keep the entries of records a run did not check again."""
    from culturedata.validate import logged

    counts: Counter[str] = Counter()
    for kind in ("quarantine", "warnings"):
        for entry in logged(project / "var/store", source, kind):
            counts.update({finding["rule"] for finding in entry["findings"]})  # type: ignore[attr-defined]
    return counts


def row_of(output: str, source: str) -> str:
    return next(line for line in output.splitlines() if source in line)


def test_quality_and_open_findings_follow_the_records_not_the_run(cli, demo_project: Path,
                                                                  project_server: str) -> None:
    assert cli("run").code == 1  # the demo has records to fix on purpose
    first, first_dashboard = figures(demo_project), dashboard(project_server)
    live, violating, quality, rules = first[FJORD]
    assert (live, violating) == (39, 2)  # 40 rows, one a duplicate id; 10012 and 10023 are quarantined
    assert quality == round(37 / 39, 4)
    # Records published with warnings count under their rules, as quarantined ones do.
    assert rules == kept_findings(demo_project, FJORD)
    assert rules[SHAPES + "HeritageObject-additionalType"] == live  # a warning every record has
    assert first_dashboard[FJORD] == (quality, [list(item) for item in sorted(rules.items(), key=lambda i: -i[1])[:5]])

    again = cli("run")
    assert again.code == 1
    now = reported(demo_project)
    # The theatre's pages did not change: nothing was harvested, mapped or checked again.
    assert (now[THEATRE]["harvested"], now[THEATRE]["quarantined"], now[THEATRE]["rules"]) == (0, 0, {})
    assert now[FJORD]["unchanged"] == 39 and now[FJORD]["rules"] == {"duplicate-id": 1}
    assert figures(demo_project) == first
    assert dashboard(project_server) == first_dashboard
    theatre_quality = f"{first[THEATRE][2]:.0%}"
    assert theatre_quality != "100%" and theatre_quality in row_of(again.err, THEATRE)
    assert theatre_quality in row_of(cli("status").err.split("Last run")[-1], THEATRE)

    def titled(rows: list[list[str]]) -> list[list[str]]:
        for row in rows:
            if row and row[0] == "10023":
                row[2] = "Canot de cèdre"
        return rows

    rewrite_csv(demo_project, titled)
    assert cli("run").code == 1
    live, violating, quality, fixed = figures(demo_project)[FJORD]
    assert (live, violating, quality) == (39, 1, round(38 / 39, 4))
    name = SHAPES + "HeritageObject-name"
    assert fixed.get(name, 0) == rules[name] - 1
    assert fixed == kept_findings(demo_project, FJORD)
    assert dashboard(project_server)[FJORD][0] == quality

    rewrite_csv(demo_project, lambda rows: [row for row in rows if row and row[0] != "10012"])
    assert cli("run").code == 1
    live, violating, quality, left = figures(demo_project)[FJORD]
    assert (live, violating, quality) == (38, 0, 1.0)
    identifier = SHAPES + "HeritageObject-identifier"
    assert left.get(identifier, 0) == fixed[identifier] - 1
    assert left == kept_findings(demo_project, FJORD)
    assert {source: figures for source, figures in figures(demo_project).items() if source != FJORD} == {
        source: figures for source, figures in first.items() if source != FJORD}

"""What the validation page shows of a report, as a person fixing their export reads it.

The file's own findings (its encoding, its missing or renamed columns) first; then the counts
of findings per rule and per column; then the rows to fix, one line per finding: row, column,
value, message. The first `SHOWN` lines are in the page itself, readable without JavaScript;
up to `TABLE` lines travel as a JSON data block, which static/validate.js pages through and
sorts, so that a report of thousands of findings never builds thousands of table rows at once.
Beyond that, the page says the CSV download has them all.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from culturedata.records import Finding
from culturedata.server.labels import compact
from culturedata.server.rendering import rule_name
from culturedata.validate import ExportReport, located

SHOWN = 200
TABLE = 20_000
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Count:
    name: str
    severity: str  # the worst among them
    count: int
    message: str = ""


@dataclass(frozen=True)
class Line:
    row: int | None  # the line of the file, for sorting
    where: str  # as the report says it ("ligne 8")
    record: str
    column: str
    value: str
    message: str
    rule: str
    severity: str

    def as_list(self) -> list[Any]:
        return [self.row, self.where, self.record, self.column, self.value, self.message, self.rule, self.severity]


def report_view(report: ExportReport, filename: str, lang: str) -> dict[str, Any]:
    """The template's context for a checked export."""
    about = list(report.findings)  # the file's or the source's, said once, first
    findings = [f for record in report.records for f in record.findings]
    lines = sorted((_line(f, lang) for f in findings), key=_by_row)
    return {
        "filename": filename,
        "summary": report.summary,
        "file_findings": [(f.severity.value, f.text(lang)) for f in about],
        "by_rule": _counts([*about, *findings], lambda f: rule_name(f.rule), lang),
        "by_column": _counts(findings, lambda f: column_of(f) or "—", lang),
        "lines": lines[:SHOWN],
        "line_count": len(lines),
        "table": json.dumps([line.as_list() for line in lines[:TABLE]], ensure_ascii=False).replace("<", "\\u003c"),
        "table_count": min(len(lines), TABLE),
    }


def column_of(finding: Finding) -> str:
    """The source column the value came from when the report names it, else the field."""
    return finding.column or compact(finding.path or "")


def _line(finding: Finding, lang: str) -> Line:
    number = _NUMBER.search(finding.location or "")
    return Line(int(number.group()) if number else None, located(finding.location, lang), finding.local_id,
                column_of(finding), finding.value or "", finding.text(lang), rule_name(finding.rule),
                finding.severity.value)


def _by_row(line: Line) -> tuple[bool, int, str, str]:
    return (line.row is None, line.row or 0, line.column, line.rule)


def _counts(findings: list[Finding], name: Callable[[Finding], str], lang: str) -> list[Count]:
    """Findings counted under `name(finding)`: the file's own first (as in every report), then
    violations before warnings, then the most frequent."""
    counts: Counter[str] = Counter()
    worst: dict[str, Finding] = {}
    for finding in findings:
        key = name(finding)
        counts[key] += 1
        if key not in worst or finding.severity.rank > worst[key].severity.rank:
            worst[key] = finding
    made = [Count(key, worst[key].severity.value, count, worst[key].text(lang)) for key, count in counts.items()]
    return sorted(made, key=lambda c: (worst[c.name].stage != "file", -worst[c.name].severity.rank, -c.count, c.name))

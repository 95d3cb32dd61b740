"""Per-record validation results, the summary figures, and the text, JSON and CSV reports.

Every renderer works from the same `Summary` and `groups()`, so the counts a museum reads
in the terminal, the HTML page and the JSON file are the same numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from culturedata.records import Finding, Severity

_LINE = re.compile(r"^line (\d+)")
PREFIXES = {
    "http://schema.org/": "schema:",
    "https://schema.org/": "schema:",
    "https://w3id.org/culturedata/ns/qcp#": "qcp:",
    "https://w3id.org/culturedata/shapes/": "shapes:",
    "https://w3id.org/culturedata/vocab/": "vocab:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/ns/shacl#": "sh:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
}


@dataclass(frozen=True, slots=True)
class RecordReport:
    source_id: str
    local_id: str
    findings: tuple[Finding, ...] = ()
    location: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source_id}:{self.local_id}"

    @property
    def conforms(self) -> bool:
        """A record conforms when nothing it has is a violation; warnings are published."""
        return not any(f.severity is Severity.VIOLATION for f in self.findings)

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    def fails(self, threshold: Severity | None) -> bool:
        """Whether a finding reaches `threshold` (None: nothing ever fails)."""
        return threshold is not None and any(f.severity.rank >= threshold.rank for f in self.findings)


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """All findings of one rule: what the grouped reports list, worst and most frequent first."""

    rule: str
    severity: Severity
    findings: tuple[Finding, ...]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def records(self) -> int:
        return len({(f.source_id, f.local_id) for f in self.findings})

    def message(self, lang: str) -> str:
        return self.findings[0].text(lang)

    @property
    def file_level(self) -> bool:
        """About a whole file (its encoding, its columns): listed before the records' rules."""
        return any(f.stage == "file" for f in self.findings)


@dataclass(slots=True)
class Summary:
    records: int = 0
    conforming: int = 0
    with_violations: int = 0
    with_warnings: int = 0  # warnings and no violation: published, but worth a look
    findings: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    violated: Counter[str] = field(default_factory=Counter)

    @property
    def quality(self) -> float:
        """Share of records with no violation, the per-source quality figure."""
        return self.conforming / self.records if self.records else 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "records": self.records, "conforming": self.conforming, "with_violations": self.with_violations,
            "with_warnings": self.with_warnings, "findings": self.findings, "quality": round(self.quality, 4),
            "rules": dict(self.rules.most_common()), "most_violated": dict(self.violated.most_common(5)),
        }


def summarise(reports: Sequence[RecordReport]) -> Summary:
    summary = Summary()
    for report in reports:
        summary.records += 1
        worst = report.worst
        if report.conforms:
            summary.conforming += 1
        else:
            summary.with_violations += 1
        if worst is Severity.WARNING:
            summary.with_warnings += 1
        summary.findings += len(report.findings)
        summary.rules.update(f.rule for f in report.findings)
        summary.violated.update(f.rule for f in report.findings if f.severity is Severity.VIOLATION)
    return summary


def groups(reports: Sequence[RecordReport]) -> list[RuleGroup]:
    """Findings grouped by rule: violations before warnings, then the most frequent first."""
    by_rule: dict[str, list[Finding]] = {}
    for report in reports:
        for finding in report.findings:
            by_rule.setdefault(finding.rule, []).append(finding)
    made = [
        RuleGroup(rule, max((f.severity for f in found), key=lambda s: s.rank), tuple(found))
        for rule, found in by_rule.items()
    ]
    return sorted(made, key=lambda g: (not g.file_level, -g.severity.rank, -g.count, g.rule))


def compact(iri: str | None) -> str:
    """`schema:name` rather than the full IRI, for people reading a report."""
    if not iri:
        return ""
    for namespace, prefix in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + iri[len(namespace):]
    return iri


def where(finding: Finding, lang: str) -> str:
    """Where the provider finds the record: its id, and the line or element in their file."""
    return f"{finding.local_id} ({located(finding.location, lang)})" if finding.location else finding.local_id


def located(location: str | None, lang: str) -> str:
    """Harvesters say "line 12"; a French report says "ligne 12"."""
    from culturedata.messages import t

    if location and (match := _LINE.match(location)):
        return t("validate.line", lang, line=match.group(1)) + location[match.end():]
    return location or ""


def render_text(reports: Sequence[RecordReport], lang: str, examples: int | None = 3) -> str:
    """Summary first, then findings grouped by rule with a few example records each."""
    from culturedata.messages import t

    summary = summarise(reports)
    made = groups(reports)
    lines = [
        t("validate.summary", lang, records=summary.records, conforming=summary.conforming,
          violations=summary.with_violations, warnings=summary.with_warnings),
    ]
    if made:
        lines += ["", t("validate.text.per_rule", lang)]
        width = max(len(str(g.count)) for g in made)
        lines += [f"  {g.count:>{width}}  {_severity(g.severity, lang):<13} {g.rule}" for g in made]
    for group in made:
        lines += ["", t("validate.rule", lang, severity=_severity(group.severity, lang), rule=group.rule,
                        count=group.count), f"    {group.message(lang)}"]
        distinct = _distinct(group.findings)
        shown = distinct if examples is None else distinct[:examples]
        for finding in shown:
            detail = f" {compact(finding.path)}" if finding.path else ""
            value = f" = {finding.value!r}" if finding.value else ""
            lines.append(f"      - {where(finding, lang)}{detail}{value}")
            if finding.text(lang) != group.message(lang):
                lines.append(f"        {finding.text(lang)}")
        if len(shown) < len(distinct):
            lines.append("      " + t("validate.more", lang, count=len(distinct) - len(shown)))
    return "\n".join(lines) + "\n"


def _distinct(findings: tuple[Finding, ...]) -> list[Finding]:
    """One line per record, field and value: a value that breaks two constraints of one rule is
    one thing to fix."""
    seen: set[tuple[str, str | None, str | None, str | None]] = set()
    kept = []
    for f in findings:
        key = (f.source_id + ":" + f.local_id, f.focus, f.path, f.value)
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return kept


def _severity(severity: Severity, lang: str) -> str:
    from culturedata.messages import t

    return t(f"validate.severity.{severity.value}", lang)


def finding_dict(finding: Finding) -> dict[str, object]:
    return {
        "severity": finding.severity.value, "rule": finding.rule, "message": finding.message,
        "source": finding.source_id, "record": finding.local_id, "location": finding.location,
        "focus": finding.focus, "path": finding.path, "value": finding.value, "stage": finding.stage,
        "component": finding.component, "shared_by": finding.shared_by,
    }


def render_json(reports: Sequence[RecordReport]) -> str:
    summary = summarise(reports)
    data = {
        "summary": summary.to_dict(),
        "groups": [
            {"rule": g.rule, "severity": g.severity.value, "count": g.count, "records": g.records,
             "message": g.findings[0].message}
            for g in groups(reports)
        ],
        "records": [
            {
                "source": r.source_id, "id": r.local_id, "location": r.location, "conforms": r.conforms,
                "findings": [finding_dict(f) for f in r.findings],
            }
            for r in reports
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ("source", "record", "location", "severity", "rule", "message", "focus", "path", "value", "stage")
# What a spreadsheet reads as the start of a formula (OWASP, CSV injection): a record's value
# such as `=HYPERLINK(...)` or `@SUM(...)` would run when a museum opens its report.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """`value` as text a spreadsheet shows and never evaluates: a formula's start gets a leading `'`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def spreadsheet_csv(rows: Iterable[Sequence[str]], lineterminator: str = "\n") -> str:
    """CSV text of `rows`, every cell through `spreadsheet_cell`: the only way a report is written as CSV.
    Every cell is quoted (as OWASP advises too): unquoted, a CR inside a value would start a new
    row whose first cell no one neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator, quoting=csv.QUOTE_ALL)
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def render_csv(reports: Sequence[RecordReport], lang: str) -> str:
    """One row per finding, the message in the chosen language; spreadsheets open it as is."""
    rows = [
        (f.source_id, f.local_id, f.location or "", f.severity.value, f.rule, f.text(lang), f.focus or "",
         f.path or "", f.value or "", f.stage)
        for report in reports for f in report.findings
    ]
    return spreadsheet_csv([CSV_COLUMNS, *rows])

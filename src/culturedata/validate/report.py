"""Per-record validation results and the summary figures a run report shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from culturedata.records import Finding, Severity


@dataclass(frozen=True, slots=True)
class RecordReport:
    source_id: str
    local_id: str
    findings: tuple[Finding, ...] = ()
    location: str | None = None

    @property
    def conforms(self) -> bool:
        """A record conforms when nothing it has is a violation; warnings are published."""
        return not any(f.severity is Severity.VIOLATION for f in self.findings)

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


@dataclass(slots=True)
class Summary:
    records: int = 0
    conforming: int = 0
    with_violations: int = 0
    with_warnings: int = 0
    rules: Counter[str] = field(default_factory=Counter)

    @property
    def quality(self) -> float:
        """Share of records with no violation, the per-source quality figure."""
        return self.conforming / self.records if self.records else 1.0


def summarise(reports: list[RecordReport]) -> Summary:
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
        summary.rules.update(f.rule for f in report.findings)
    return summary


def render_text(reports: list[RecordReport], lang: str, examples: int | None = 3) -> str:
    """Summary first, then findings grouped by rule, most frequent first."""
    from culturedata.messages import t

    summary = summarise(reports)
    lines = [
        t("validate.summary", lang, records=summary.records, conforming=summary.conforming,
          violations=summary.with_violations, warnings=summary.with_warnings),
        "",
    ]
    by_rule: dict[str, list[Finding]] = {}
    for report in reports:
        for finding in report.findings:
            by_rule.setdefault(finding.rule, []).append(finding)
    ordered = sorted(by_rule.items(), key=lambda item: (-max(f.severity.rank for f in item[1]), -len(item[1])))
    for rule, findings in ordered:
        first = findings[0]
        lines.append(t("validate.rule", lang, severity=t(f"validate.severity.{first.severity.value}", lang),
                       rule=rule, count=len(findings)))
        lines.append(f"    {first.text(lang)}")
        shown = findings if examples is None else findings[:examples]
        for finding in shown:
            where = f" ({finding.location})" if finding.location else ""
            detail = f" {finding.path}" if finding.path else ""
            value = f" = {finding.value!r}" if finding.value else ""
            lines.append(f"      - {finding.local_id}{where}{detail}{value}")
        if len(shown) < len(findings):
            lines.append("      " + t("validate.more", lang, count=len(findings) - len(shown)))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_json(reports: list[RecordReport]) -> str:
    import json

    summary = summarise(reports)
    data = {
        "summary": {
            "records": summary.records, "conforming": summary.conforming,
            "with_violations": summary.with_violations, "with_warnings": summary.with_warnings,
            "rules": dict(summary.rules.most_common()),
        },
        "records": [
            {
                "source": r.source_id, "id": r.local_id, "location": r.location, "conforms": r.conforms,
                "findings": [
                    {"severity": f.severity.value, "rule": f.rule, "message": f.message, "focus": f.focus,
                     "path": f.path, "value": f.value, "location": f.location, "stage": f.stage}
                    for f in r.findings
                ],
            }
            for r in reports
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

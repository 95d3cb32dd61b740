"""Per-record validation results, the summary figures, and the text, JSON and CSV reports.

An `ExportReport` is what one check of an export found: each record's report, and the findings
about a file or the source as a whole (its encoding, its columns, a mapping field no record had),
said once, before the records, in every format. Every renderer works from the same `Summary`
and `groups()`, so the counts a museum reads in the terminal, the HTML page and the JSON file are
the same numbers, and the command and the validation page write the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from culturedata.records import Finding, Severity

_LINE = re.compile(r"(^|, )line (\d+)")  # "line 12 [Sheet]", "/lidoWrap/lido[3], line 40"
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
class ExportReport:
    """Everything one check of an export found. `findings` are about a file or the source as a
    whole, not about any record: the summary counts records only, so a file's problem never
    counts as a record (nor lowers the quality figure) and is listed once, first."""

    records: tuple[RecordReport, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def summary(self) -> Summary:
        return summarise(self)

    def fails(self, threshold: Severity | None) -> bool:
        """Whether any finding, about a record or the source, reaches `threshold`."""
        about = RecordReport("", "", self.findings)
        return about.fails(threshold) or any(r.fails(threshold) for r in self.records)


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


def summarise(checked: ExportReport) -> Summary:
    """The records' figures; the rules and findings counted include those about the source."""
    summary = Summary(findings=len(checked.findings))
    summary.rules.update(f.rule for f in checked.findings)
    summary.violated.update(f.rule for f in checked.findings if f.severity is Severity.VIOLATION)
    for report in checked.records:
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


def groups(report: ExportReport) -> list[RuleGroup]:
    """The records' findings grouped by rule: violations before warnings, then the most frequent
    first. (The findings about the source are listed on their own, before them.)"""
    by_rule: dict[str, list[Finding]] = {}
    for record in report.records:
        for finding in record.findings:
            by_rule.setdefault(finding.rule, []).append(finding)
    made = [
        RuleGroup(rule, max((f.severity for f in found), key=lambda s: s.rank), tuple(found))
        for rule, found in by_rule.items()
    ]
    return sorted(made, key=lambda g: (-g.severity.rank, -g.count, g.rule))


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
    if not finding.location or finding.location == finding.local_id:  # an RDF file's record is the file
        return finding.local_id
    return f"{finding.local_id} ({located(finding.location, lang)})"


def row_and_column(finding: Finding, lang: str) -> str:
    """Where the provider finds the value: the record, its line or element, and the column (or
    path) the value came from: "10023 (line 24, column titre_fr/titre_en)"."""
    from culturedata.messages import t

    if not finding.column:
        return where(finding, lang)
    column = t("validate.column", lang, column=finding.column)
    if not finding.location or finding.location == finding.local_id:
        return f"{finding.local_id} ({column})"
    return f"{finding.local_id} ({located(finding.location, lang)}, {column})"


def entity(finding: Finding) -> str:
    """The node a finding is about, when the record's id does not name it: an entity inside an
    RDF file (whose record is the file, or one of its graphs), or the person or place a row
    describes; a row's own object (`…/object/10007` for row 10007) goes without saying."""
    from culturedata.iris import slug

    focus = finding.focus
    if not focus or focus == finding.local_id or focus.startswith("_:"):
        return ""
    own = slug(finding.local_id)
    if own and (focus.endswith("/" + own) or f"/{own}/" in focus or f"/{own}#" in focus):
        return ""
    return compact(focus)


def located(location: str | None, lang: str) -> str:
    """Harvesters say "line 12"; a French report says "ligne 12"."""
    from culturedata.messages import t

    if not location:
        return ""
    return _LINE.sub(lambda match: match.group(1) + t("validate.line", lang, line=match.group(2)), location)


def render_text(report: ExportReport, lang: str, examples: int | None = 3) -> str:
    """Summary first, then what is about the source, then findings grouped by rule with a few
    example records each."""
    from culturedata.messages import t

    made = groups(report)
    lines = [summary_line(report.summary, lang)]
    if report.findings:
        lines += ["", t("validate.text.about_source", lang)]
        for finding in report.findings:
            lines += [f"  {_severity(finding.severity, lang):<13} {finding.rule}{_at(finding)}",
                      f"    {finding.text(lang)}"]
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
            node = entity(finding)
            about = f" <{node}>" if node else ""
            detail = f" {compact(finding.path)}" if finding.path else ""
            value = f" = {finding.value!r}" if finding.value else ""
            lines.append(f"      - {row_and_column(finding, lang)}{about}{detail}{value}")
            if finding.text(lang) != group.message(lang):
                lines.append(f"        {finding.text(lang)}")
        if len(shown) < len(distinct):
            lines.append("      " + t("validate.more", lang, count=len(distinct) - len(shown)))
    return "\n".join(lines) + "\n"


def summary_line(summary: Summary, lang: str) -> str:
    """"40 records checked: 37 conform…", each count with its noun in the singular or plural."""
    from culturedata.messages import t, tn

    return t("validate.headline", lang, records=tn("validate.count.records", summary.records, lang),
             conforming=tn("validate.count.conforming", summary.conforming, lang),
             violations=summary.with_violations, warnings=summary.with_warnings)


def _at(finding: Finding) -> str:
    """The file, column or field a finding about the source names."""
    named = [part for part in (finding.local_id, finding.path) if part]
    return f" [{' · '.join(named)}]" if named else ""


def _distinct(findings: tuple[Finding, ...]) -> list[Finding]:
    """One line per record, field and value: a value that breaks two constraints of one rule is
    one thing to fix."""
    seen: set[tuple[str, str | None, str | None, str | None, str | None]] = set()
    kept = []
    for f in findings:
        key = (f.source_id + ":" + f.local_id, f.focus, f.path, f.value, f.column)
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
        "column": finding.column, "focus": finding.focus, "path": finding.path, "value": finding.value, "stage": finding.stage,
        "component": finding.component, "shared_by": finding.shared_by,
    }


def render_json(report: ExportReport) -> str:
    """The whole report as JSON: what is about the source first, then the summary, the rules
    and each record."""
    return "".join(json_chunks(report))


def json_chunks(report: ExportReport) -> Iterator[str]:
    """`render_json`'s text, one record at a time: a 100k-row export's report is hundreds of MB
    of JSON, which is never held whole, nor as one tree of dicts. The same bytes as `json.dumps`
    of the whole with `indent=2` (a record at depth 2 is its own dump, each line indented by 4:
    JSON escapes every newline inside a string, so the lines are the dump's own)."""
    head = json.dumps({
        "findings": [finding_dict(f) for f in report.findings],
        "summary": report.summary.to_dict(),
        "groups": [
            {"rule": g.rule, "severity": g.severity.value, "count": g.count, "records": g.records,
             "message": g.findings[0].message}
            for g in groups(report)
        ],
        "records": [],
    }, ensure_ascii=False, indent=2)
    if not report.records:
        yield head + "\n"
        return
    yield head.removesuffix("[]\n}") + "["
    for index, r in enumerate(report.records):
        record = json.dumps({
            "source": r.source_id, "id": r.local_id, "location": r.location, "conforms": r.conforms,
            "findings": [finding_dict(f) for f in r.findings],
        }, ensure_ascii=False, indent=2)
        yield ("," if index else "") + "\n    " + record.replace("\n", "\n    ")
    yield "\n  ]\n}\n"


CSV_COLUMNS = ("source", "record", "location", "column", "severity", "rule", "message", "focus", "path", "value", "stage")
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


def render_csv(report: ExportReport, lang: str) -> str:
    """One row per finding, those about the source first, the message in the chosen language;
    spreadsheets open it as is."""
    found = [*report.findings, *(f for record in report.records for f in record.findings)]
    rows = [
        (f.source_id, f.local_id, f.location or "", f.column or "", f.severity.value, f.rule, f.text(lang), f.focus or "",
         f.path or "", f.value or "", f.stage)
        for f in found
    ]
    return spreadsheet_csv([CSV_COLUMNS, *rows])

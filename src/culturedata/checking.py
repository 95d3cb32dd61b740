"""Checking an export: the one composition of harvest → map → validate, for the command, the
validation page and the pipeline, so the three never disagree on the same file.

    records ─▶ column check ─▶ file findings out ─▶ duplicate ids ─▶ [between] ─▶ map ─▶ validate ─▶ tuned
                (header vs the mapping's columns,    (a later row with an   (the pipeline's
                 the mapping fields it lacks)         id already seen)       triage)

`SourceCheck.checked` streams each record with its report; what is about a file or the source
as a whole (a file's encoding and columns, a mapping field no record had) is kept aside and given
once by `SourceCheck.findings`, never counted as a record. A column the mapping reads and the
header lacks is said once, as the column check says it (missing, or renamed with the column it
likely became), with the severity the source gives `missing-field`. The pipeline plugs its own
stage (`between`: unchanged, withdrawn and deleted records go no further) before mapping;
`check_export` runs whole sources and gathers one `ExportReport` (the command and the page).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from culturedata.config import Source
from culturedata.errors import InputError
from culturedata.harvest import KINDS, harvest, is_file_record, with_column_findings
from culturedata.mapping import (
    Coverage,
    Identities,
    Mapping,
    MappingContext,
    PropertyColumns,
    columns_read,
    map_record,
    property_columns,
)
from culturedata.messages import LANGUAGES, both, t
from culturedata.records import Finding, MappedRecord, Severity, SourceRecord, tuned
from culturedata.validate import EngineSpec, ExportReport, RecordReport, Validator, located, validate_records

# A stage of the pipeline's own between harvest and map: the records that go on to be mapped.
Stage = Callable[[Iterator[SourceRecord]], Iterator[SourceRecord]]
DUPLICATE = "duplicate-id"
COLUMN_RULES = ("column-missing", "column-renamed")


@dataclass
class SourceCheck:
    """One source's records through every check, once; what it found about the source is read
    after the records (`findings`), as are its identity collisions (`identities`)."""

    source: Source
    mapping: Mapping
    base_iri: str
    engine: EngineSpec | Validator
    batch_size: int = 500
    workers: int | None = None
    between: Stage | None = None
    # Where the time goes (the pipeline's stagetimes.StageTimes.wrap): each stage's iterator
    # wrapped under its name, "harvest" (with `between`), "map", "validate".
    timed: Callable[[str, Iterator[Any]], Iterator[Any]] | None = None
    coverage: Coverage = field(init=False)
    identities: Identities = field(default_factory=Identities, init=False)
    files: list[Finding] = field(default_factory=list, init=False)  # the files' own findings
    header: list[Finding] = field(default_factory=list, init=False)  # mapping fields the header lacks

    def __post_init__(self) -> None:
        self.coverage = Coverage(self.mapping)

    def checked(self, records: Iterable[SourceRecord]) -> Iterator[tuple[MappedRecord, RecordReport]]:
        """Each record (not the files' own records) mapped and validated, its findings tuned as
        the source says."""
        return self.tuned(self.mapped(self.rows(records)))

    # The three halves of `checked`, for the run's worker processes (parallel.py): this process
    # takes the rows and tunes, the workers map and validate batches of rows.

    def rows(self, records: Iterable[SourceRecord]) -> Iterator[SourceRecord]:
        """The records that go on to be mapped: the header checked, the files' own records kept
        aside, repeated ids marked, the pipeline's stage passed (all timed as the harvest)."""
        rows = self._without_files(self._columns(iter(records)))
        rows = _duplicates_marked(rows)
        if self.between is not None:
            rows = self.between(rows)
        return (self.timed or _untimed)("harvest", rows)

    def mapped(self, rows: Iterable[SourceRecord]) -> Iterator[tuple[MappedRecord, RecordReport]]:
        """Each row mapped and validated, batch by batch, the shapes' findings naming their
        columns; not tuned yet."""
        timed = self.timed or _untimed
        context = MappingContext.for_source(self.base_iri, self.source.id, self.source.language,
                                            self.source.timezone)
        mapped = timed("map", (self._map(record, context) for record in rows))
        columns = property_columns(self.mapping) if self.mapping.format != "sparql" else None
        for record, report in timed("validate", validate_records(self.engine, mapped, self.batch_size, self.workers)):
            if columns is not None:
                report = _with_columns(report, record, columns, self.mapping.name)
            yield record, report

    def tuned(self, checked: Iterable[tuple[MappedRecord, RecordReport]]) -> Iterator[tuple[MappedRecord, RecordReport]]:
        """Each report's findings with the severities the source gives their rules."""
        severities = self.source.severities
        for record, report in checked:
            yield record, replace(report, findings=tuned(report.findings, severities)) if severities else report

    def findings(self, whole: bool = True) -> tuple[Finding, ...]:
        """What the run found about the files and the source as a whole, tuned: the files' own
        findings (a column the header lacks said once, with the severity the source gives a
        missing field), then the mapping fields no record had (`whole`: when every record was
        read; a CSV's are known from its header)."""
        severities = self.source.severities
        by_column = {f.value: f for f in tuned(tuple(self.header), severities)}
        dropped = {f.value for f in self.header} - set(by_column)  # the source ignores these fields
        files = []
        for finding in self.files:
            if finding.rule in COLUMN_RULES and finding.path is not None:
                if finding.path in dropped:
                    continue
                said = by_column.pop(finding.path, None)
                if said is not None and said.severity is not finding.severity:
                    finding = replace(finding, severity=said.severity)
            files.append(finding)
        after = self.coverage.findings(self.source.id) if whole and self.mapping.format != "csv" else []
        return (*files, *by_column.values(), *tuned(tuple(after), severities))

    def first_findings(self) -> tuple[Finding, ...]:
        """The finding of the record that minted an IRI first, for each identity collision
        (that record was checked before the second was read)."""
        return tuned(tuple(self.identities.first_findings()), self.source.severities)

    # --- the stages -------------------------------------------------------------------------

    def _columns(self, records: Iterator[SourceRecord]) -> Iterator[SourceRecord]:
        """Each table's header against the columns the mapping reads, said before its rows
        (harvest's `with_column_findings`), and the mapping fields it lacks; a table none of
        whose columns the mapping reads is another export than the mapping's."""
        expected = columns_read(self.mapping)
        wanted = expected - {self.mapping.fields.get(name, name) for name in _names(self.mapping.id_field)}
        first = True
        for record in with_column_findings(records, expected):
            if first and not is_file_record(record):
                first = False
                if isinstance(record.payload, dict) and wanted and not wanted & set(record.payload):
                    raise InputError("validate.wrong_columns", path=self.source.location, mapping=self.source.mapping,
                                     expected=", ".join(sorted(wanted)), found=", ".join(sorted(record.payload)))
                self.header = self.coverage.header(record)
            yield record

    def _without_files(self, records: Iterator[SourceRecord]) -> Iterator[SourceRecord]:
        """The rows; a file's own record (its encoding, its columns) is kept aside: it is about
        the file, not a record."""
        for record in records:
            if is_file_record(record):
                self.files.extend(record.findings)
            else:
                yield record

    def _map(self, record: SourceRecord, context: MappingContext) -> MappedRecord:
        """The mapped record, or none with its finding: a repeated id, or an 'unmappable' when the
        mapper fails on this one record (a value that makes an invalid IRI…): one bad row must
        not hide the rest of the report."""
        if is_duplicate(record):
            return _without_triples(record)
        try:
            return map_record(self.mapping, record, context, coverage=self.coverage, identities=self.identities)
        except (ValueError, TypeError, LookupError) as exc:
            return _without_triples(record, Finding(
                stage="map", severity=Severity.VIOLATION, rule="unmappable",
                message=both("validate.unmappable", record=record.key, detail=exc), source_id=record.source_id,
                local_id=record.local_id, location=record.location,
            ))


def _untimed(stage: str, stream: Iterator[Any]) -> Iterator[Any]:
    return stream


def is_duplicate(record: SourceRecord) -> bool:
    """A record whose id an earlier record of the run had: it is reported, never mapped or stored."""
    return any(f.rule == DUPLICATE for f in record.findings)


def _duplicates_marked(records: Iterator[SourceRecord]) -> Iterator[SourceRecord]:
    """A second record with an id already used gets a `duplicate-id` violation naming the first:
    the store keeps one graph per id, so only the first can be published."""
    seen: dict[str, str | None] = {}
    for record in records:
        if record.key not in seen:
            seen[record.key] = record.location
            yield record
            continue
        first = seen[record.key]
        yield replace(record, findings=(*record.findings, Finding(
            stage="map", severity=Severity.VIOLATION, rule=DUPLICATE,
            message={lang: t("validate.duplicate_id", lang, record=record.local_id, first=located(first, lang) or "-")
                     for lang in LANGUAGES},
            source_id=record.source_id, local_id=record.local_id, location=record.location,
        )))


RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _with_columns(report: RecordReport, record: MappedRecord, columns: PropertyColumns, mapping: str) -> RecordReport:
    """The shapes' findings naming the column(s) that feed the property on that kind of node
    (`titre_fr/titre_en` for a missing schema:name): the cell a person fixes. When no column
    feeds it, the message says so: the mapping, not the export, must change."""
    if not any(f.stage == "validate" and f.column is None and f.path for f in report.findings):
        return report
    types: dict[str, list[str]] = {}
    found = []
    for finding in report.findings:
        if finding.stage == "validate" and finding.column is None and finding.path and finding.focus:
            kinds = types.get(finding.focus)
            if kinds is None:
                kinds = types[finding.focus] = _types(record, finding.focus)
            column = columns.of(kinds, finding.path)
            if column is not None:
                finding = replace(finding, column=column)
            else:
                finding = replace(finding, message={
                    lang: f"{text} {t('validate.no_column', lang, mapping=mapping)}"
                    for lang, text in finding.message.items()})
        found.append(finding)
    return replace(report, findings=tuple(found))


def _types(record: MappedRecord, focus: str) -> list[str]:
    """The rdf:types the record gives `focus`, read from its N-Triples text (no terms built)."""
    if focus.startswith("_:"):
        return []
    head = f"<{focus}> {RDF_TYPE} <"
    return [line[len(head):line.index(">", len(head))] for line in record.ntriples.splitlines()
            if line.startswith(head)]


def _without_triples(record: SourceRecord, *findings: Finding) -> MappedRecord:
    return MappedRecord(record.source_id, record.local_id, "", (), record.content_hash, record.origin,
                        record.location, record.datestamp, False, (*record.findings, *findings))


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def check_export(
    sources: Sequence[tuple[Source, Mapping]], base_iri: str, engine: EngineSpec | Validator, name: str,
    batch_size: int = 500, workers: int | None = None,
) -> ExportReport:
    """Every record of every source checked, with what only the whole source shows: the first
    record of an identity collision gets its finding too, and the findings about each source
    come first. `name` is what the person gave (a file, a folder, a source id), for messages."""
    records: list[RecordReport] = []
    about: list[Finding] = []
    for source, mapping in sources:
        _check_kind(source, mapping.format)
        check = SourceCheck(source, mapping, base_iri, engine, batch_size, workers)
        reports = _with_first_findings([report for _, report in check.checked(harvest(source))],
                                       check.first_findings())
        named = _FileNames(source.path.parent if source.path is not None and source.path.is_file() else None)
        records += map(named.report, reports)
        about += map(named.finding, check.findings())
    if not records and not about:
        raise InputError("validate.no_records", input=name)
    if len(records) > 1 and all(any(f.rule == "unmappable" for f in r.findings) for r in records):
        raise InputError("validate.wrong_mapping_records", input=name,
                         mapping=", ".join(dict.fromkeys(source.mapping for source, _ in sources)))
    return ExportReport(tuple(records), tuple(about))


def _with_first_findings(reports: list[RecordReport], findings: tuple[Finding, ...]) -> list[RecordReport]:
    by_key = {report.key: index for index, report in enumerate(reports)}
    for finding in findings:
        index = by_key.get(f"{finding.source_id}:{finding.local_id}")
        if index is not None:
            reports[index] = replace(reports[index], findings=(*reports[index].findings, finding))
    return reports


@dataclass(frozen=True)
class _FileNames:
    """A report names a file by its name, never by the folder it sits in on this machine (a
    lone RDF file's record is identified by its path, its relative IRIs resolved against it):
    the page's upload sits in a temporary folder no one should read of, and the command's
    report on the same file must be the page's, byte for byte."""

    folder: Path | None

    def text(self, value: str) -> str:
        if self.folder is None:
            return value
        for prefix in (self.folder.as_uri() + "/", str(self.folder) + os.sep):
            value = value.replace(prefix, "")
        return value

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def finding(self, finding: Finding) -> Finding:
        if self.folder is None:
            return finding
        return replace(finding, local_id=self.text(finding.local_id), location=self.optional(finding.location),
                       focus=self.optional(finding.focus), value=self.optional(finding.value),
                       message={lang: self.text(text) for lang, text in finding.message.items()})

    def report(self, report: RecordReport) -> RecordReport:
        if self.folder is None:
            return report
        return replace(report, local_id=self.text(report.local_id), location=self.optional(report.location),
                       findings=tuple(map(self.finding, report.findings)))


def _check_kind(source: Source, mapping_format: str) -> None:
    """A file the mapping cannot read is the wrong input (a network source's mismatch shows as
    unmappable records instead: the message speaks of files)."""
    kind = KINDS.get(source.kind)
    if kind is not None and kind.suffixes and kind.mapping_formats and mapping_format not in kind.mapping_formats:
        raise InputError("validate.wrong_mapping", path=source.location, mapping=source.mapping,
                         expected=mapping_format, actual=source.kind)


__all__ = ["DUPLICATE", "SourceCheck", "Stage", "check_export", "is_duplicate"]

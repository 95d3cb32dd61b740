"""A table's header against the columns its mapping reads, said once per file, before its rows.

When a museum drops a column or renames one (`titre_fr` → `titre_francais`), every row used to
break the same shape, and nothing named the column. Here each file of a tabular source
(CSV, spreadsheet) is checked once, on its first row (every row holds the header's columns):

- `column-missing` (warning): a column the mapping reads that the header lacks;
- `column-renamed` (warning): the same, when a column the mapping does not read looks like it
  (difflib, case ignored): probably renamed;
- `column-unexpected` (info): a column the mapping reads none of: its values are not published.

The findings go on the file's record (filefindings.py), joined to the one the harvester may
already have given for the file (its encoding). The caller gives the columns the mapping reads
(`culturedata.mapping.columns_read`): harvest does not read mappings.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from culturedata.harvest.filefindings import file_finding, file_record, is_file_record
from culturedata.records import Finding, Severity, SourceRecord

CUTOFF = 0.6  # difflib's ratio for "looks like": `titre_fr` ~ `titre_francais`, not ~ `technique`


def with_column_findings(records: Iterator[SourceRecord], expected: frozenset[str]) -> Iterator[SourceRecord]:
    """`records`, with each file's column findings on its file record, before its first row."""
    if not expected:
        yield from records
        return
    pending: list[SourceRecord] = []  # file records not yet yielded: the next row's file may join them
    checked: set[str | None] = set()
    for record in records:
        if is_file_record(record):
            pending.append(record)
            continue
        if record.origin not in checked and isinstance(record.payload, dict) and record.payload:
            checked.add(record.origin)
            found = header_findings(record.source_id, record.origin or "", list(record.payload), expected)
            if found:
                pending = _joined(pending, record, found)
        yield from pending
        pending = []
        yield record
    yield from pending


def header_findings(source_id: str, origin: str, header: Sequence[str], expected: frozenset[str]) -> list[Finding]:
    """What is wrong with `header` for a mapping reading the `expected` columns."""
    present = set(header)
    missing = sorted(expected - present)
    unexpected = [name for name in header if name not in expected and name]
    findings = []
    for column in missing:
        found = _close(column, unexpected)
        if found is not None:
            unexpected.remove(found)
            findings.append(file_finding(source_id, origin, "harvest.columns.renamed", "column-renamed",
                                         Severity.WARNING, path=column, column=column, found=found))
        else:
            findings.append(file_finding(source_id, origin, "harvest.columns.missing", "column-missing",
                                         Severity.WARNING, path=column, column=column))
    findings += [file_finding(source_id, origin, "harvest.columns.unexpected", "column-unexpected", Severity.INFO,
                              path=column, column=column) for column in unexpected]
    return findings


def _close(column: str, candidates: list[str]) -> str | None:
    by_folded = {name.casefold(): name for name in candidates}
    match = difflib.get_close_matches(column.casefold(), list(by_folded), n=1, cutoff=CUTOFF)
    return by_folded[match[0]] if match else None


def _joined(pending: list[SourceRecord], row: SourceRecord, found: list[Finding]) -> list[SourceRecord]:
    """`pending` with `found` added to the file record of `row`'s file (made when there is none)."""
    for index, record in enumerate(pending):
        if record.origin == row.origin:
            joined = file_record(record.source_id, record.origin or "", record.media_type,
                                 (*record.findings, *found))
            return [*pending[:index], joined, *pending[index + 1:]]
    return [*pending, file_record(row.source_id, row.origin or "", row.media_type, tuple(found))]

"""Findings on a node that several records describe, given to every record that describes it.

An engine checks a batch of records as one graph, so a node that several records' graphs
describe (a venue, its address, a person: one IRI minted from the same source value) is
checked once, and the engines name the first record that has it. But each record is published
as its own named graph holding its own copy of the node's triples, so each must answer for it:
here every record of the batch with a triple about the focus node gets the finding, which says
that the node is shared and by how many records. The quarantine policy then treats it as the
record's own finding, so no published record carries an invalid shared node
(docs/validation.md, "Shared entities").

Only IRIs are shared: a blank node belongs to the document it was read from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from culturedata.messages import LANGUAGES, t
from culturedata.records import Finding, MappedRecord
from culturedata.validate.report import RecordReport

# A finding as the same result on the same node, whichever record it was given to.
Key = tuple[str, str, str | None, str | None, str | None, str | None, tuple[tuple[str, str], ...]]


Carriers = dict[str, tuple[int, ...]]  # IRI -> positions in the batch of the records that describe it


def carriers(records: Sequence[MappedRecord]) -> Carriers:
    """The positions of the records that describe each IRI more than one record describes.

    From the N-Triples text, one triple a line; engines that index the batch anyway find the
    same for less (`BatchGraph.shared`)."""
    found: dict[str, list[int]] = {}
    for position, record in enumerate(records):
        for subject in {line[1:line.index(">")] for line in record.ntriples.splitlines() if line[:1] == "<"}:
            found.setdefault(subject, []).append(position)
    return {iri: tuple(at) for iri, at in found.items() if len(at) > 1}


def share(records: Sequence[MappedRecord], reports: Sequence[RecordReport], shared: Carriers) -> list[RecordReport]:
    """`reports` (one per record, in order), each finding on a node of `shared` given to every
    record that describes the node, marked with how many do."""
    about: dict[str, dict[Key, Finding]] = {}
    if shared:
        for report in reports:
            for finding in report.findings:
                if finding.stage == "validate" and finding.focus in shared:
                    about.setdefault(finding.focus, {}).setdefault(_key(finding), finding)
    if not about:
        return list(reports)
    # Each node's findings as every record that describes it gets them, worked out once per node.
    given = {node: [_shared(f, len(shared[node])) for f in found.values()] for node, found in about.items()}
    nodes: dict[int, list[str]] = {}
    for node in about:
        for position in shared[node]:
            nodes.setdefault(position, []).append(node)
    return [
        _given(report, records[position], [f for n in nodes[position] for f in given[n]], set(nodes[position]))
        if position in nodes else report
        for position, report in enumerate(reports)
    ]


def _shared(finding: Finding, count: int) -> Finding:
    return replace(finding, shared_by=count, message=noted(finding.message, finding.focus or "", count))


def _given(report: RecordReport, record: MappedRecord, given: list[Finding], nodes: set[str]) -> RecordReport:
    """The record's report with its own findings first, then those of the shared nodes it describes."""
    own = [f for f in report.findings if not (f.stage == "validate" and f.focus in nodes)]
    source_id, local_id, location = record.source_id, record.local_id, record.location
    # Built field by field: `replace` costs several times more, and a venue may be in every record.
    mine = [
        Finding(f.stage, f.severity, f.rule, f.message, source_id, local_id, f.focus, f.path, f.value, location,
                f.component, f.shared_by)
        for f in given
    ]
    return RecordReport(report.source_id, report.local_id, (*own, *mine), report.location)


def noted(message: dict[str, str], node: str, count: int) -> dict[str, str]:
    """The shape's message, followed by what makes the finding every describing record's own."""
    return {
        lang: f"{text} {t('validate.shared_node', lang if lang in LANGUAGES else 'en', node=node, count=count)}"
        for lang, text in message.items()
    }


def _key(finding: Finding) -> Key:
    return (finding.rule, finding.severity.value, finding.focus, finding.path, finding.value, finding.component,
            tuple(sorted(finding.message.items())))

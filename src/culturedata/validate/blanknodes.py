"""Each record's blank nodes kept its own when a batch of records is checked as one graph.

A blank node's label means something only inside the document that holds it: two records read
apart (two JSON-LD pages, two records of an RDF dump) may both say `_:b0` for two different
nodes. Checked together, the engines would see one node, valid as the union of both or invalid
in the name of whichever record came first, and each record is published as its own graph with
its own node. So before a batch is checked, the blank nodes of every record that has some are
renamed `r{position}-{label}` (the digits and the dash make the prefixes of two positions
different), and the findings are given back the record's own labels afterwards.

The pySHACL engine renames every batch (a search of each record's text, a few microseconds,
nothing beside pySHACL's own cost); the fast engine's batch graph notices a blank node that two
records describe as it is built (`BatchGraph.blank_shared`), and only such a batch is renamed
and indexed again, so an ordinary batch costs nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from culturedata.records import Finding, MappedRecord, NTriples, blank_nodes_apart
from culturedata.validate.report import RecordReport

Labels = dict[str, str]  # renamed label -> the record's own


@dataclass(slots=True)
class Apart:
    """A batch with its records' blank nodes renamed apart, and how to name them back."""

    records: list[MappedRecord]
    renamed: dict[int, Labels]  # position in the batch -> its renamed labels

    def restore(self, reports: Sequence[RecordReport]) -> list[RecordReport]:
        """The reports with the records' own blank-node labels in their findings."""
        if not self.renamed:
            return list(reports)
        out = list(reports)
        for position, labels in self.renamed.items():
            report = out[position]
            if report.findings:
                out[position] = replace(report, findings=tuple(_named_back(f, labels) for f in report.findings))
        return out


def apart(records: Sequence[MappedRecord]) -> Apart:
    """`records` with each one's blank nodes renamed so that no two records share one."""
    out: list[MappedRecord] | None = None
    renamed: dict[int, Labels] = {}
    for position, record in enumerate(records):
        text = record.ntriples
        if "_:" not in text:
            continue
        labels: Labels = {}
        written = blank_nodes_apart(text, f"r{position}-", labels)
        if not labels:
            continue  # "_:" inside a literal only
        if out is None:
            out = list(records)
        out[position] = replace(record, triples=NTriples(written))
        renamed[position] = labels
    return Apart(out if out is not None else list(records), renamed)


def _named_back(finding: Finding, labels: Labels) -> Finding:
    focus = labels.get(finding.focus, finding.focus) if finding.focus else finding.focus
    value = labels.get(finding.value, finding.value) if finding.value else finding.value
    message = finding.message
    if any(new in text for text in message.values() for new in labels):
        message = {lang: _replace_all(text, labels) for lang, text in message.items()}
    if focus == finding.focus and value == finding.value and message is finding.message:
        return finding
    return replace(finding, focus=focus, value=value, message=message)


def _replace_all(text: str, labels: Labels) -> str:
    for new in sorted(labels, key=len, reverse=True):  # r1-b10 before r1-b1
        text = text.replace(new, labels[new])
    return text

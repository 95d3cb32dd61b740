"""Turning the engine's results into the pipeline's findings, exactly as `PyshaclValidator` does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.term import Node

from culturedata.records import Finding, MappedRecord, Severity
from culturedata.validate.fast.engine import Report
from culturedata.validate.fast.paths import SH
from culturedata.validate.validator import SEVERITIES, _rule_id, _text


@dataclass(slots=True)
class Result:
    """One sh:ValidationResult, nested ones (sh:detail) included, read from pySHACL's result triples."""

    values: dict[Node, Node] = field(default_factory=dict)
    messages: list[Literal] = field(default_factory=list)


def results(reports: list[Report]) -> Iterator[Result]:
    for _, _, triples in reports:
        by_node: dict[Node, Result] = defaultdict(Result)
        for subject, predicate, obj in triples:
            node = obj[1] if isinstance(obj, tuple) else obj
            result = by_node[subject]
            if predicate == SH.resultMessage:
                result.messages.append(node)
            else:
                result.values.setdefault(predicate, node)
        yield from (r for r in by_node.values() if SH.resultSeverity in r.values)


def report_findings(reports: list[Report], owners: dict[str, MappedRecord]) -> Iterator[tuple[MappedRecord, Finding]]:
    for result in results(reports):
        focus = result.values.get(SH.focusNode)
        record = owners.get(str(focus))
        if record is None:
            continue  # a vocabulary concept cited by the batch, not a record's own entity
        yield record, Finding(
            stage="validate",
            severity=SEVERITIES.get(result.values.get(SH.resultSeverity), Severity.VIOLATION),
            rule=_rule_id(result.values.get(SH.sourceShape), result.values.get(SH.sourceConstraintComponent)),
            message=_messages(result.messages),
            source_id=record.source_id,
            local_id=record.local_id,
            focus=str(focus),
            path=_text(result.values.get(SH.resultPath)),
            value=_text(result.values.get(SH.value)),
            location=record.location,
        )


def _messages(literals: list[Literal]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for message in literals:
        if isinstance(message, Literal):
            messages.setdefault(message.language or "", str(message))
    plain = messages.pop("", None)
    if plain is not None:
        for lang in ("fr", "en"):
            messages.setdefault(lang, plain)
    return messages

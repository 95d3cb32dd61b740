"""Turning the engine's results into the pipeline's findings, exactly as `PyshaclValidator` does."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph
from rdflib.term import Node

from culturedata.records import Finding, MappedRecord, Severity
from culturedata.validate.fast.engine import Report
from culturedata.validate.fast.paths import SH
from culturedata.validate.fast.sets import Hit
from culturedata.validate.fast.terms import OxTerm, TermCache
from culturedata.validate.validator import SEVERITIES, _key, _text, messages_by_language, rule_id

SH_resultMessage = SH.resultMessage
SH_focusNode, SH_resultSeverity, SH_sourceShape = SH.focusNode, SH.resultSeverity, SH.sourceShape
SH_component, SH_resultPath, SH_value = SH.sourceConstraintComponent, SH.resultPath, SH.value


@dataclass(slots=True)
class Result:
    """One top-level sh:ValidationResult, read from pySHACL's result triples."""

    values: dict[Node, Node] = field(default_factory=dict)
    messages: list[Node] = field(default_factory=list)  # sh:resultMessage: literals


def results(reports: list[Report]) -> Iterator[Result]:
    # Only top-level results, as PyshaclValidator reads them: sh:node nests its causes under sh:detail.
    for _, result_node, triples in reports:
        result = Result()
        for subject, predicate, obj in triples:
            if subject is not result_node:  # pySHACL builds a result's own triples on its node object
                continue
            node = obj[1] if isinstance(obj, tuple) else obj
            if predicate == SH_resultMessage:
                result.messages.append(node)
            else:
                result.values.setdefault(predicate, node)
        yield result


def report_findings(reports: list[Report], owners: dict[str, MappedRecord]) -> Iterator[tuple[MappedRecord, Finding]]:
    for result in results(reports):
        values = result.values
        focus = values.get(SH_focusNode)
        record = owners.get(str(focus))
        if record is None:
            continue  # a vocabulary concept cited by the batch, not a record's own entity
        yield record, Finding(
            stage="validate",
            severity=SEVERITIES.get(values.get(SH_resultSeverity), Severity.VIOLATION),
            rule=rule_id(values.get(SH_sourceShape), values.get(SH_component)),
            message=dict(_messages(tuple(result.messages))),
            source_id=record.source_id,
            local_id=record.local_id,
            focus=str(focus),
            path=_text(values.get(SH_resultPath)),
            value=_text(values.get(SH_value)),
            location=record.location,
        )


@lru_cache(maxsize=4096)
def _messages(literals: tuple[Node, ...]) -> dict[str, str]:
    # Cached: a shape's sh:message literals are the same for each of its many results.
    return messages_by_language(literals)


class HitFindings:
    """Findings straight from the set evaluator's hits: what each (shape, component) says is worked out once."""

    def __init__(self) -> None:
        self._about: dict[tuple[int, Node], About] = {}

    def findings(
        self, hits: Iterable[Hit], owners: dict[OxTerm, MappedRecord], data: Graph, terms: TermCache
    ) -> Iterator[tuple[MappedRecord, Finding]]:
        """`owners`: the record of each subject; `data` is the batch's graph, as pySHACL's generic
        messages name nodes the way it writes them."""
        about = self._about
        for hit in hits:
            record = owners.get(hit.focus)
            if record is None:
                continue  # a vocabulary concept cited by the batch, not a record's own entity
            key = (id(hit.shape), hit.constraint)
            known = about.get(key)
            if known is None:
                known = about[key] = _about(hit)
            severity, rule, path, message, component = known
            if hit.path is not None:
                path = _text(hit.path)
            if message is None:
                generic = hit.component.make_generic_messages(data, terms.rdf(hit.focus), hit.value)
                message = _messages(tuple(generic))
            yield record, Finding(
                "validate", severity, rule, message, record.source_id, record.local_id,
                _key(hit.focus),  # a record's subject: an IRI or a blank node, written as rdflib writes it
                path, None if hit.value is None else _text(hit.value), record.location, component,
            )


About = tuple[Severity, str, str | None, dict[str, str] | None, str]


def _about(hit: Hit) -> About:
    shape = hit.shape.shape
    messages = list(shape.message)
    return (
        SEVERITIES.get(shape.severity, Severity.VIOLATION),
        rule_id(shape.node, hit.constraint),
        _text(shape.path()) if shape.is_property_shape else None,
        _messages(tuple(messages)) if messages else None,
        str(hit.constraint),
    )

"""Checking batches of mapped records with pySHACL, and tying each result back to its record.

The engine sits behind `Validator` so that a faster one can replace pySHACL without the
pipeline noticing. pySHACL runs with the settings that keep it fast: no inference, no
advanced features, the data graph validated in place, one batch of records per call.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Protocol

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from culturedata.records import Finding, MappedRecord, Severity
from culturedata.validate.report import RecordReport
from culturedata.validate.shapes import ShapeSet

SH = Namespace("http://www.w3.org/ns/shacl#")
SEVERITIES = {SH.Violation: Severity.VIOLATION, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}


class Validator(Protocol):
    def validate(self, records: Sequence[MappedRecord]) -> list[RecordReport]: ...


class PyshaclValidator:
    def __init__(self, shapes: ShapeSet) -> None:
        self.shapes = shapes

    def validate(self, records: Sequence[MappedRecord]) -> list[RecordReport]:
        owners: dict[str, MappedRecord] = {}
        for record in records:
            for triple in record.triples:
                owners.setdefault(triple.subject.value, record)
        data = self._data_graph(records)
        _, results, _ = pyshacl_validate(
            data, shacl_graph=self.shapes.shapes, inference="none", advanced=False, inplace=True,
            allow_warnings=True,
        )
        found: dict[str, list[Finding]] = {r.key: list(r.findings) for r in records}
        for finding_record, finding in _findings(results, owners):
            found[finding_record.key].append(finding)
        return [
            RecordReport(r.source_id, r.local_id, tuple(found[r.key]), r.location) for r in records
        ]

    def _data_graph(self, records: Sequence[MappedRecord]) -> Graph:
        """The batch's triples plus the vocabulary concepts they cite, as one rdflib graph."""
        dataset = ox.Store()
        cited: set[ox.NamedNode] = set()
        for record in records:
            dataset.extend(ox.Quad(t.subject, t.predicate, t.object) for t in record.triples)
            cited.update(t.object for t in record.triples if isinstance(t.object, ox.NamedNode))
        vocab = self.shapes.vocabularies
        for iri in cited:
            dataset.extend(
                ox.Quad(q.subject, q.predicate, q.object) for q in vocab.quads_for_pattern(iri, None, None)
            )
        graph = Graph()
        graph.parse(data=dataset.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()),
                    format="nt")
        return graph


def _findings(results: Graph, owners: dict[str, MappedRecord]) -> Iterator[tuple[MappedRecord, Finding]]:
    # Only top-level results: pySHACL nests the results of sh:node checks under sh:detail.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        record = owners.get(str(focus))
        if record is None:
            continue  # a vocabulary concept cited by the batch, not a record's own entity
        shape = results.value(result, SH.sourceShape)
        component = results.value(result, SH.sourceConstraintComponent)
        yield record, Finding(
            stage="validate",
            severity=SEVERITIES.get(results.value(result, SH.resultSeverity), Severity.VIOLATION),
            rule=_rule_id(shape, component),
            message=_messages(results, result),
            source_id=record.source_id,
            local_id=record.local_id,
            focus=str(focus),
            path=_text(results.value(result, SH.resultPath)),
            value=_text(results.value(result, SH.value)),
            location=record.location,
        )


def _rule_id(shape: Node | None, component: Node | None) -> str:
    # Named shapes are the stable rule ids; a blank-node shape falls back to its component.
    if isinstance(shape, URIRef):
        return str(shape)
    return str(component) if component is not None else "unknown"


def _messages(results: Graph, result: Node) -> dict[str, str]:
    messages: dict[str, str] = {}
    for message in results.objects(result, SH.resultMessage):
        if isinstance(message, Literal):
            messages.setdefault(message.language or "", str(message))
    plain = messages.pop("", None)
    if plain is not None:
        for lang in ("fr", "en"):
            messages.setdefault(lang, plain)
    return messages


def _text(node: Node | None) -> str | None:
    return None if node is None or not isinstance(node, URIRef | Literal) else str(node)


def batched(records: Iterable[MappedRecord], size: int) -> Iterator[list[MappedRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def validate_records(
    validator: Validator, records: Iterable[MappedRecord], batch_size: int = 500
) -> Iterator[tuple[MappedRecord, RecordReport]]:
    """Each record with its report; records with no triples keep only their mapping findings."""
    for batch in batched(records, batch_size):
        reports = validator.validate([r for r in batch if r.triples])
        by_key = {r.source_id + ":" + r.local_id: r for r in reports}
        for record in batch:
            report = by_key.get(record.key) or RecordReport(
                record.source_id, record.local_id, record.findings, record.location
            )
            yield record, report

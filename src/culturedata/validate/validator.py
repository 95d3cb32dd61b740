"""Checking batches of mapped records with pySHACL, and tying each result back to its record.

The engine sits behind `Validator` so that a faster one can replace pySHACL without the
pipeline noticing: an engine is a class built from a `ShapeSet`, registered by name in
`ENGINES` (chosen with `--engine`). pySHACL runs with the settings that keep it fast: no
inference, no advanced features, no ontology graph to copy, the data graph validated in
place, one batch of records per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Protocol

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from culturedata.errors import ShapesError
from culturedata.messages import LANGUAGES
from culturedata.records import Finding, MappedRecord, Severity
from culturedata.validate.blanknodes import apart
from culturedata.validate.report import RecordReport
from culturedata.validate.shapes import ShapeSet
from culturedata.validate.shared import carriers, share

SH = Namespace("http://www.w3.org/ns/shacl#")
# Keyed by whatever a results graph holds under sh:resultSeverity (absent: None).
SEVERITIES: dict[Node | None, Severity] = {SH.Violation: Severity.VIOLATION, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}


class Validator(Protocol):
    """An engine: the reports of a batch of records, one per record, in the batch's order; a
    finding on a node several records describe is in each of their reports (`shared.share`)."""

    def validate(self, records: Sequence[MappedRecord]) -> list[RecordReport]: ...


class PyshaclValidator:
    def __init__(self, shapes: ShapeSet) -> None:
        self.shapes = shapes

    def validate(self, records: Sequence[MappedRecord]) -> list[RecordReport]:
        # Each record's blank nodes its own, whatever their labels (blanknodes.py).
        separate = apart(records)
        records = separate.records
        owners = owners_of(records)
        data = data_graph(records, self.shapes.vocabularies, self.shapes.visible)
        _, results, _ = pyshacl_validate(
            data, shacl_graph=self.shapes.shapes, inference="none", advanced=False, inplace=True,
            allow_warnings=True, allow_infos=True,
        )
        # A node several records describe: its findings go to each of them, not only to its owner.
        return separate.restore(share(records, reports_for(records, findings_in(results, owners)),
                                      carriers(records)))


ENGINES: dict[str, Callable[[ShapeSet], Validator]] = {"pyshacl": PyshaclValidator}


def make_validator(engine: str, shapes: ShapeSet) -> Validator:
    factory = ENGINES.get(engine)
    if factory is None:
        raise ShapesError("validate.unknown_engine", engine=engine, known=", ".join(sorted(ENGINES)))
    return factory(shapes)


def owners_of(records: Sequence[MappedRecord]) -> dict[str, MappedRecord]:
    """Which record each subject belongs to, so a result on a focus node finds its record."""
    owners: dict[str, MappedRecord] = {}
    for record in records:
        for triple in record.triples:
            owners.setdefault(_key(triple.subject), record)
    return owners


def reports_for(
    records: Sequence[MappedRecord], found: Iterator[tuple[MappedRecord, Finding]]
) -> list[RecordReport]:
    """One report per record: its mapping findings first, then the validation ones."""
    by_record: dict[str, list[Finding]] = {r.key: list(r.findings) for r in records}
    for record, finding in found:
        by_record[record.key].append(finding)
    return [RecordReport(r.source_id, r.local_id, tuple(by_record[r.key]), r.location) for r in records]


def data_graph(
    records: Sequence[MappedRecord], vocabularies: ox.Store, visible: frozenset[str] | None = None
) -> Graph:
    """The batch's triples plus the vocabulary concepts they cite, as one rdflib graph.

    Only triples whose predicate the shapes can see are copied (`ShapeSet.visible`): building
    the rdflib graph is a third of the cost of a batch. Terms are converted directly rather
    than through a serialisation: it is the cheaper path.
    """
    graph = Graph()
    add = graph.add
    cited: set[ox.NamedNode] = set()
    for triples in [r.triples for r in records]:
        for t in triples:
            if isinstance(t.object, ox.NamedNode):
                cited.add(t.object)
            if visible is None or t.predicate.value in visible:
                add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    if len(vocabularies):
        for iri in cited:
            for q in vocabularies.quads_for_pattern(iri, None, None):
                if visible is None or q.predicate.value in visible:
                    add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


@lru_cache(maxsize=100_000)
def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> URIRef | BNode | Literal:
    """The rdflib term; cached, since classes, predicates and vocabulary IRIs repeat in every record."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")  # RDF-star triples are not part of our data


def _key(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.BlankNode) else str(term)


def findings_in(results: Graph, owners: dict[str, MappedRecord]) -> Iterator[tuple[MappedRecord, Finding]]:
    """The findings of a pySHACL results graph, each with the record that owns its focus node."""
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
            rule=rule_id(shape, component),
            message=messages(results, result),
            source_id=record.source_id,
            local_id=record.local_id,
            focus=str(focus),
            path=_text(results.value(result, SH.resultPath)),
            value=_text(results.value(result, SH.value)),
            location=record.location,
            component=_text(component),
        )


def rule_id(shape: Node | None, component: Node | None) -> str:
    # Named shapes are the stable rule ids; a blank-node shape falls back to its component.
    if isinstance(shape, URIRef):
        return str(shape)
    return str(component) if component is not None else "unknown"


def messages(results: Graph, result: Node) -> dict[str, str]:
    return messages_by_language(results.objects(result, SH.resultMessage))


def messages_by_language(literals: Iterable[Node]) -> dict[str, str]:
    """One message per language; an untagged one stands for every language that has none."""
    found: dict[str, str] = {}
    for message in literals:
        if isinstance(message, Literal):
            found.setdefault(message.language or "", str(message))
    plain = found.pop("", None)
    if plain is not None:
        for lang in LANGUAGES:
            found.setdefault(lang, plain)
    # In the report's order (fr, en, then any other), not the shapes graph's, which the hash
    # seed draws: the same export must give the same report bytes in every process.
    order = (*LANGUAGES, *sorted(set(found) - set(LANGUAGES)))
    return {lang: found[lang] for lang in order if lang in found}


def _text(node: Node | None) -> str | None:
    return None if node is None or not isinstance(node, URIRef | Literal) else str(node)

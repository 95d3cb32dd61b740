"""The fast engine behind the pipeline's `Validator` protocol, and a pySHACL-like entry point."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from pyshacl.validator import Validator as PyshaclCore
from rdflib import BNode, Graph, URIRef

from culturedata.records import Finding, MappedRecord
from culturedata.validate.fast.engine import CompiledShapes, Report, Run
from culturedata.validate.fast.report import report_findings
from culturedata.validate.fast.terms import TermCache
from culturedata.validate.report import RecordReport
from culturedata.validate.shapes import ShapeSet
from culturedata.validate.validator import findings_in

log = logging.getLogger(__name__)


class FastValidator:
    """Same protocol and same findings as `PyshaclValidator`, several times faster."""

    def __init__(self, shapes: ShapeSet) -> None:
        self.shapes = shapes
        self.compiled = CompiledShapes(shapes.shapes, allow_warnings=True, describe=False)
        self.fallback = fallback_shapes(self.compiled)

    def validate(self, records: Sequence[MappedRecord]) -> list[RecordReport]:
        owners: dict[str, MappedRecord] = {}
        for record in records:
            for triple in record.triples:
                owners.setdefault(triple.subject.value, record)
        store = self._data_store(records)
        _, reports = Run(self.compiled, store).validate()
        found: dict[str, list[Finding]] = {r.key: list(r.findings) for r in records}
        for record, finding in report_findings(reports, owners):
            found[record.key].append(finding)
        if self.fallback is not None:
            for record, finding in self._fallback_findings(store, owners):
                found[record.key].append(finding)
        return [RecordReport(r.source_id, r.local_id, tuple(found[r.key]), r.location) for r in records]

    def _data_store(self, records: Sequence[MappedRecord]) -> ox.Store:
        """The batch's triples plus the vocabulary concepts they cite, as `PyshaclValidator` builds them."""
        store = ox.Store()
        cited: set[ox.NamedNode] = set()
        store.load(input="".join(r.ntriples for r in records), format=ox.RdfFormat.N_TRIPLES)
        for record in records:
            cited.update(t.object for t in record.triples if isinstance(t.object, ox.NamedNode))
        vocab = self.shapes.vocabularies
        for iri in cited:
            store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in vocab.quads_for_pattern(iri, None, None))
        return store

    def _fallback_findings(self, store: ox.Store, owners: dict[str, MappedRecord]):
        graph = Graph()
        graph.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), format="nt")
        _, results, _ = pyshacl_validate(
            graph, shacl_graph=self.shapes.shapes, inference="none", advanced=False, inplace=True,
            allow_warnings=True, use_shapes=self.fallback or None,
        )
        return findings_in(results, owners)


def fallback_shapes(compiled: CompiledShapes) -> list[str] | None:
    """Shapes pySHACL must check for us: None when there are none, [] when it must check them all."""
    targeted = [
        node for node in compiled.unsupported
        if (shape := compiled.sg.lookup_shape_from_node(node)) is not None and any(shape.target())
    ]
    if not targeted:
        return None
    if any(isinstance(node, BNode) for node in targeted):
        log.warning("fast SHACL engine: a blank-node shape is unsupported, pySHACL checks every shape")
        return []
    return [str(node) for node in targeted if isinstance(node, URIRef)]


def validate_graph(
    data_graph: Graph, shacl_graph: Graph, allow_warnings: bool = False
) -> tuple[bool, Graph, str]:
    """Like `pyshacl.validate(data_graph, shacl_graph=...)`: (conforms, report graph, report text)."""
    compiled = CompiledShapes(shacl_graph, allow_warnings=allow_warnings)
    store, terms = ox.Store(), TermCache()
    store.extend(ox.Quad(terms.ox(s), terms.ox(p), terms.ox(o)) for s, p, o in data_graph)
    conforms, reports = Run(compiled, store, data_graph, terms).validate()
    fallback = fallback_shapes(compiled)
    if fallback == []:
        return pyshacl_validate(data_graph, shacl_graph=shacl_graph, allow_warnings=allow_warnings)
    report, text = PyshaclCore.create_validation_report(compiled.sg, conforms, reports)
    if fallback:
        ok, extra, extra_text = pyshacl_validate(
            data_graph, shacl_graph=shacl_graph, allow_warnings=allow_warnings, use_shapes=fallback
        )
        report = _merge_reports(report, extra, conforms and ok)
        conforms, text = conforms and ok, text + extra_text
    return conforms, report, text


def _merge_reports(report: Graph, extra: Graph, conforms: bool) -> Graph:
    from rdflib import Literal

    from culturedata.validate.fast.paths import SH

    main = next(report.subjects(SH.conforms, None))
    other = next(extra.subjects(SH.conforms, None))
    for s, p, o in extra:
        if s == other and p == SH.conforms:
            continue
        report.add((main if s == other else s, p, o))
    report.set((main, SH.conforms, Literal(conforms)))
    return report


__all__ = ["FastValidator", "Report", "validate_graph"]

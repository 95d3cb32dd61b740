"""The fast engine behind the pipeline's `Validator` protocol, and a pySHACL-like entry point."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from pyshacl.validator import Validator as PyshaclCore
from rdflib import BNode, Graph, URIRef

from culturedata.records import Finding, MappedRecord
from culturedata.validate.blanknodes import apart
from culturedata.validate.fast.batchgraph import BatchGraph, Vocabulary
from culturedata.validate.fast.engine import CompiledShapes, Report, Run
from culturedata.validate.fast.report import HitFindings, report_findings
from culturedata.validate.fast.sets import Hit, SetPlan, SetRun
from culturedata.validate.fast.terms import TermCache, ox_quad
from culturedata.validate.report import RecordReport
from culturedata.validate.shapes import ShapeSet
from culturedata.validate.shared import share
from culturedata.validate.validator import findings_in, owners_of

log = logging.getLogger(__name__)


class FastValidator:
    """Same protocol and same findings as `PyshaclValidator`, several times faster."""

    def __init__(self, shapes: ShapeSet) -> None:
        self.shapes = shapes
        self.compiled = CompiledShapes(shapes.shapes, allow_warnings=True, describe=False)
        self.fallback = fallback_shapes(self.compiled)
        self.plan = SetPlan(self.compiled)
        self.vocabulary = Vocabulary(shapes.vocabularies)
        self.hit_findings = HitFindings()

    def validate(self, records: Sequence[MappedRecord]) -> list[RecordReport]:
        with collector_paused():
            graph = BatchGraph(records, self.vocabulary)
            if graph.blank_shared:  # rare: only then is the text of each record searched
                separate = apart(records)
                return separate.restore(self._validate(separate.records, BatchGraph(separate.records,
                                                                                       self.vocabulary)))
            return self._validate(records, graph)

    def _validate(self, records: Sequence[MappedRecord], graph: BatchGraph) -> list[RecordReport]:
        owned = graph.owners
        terms = TermCache()
        found: dict[str, list[Finding]] = {r.key: list(r.findings) for r in records}
        run = SetRun(self.plan, graph, terms)
        hits: list[Hit] = []
        # fallback == []: pySHACL checks every shape (a blank-node shape needs it), so we check none.
        for compiled in self.plan.top if self.fallback != [] else ():
            # Results are per focus node: a vocabulary concept the batch cites is not worth checking.
            focus = [f for f in run.focus_nodes(compiled) if f in owned]
            hits.extend(run.hits(compiled, focus))
        # Records sharing a key share one list, as reports_for does; looked up by identity, once each.
        lists = {id(r): found[r.key] for r in records}
        for record, finding in self.hit_findings.findings(hits, owned, run.data, terms):
            lists[id(record)].append(finding)
        if self.plan.rest or self.fallback is not None:
            owners = owners_of(records)
            store = self._data_store(graph)
            if self.plan.rest and self.fallback != []:
                _, reports = Run(self.compiled, store, terms=terms).validate(self.plan.rest)
                for record, finding in report_findings(reports, owners):
                    found[record.key].append(finding)
            if self.fallback is not None:
                for record, finding in self._fallback_findings(store, owners):
                    found[record.key].append(finding)
        checked = [RecordReport(r.source_id, r.local_id, tuple(found[r.key]), r.location) for r in records]
        # A node several records describe: its findings go to each of them, not only to its owner.
        return share(records, checked, graph.shared)

    @staticmethod
    def _data_store(graph: BatchGraph) -> ox.Store:
        """The batch's graph in pyoxigraph, for the shapes only the per-focus engine or pySHACL check."""
        store = ox.Store()
        store.extend(graph.quads())
        return store

    def _fallback_findings(
        self, store: ox.Store, owners: dict[str, MappedRecord]
    ) -> Iterator[tuple[MappedRecord, Finding]]:
        graph = Graph()
        graph.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), format="nt")
        _, results, _ = pyshacl_validate(
            graph, shacl_graph=self.shapes.shapes, inference="none", advanced=False, inplace=True,
            allow_warnings=True, use_shapes=self.fallback or None,
        )
        return findings_in(results, owners)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a batch. A batch allocates some 100k short-lived objects
    and makes no reference cycles of its own; collecting every 700 allocations walks the engine's
    caches each time, which made a long run three times slower by its end. One collection per
    batch, when the collector is back, frees the same memory."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    store.extend(ox_quad(terms, s, p, o) for s, p, o in data_graph)
    conforms, reports = Run(compiled, store, data_graph, terms).validate()
    fallback = fallback_shapes(compiled)
    if fallback == []:
        answer: tuple[bool, Graph, str] = pyshacl_validate(
            data_graph, shacl_graph=shacl_graph, allow_warnings=allow_warnings
        )
        return answer
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

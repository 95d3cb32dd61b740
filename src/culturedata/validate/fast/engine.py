"""The fast engine: pySHACL's checks, fed from pyoxigraph instead of an rdflib graph.

A shapes graph is compiled once: every shape's targets become one SPARQL query, its path
a SPARQL property path (or a direct index lookup for `ex:p` and `^ex:p`), its `sh:sparql`
constraints prepared queries. Validating a batch then asks pyoxigraph (Rust, GIL released)
for focus nodes and value nodes, and hands those to the constraint components.

Identical results with pySHACL are the point, so the per-value checks *are* pySHACL's own
constraint components, called on the value nodes this engine found, and results are built
by pySHACL's `make_v_result`. Only what walks the data graph is re-implemented here: target
selection, path evaluation, the shape-based and logical components (which recurse into
shapes) and SHACL-SPARQL constraints.
"""

from __future__ import annotations

import logging
import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.constraints.core.logical_constraints import (
    AndConstraintComponent,
    NotConstraintComponent,
    OrConstraintComponent,
    XoneConstraintComponent,
)
from pyshacl.constraints.core.other_constraints import HasValueConstraintComponent, InConstraintComponent
from pyshacl.constraints.core.shape_based_constraints import (
    NodeConstraintComponent,
    PropertyConstraintComponent,
    QualifiedValueShapeConstraintComponent,
)
from pyshacl.constraints.core.string_based_constraints import (
    LanguageInConstraintComponent,
    MaxLengthConstraintComponent,
    MinLengthConstraintComponent,
    PatternConstraintComponent,
)
from pyshacl.constraints.core.value_constraints import (
    DatatypeConstraintComponent,
    NodeKindConstraintComponent,
)
from pyshacl.constraints.core.value_range_constraints import (
    MaxExclusiveConstraintComponent,
    MaxInclusiveConstraintComponent,
    MinExclusiveConstraintComponent,
    MinInclusiveConstraintComponent,
)
from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
from pyshacl.consts import SH_resultSeverity  # the very object make_v_result puts in its triples
from pyshacl.errors import ConstraintLoadWarning
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from culturedata.errors import ShapesError
from culturedata.validate.fast.oxgraph import graph_view
from culturedata.validate.fast.paths import SH, CompiledPath, UnsupportedPath, compile_path
from culturedata.validate.fast.prebinding import why_forbidden, why_not_prebindable
from culturedata.validate.fast.terms import RdfTerm, TermCache

if TYPE_CHECKING:
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

log = logging.getLogger(__name__)

# A triple of a pySHACL result: objects that name a node of a graph come as (graph, node).
ResultTriple = tuple[Node, Node, Node | tuple[Graph, Node]]
Report = tuple[str, BNode, list[ResultTriple]]  # pySHACL's (description, result node, result triples)
Verdict = tuple[bool, list[Report]]  # (conforms, results), as a component's evaluate() gives them
ValueNodes = dict[RdfTerm, set[RdfTerm]]  # focus node -> its value nodes
ValueKey = tuple[object, ...]  # what a pure shape's verdict on a value depends on (`_value_key`)
# A SHACL-SPARQL solution: (True, bindings) for a failure, else ($this, $path, $value, other bindings).
Violation = (
    tuple[typing.Literal[True], dict[str, RdfTerm]]
    | tuple[RdfTerm | None, RdfTerm | None, RdfTerm | None, dict[str, RdfTerm]]
)

SH_QualifiedMinCount = SH.QualifiedMinCountConstraintComponent
SH_QualifiedMaxCount = SH.QualifiedMaxCountConstraintComponent
SH_Warning, SH_Info = SH.Warning, SH.Info
SH_detail = SH.detail
RDF_TYPE = ox.NamedNode(str(RDF.type))
# Components that walk other shapes or run queries: re-implemented below over pyoxigraph.
RECURSIVE = (
    NodeConstraintComponent, PropertyConstraintComponent, QualifiedValueShapeConstraintComponent,
    NotConstraintComponent, AndConstraintComponent, OrConstraintComponent, XoneConstraintComponent,
    SPARQLBasedConstraint,
)


# Checks that read nothing but the value node and the shape.
PURE = (
    DatatypeConstraintComponent, NodeKindConstraintComponent, MinLengthConstraintComponent,
    MaxLengthConstraintComponent, PatternConstraintComponent, LanguageInConstraintComponent,
    InConstraintComponent, HasValueConstraintComponent, MinExclusiveConstraintComponent,
    MinInclusiveConstraintComponent, MaxExclusiveConstraintComponent, MaxInclusiveConstraintComponent,
)


class Unsupported(Exception):
    """A shape uses something this engine does not evaluate; pySHACL checks that shape instead."""


@dataclass
class CompiledShape:
    shape: Shape
    path: CompiledPath | None
    components: list[ConstraintComponent]
    targets_query: str | None
    target_nodes: list[RdfTerm]
    sparql: list[tuple[SPARQLQueryHelper, str]] = field(default_factory=list)  # (pySHACL helper, query text)
    check_only: bool = False  # results are only counted, not reported (conformance checks of sh:or etc.)
    members: dict[int, list[list[Node]]] = field(default_factory=dict)  # id(logical component) -> shape lists
    pure: bool = False  # a node shape whose checks read only the value itself, never the data graph

    @property
    def node(self) -> Node:
        return self.shape.node


class CompiledShapes:
    """A shapes graph compiled once, reusable for any number of data batches."""

    def __init__(
        self, shapes: Graph, allow_warnings: bool = False, allow_infos: bool = False, describe: bool = True
    ) -> None:
        self.describe = describe
        self.graph = shapes
        self.sg = ShapesGraph(shapes)
        self.executor = SHACLExecutor(allow_warnings=allow_warnings, allow_infos=allow_infos)
        self.allowed: set[URIRef] = set()
        if allow_infos or allow_warnings:
            self.allowed.add(SH_Info)
        if allow_warnings:
            self.allowed.add(SH_Warning)
        self._compiled: dict[tuple[Node, bool], CompiledShape] = {}
        # Conformance of a value to a pure shape holds in every batch: sh:or ([sh:datatype …] …) over
        # the same dates and strings need not be worked out again for each batch.
        self.pure_conforms: dict[tuple[Node, ValueKey], Verdict] = {}
        self.top: list[CompiledShape] = []
        self.unsupported: dict[Node, str] = {}
        # In the shapes' own order, not the order of pySHACL's set (which the hash seed of each
        # process draws): a record's findings then come in the same order in every process.
        for shape in sorted(self.sg.shapes, key=lambda shape: str(shape.node)):
            try:
                compiled = self.compiled(shape)
                self._check_reachable(compiled, set())
            except Unsupported as why:
                self.unsupported[shape.node] = str(why)
                log.warning("fast SHACL engine: shape %s falls back to pySHACL: %s", shape.node, why)
                continue
            if compiled.targets_query or compiled.target_nodes:
                self.top.append(compiled)

    def compiled(self, shape: Shape, check_only: bool = False) -> CompiledShape:
        found = self._compiled.get((shape.node, check_only))
        if found is None:
            found = self._compile(shape, check_only)
            self._compiled[(shape.node, check_only)] = found
        return found

    def lookup(self, node: Node, check_only: bool = False) -> CompiledShape | None:
        if self.sg.is_filtered_out_shape(node):
            return None
        try:
            shape = self.sg.lookup_shape_from_node(node)
        except (KeyError, AttributeError):
            return None
        return self.compiled(shape, check_only)

    def _compile(self, shape: Shape, check_only: bool) -> CompiledShape:
        if shape.advanced_target():
            raise Unsupported("sh:target (SHACL-AF custom targets)")
        custom = shape.find_custom_constraints()
        if custom:
            self._refuse_forbidden(shape, custom)
            raise Unsupported("custom (SPARQL-based) constraint components")
        path = None
        if shape.is_property_shape:
            try:
                path = compile_path(self.graph, shape.path())
            except UnsupportedPath as why:
                raise Unsupported(str(why)) from why
        components: list[ConstraintComponent] = []
        done: set[type] = set()
        for predicate, _ in self.sg.predicate_objects(shape.node):
            if predicate not in ALL_CONSTRAINT_PARAMETERS:
                continue
            kind = CONSTRAINT_PARAMETERS_MAP[predicate]
            if kind in done:
                continue
            done.add(kind)
            try:
                component = kind(shape)
            except ConstraintLoadWarning as warning:
                log.warning(repr(warning))
                continue
            if check_only:
                # Only whether results exist (and their severity) matters: skip messages and texts.
                # (Replacing a method on one instance is the point here; mypy refuses it in general.)
                component.make_v_result = _counting_result(shape.severity)  # type: ignore[method-assign]
            elif not self.describe:
                # The text report is all the description serves; findings are read from the triples.
                component.make_v_result_description = _no_description  # type: ignore[method-assign]
            components.append(component)
        compiled = CompiledShape(shape, path, components, *self._targets(shape), check_only=check_only)
        compiled.pure = path is None and all(isinstance(c, PURE) for c in components)
        for component in components:
            for logical, attribute in LOGICAL_LISTS.items():
                if isinstance(component, logical):
                    heads = getattr(component, attribute)
                    compiled.members[id(component)] = [list(self.graph.items(head)) for head in heads]
        for component in components:
            if isinstance(component, SPARQLBasedConstraint):
                compiled.sparql.extend(self._sparql(component))
        return compiled

    def _targets(self, shape: Shape) -> tuple[str | None, list[RdfTerm]]:
        nodes, classes, implicit, objects_of, subjects_of = shape.target()
        patterns = [
            f"{{ ?this <{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{c}> }}"
            for c in {*classes, *implicit} if isinstance(c, URIRef)
        ]
        patterns += [f"{{ ?this <{p}> ?any }}" for p in subjects_of if isinstance(p, URIRef)]
        patterns += [f"{{ ?any <{p}> ?this }}" for p in objects_of if isinstance(p, URIRef)]
        query = "SELECT DISTINCT ?this WHERE { " + " UNION ".join(patterns) + " }" if patterns else None
        return query, list(nodes)

    def _refuse_forbidden(self, shape: Shape, components: Iterable[Any]) -> None:
        """A custom component's validator queries keep SHACL's rules for pre-bound variables
        ($this, $value), or the shapes graph is refused: pySHACL, which runs them, does not check."""
        for component in components:
            validators = (*getattr(component, "validators", ()), *getattr(component, "node_validators", ()),
                          *getattr(component, "property_validators", ()))
            for validator in validators:
                for key in (SH.ask, SH.select):
                    for text in self.graph.objects(validator, key):
                        refused = why_forbidden(str(text), ("this", "value"))
                        if refused is not None:
                            raise ShapesError("validate.forbidden_sparql", shape=shape.node, detail=refused)

    def _sparql(self, component: SPARQLBasedConstraint) -> list[tuple[SPARQLQueryHelper, str]]:
        prepared = []
        for helper in component.sparql_constraints:
            if helper.deactivated:
                continue
            refused = why_forbidden(helper.select_text, ("this",))
            if refused is not None:
                raise ShapesError("validate.forbidden_sparql", shape=component.shape.node, detail=refused)
            why = why_not_prebindable(helper.select_text)
            if why is not None:  # substitution would leave it unbound there: a false "conforms"
                raise Unsupported(f"SHACL-SPARQL query with {why}, which only pySHACL pre-binds as SHACL says")
            prepared.append((helper, helper.apply_prefixes(helper.select_text)))
        return prepared

    def _check_reachable(self, compiled: CompiledShape, seen: set[Node]) -> None:
        """Compile every shape this one refers to, so an unsupported nested feature is caught up front."""
        if compiled.node in seen:
            return
        seen.add(compiled.node)
        for component in compiled.components:
            for node in _referenced_shapes(self.graph, component):
                nested = self.lookup(node)
                if nested is not None:
                    self._check_reachable(nested, seen)


def _value_key(value: Node) -> ValueKey | None:
    """What a pure check can depend on; rdflib compares some distinct ill-typed literals as equal."""
    if isinstance(value, Literal):
        return ("literal", str(value), value.datatype, value.language, getattr(value, "ill_typed", None))
    if isinstance(value, URIRef):
        return ("iri", str(value))
    return None


def _no_description(*args: Any, **kwargs: Any) -> str:
    return ""


def _counting_result(severity: Node) -> Callable[..., Report]:
    node = BNode()
    result: Report = ("", node, [(node, SH_resultSeverity, severity)])

    def make_v_result(*args: Any, **kwargs: Any) -> Report:
        return result

    return make_v_result


LOGICAL_LISTS: dict[type[ConstraintComponent], str] = {
    AndConstraintComponent: "and_list", OrConstraintComponent: "or_list", XoneConstraintComponent: "xone_nodes",
}


def _referenced_shapes(shapes: Graph, component: ConstraintComponent) -> Iterable[Node]:
    if isinstance(component, NodeConstraintComponent):
        return component.node_shapes
    if isinstance(component, PropertyConstraintComponent):
        return component.property_shapes
    if isinstance(component, QualifiedValueShapeConstraintComponent):
        return component.value_shapes
    if isinstance(component, NotConstraintComponent):
        return component.not_list
    for kind, attribute in LOGICAL_LISTS.items():
        if isinstance(component, kind):
            return [m for head in getattr(component, attribute) for m in shapes.items(head)]
    return []


class Run:
    """One validation of one data store against compiled shapes."""

    def __init__(
        self, shapes: CompiledShapes, store: ox.Store, namespaces: Graph | None = None, terms: TermCache | None = None
    ) -> None:
        self.shapes = shapes
        self.store = store
        self.terms = terms or TermCache()
        self.data = graph_view(store, self.terms)
        if namespaces is not None:  # messages name nodes with the data graph's prefixes, as pySHACL's do
            for prefix, iri in namespaces.namespace_manager.namespaces():
                self.data.namespace_manager.bind(prefix, iri, override=True, replace=True)
        self._conforms: dict[tuple[Node, RdfTerm], Verdict] = {}

    def validate(self, top: list[CompiledShape] | None = None) -> Verdict:
        """Every targeted shape, or only those of `top`."""
        conforms, reports = True, []
        for compiled in self.shapes.top if top is None else top:
            focus = self.focus_nodes(compiled)
            if not focus:
                continue
            ok, found = self.validate_shape(compiled, focus)
            conforms = conforms and ok
            reports.extend(found)
        return conforms, reports

    def focus_nodes(self, compiled: CompiledShape) -> list[RdfTerm]:
        found: dict[RdfTerm, None] = dict.fromkeys(compiled.target_nodes)
        if compiled.targets_query:
            rdf = self.terms.rdf
            for solution in select(self.store.query(compiled.targets_query)):
                found[rdf(solution[0])] = None
        return list(found)

    def value_nodes(self, compiled: CompiledShape, focus: list[RdfTerm]) -> ValueNodes:
        path = compiled.path
        if path is None:
            return {f: {f} for f in focus}
        rdf, ox_term = self.terms.rdf, self.terms.ox
        values: ValueNodes = {}
        if path.predicate is not None:
            predicate = ox_term(path.predicate)
            for f in focus:
                node = ox_term(f)
                if path.inverse:
                    quads = self.store.quads_for_pattern(None, predicate, node, ox.DefaultGraph())
                    values[f] = {rdf(q.subject) for q in quads}
                elif isinstance(node, ox.Literal):
                    values[f] = set()
                else:
                    quads = self.store.quads_for_pattern(node, predicate, None, ox.DefaultGraph())
                    values[f] = {rdf(q.object) for q in quads}
            return values
        query = f"SELECT DISTINCT ?this ?v WHERE {{ ?this {path.sparql} ?v }}"
        for f in focus:
            solutions = select(self.store.query(query, substitutions={ox.Variable("this"): ox_term(f)}))
            values[f] = {rdf(s[1]) for s in solutions}
        return values

    def validate_shape(self, compiled: CompiledShape, focus: list[RdfTerm]) -> Verdict:
        """pySHACL's `Shape.validate`, with value nodes from pyoxigraph."""
        shape = compiled.shape
        if shape.deactivated or not focus:
            return True, []
        values = self.value_nodes(compiled, focus)
        allowed = self.shapes.allowed
        allow_conform = bool(allowed) and shape.severity in allowed
        filter_reports = bool(allowed) and not allow_conform
        non_conformant = False
        reports: list[Report] = []
        for component in compiled.components:
            ok, found = self.evaluate(compiled, component, values)
            if ok or allow_conform:
                pass
            elif filter_reports:
                severities = [
                    part[2] for _, node, parts in found for part in parts
                    if part[1] is SH_resultSeverity and part[0] == node
                ]
                non_conformant = non_conformant or not all(s in allowed for s in severities)
            else:
                non_conformant = True
            reports.extend(found)
        return not non_conformant, reports

    def reported(self, node_shape: Node, value: RdfTerm) -> Verdict:
        """The full results of `value` against a shape, for sh:detail. Not cached: pySHACL gives each
        sh:node result its own copy of the nested results, and so must we."""
        compiled = self.shapes.lookup(node_shape)
        return (True, []) if compiled is None else self.validate_shape(compiled, [value])

    def conforms(self, node_shape: Node, value: RdfTerm) -> Verdict:
        key = (node_shape, value)
        found = self._conforms.get(key)
        if found is None:
            compiled = self.shapes.lookup(node_shape, check_only=True)
            if compiled is None:
                found = (True, [])
            elif compiled.pure and (value_key := _value_key(value)) is not None:
                cache = self.shapes.pure_conforms
                found = cache.get((node_shape, value_key))
                if found is None:
                    found = self.validate_shape(compiled, [value])
                    if len(cache) > 100_000:
                        cache.clear()
                    cache[(node_shape, value_key)] = found
            else:
                found = self.validate_shape(compiled, [value])
            self._conforms[key] = found
        return found

    def evaluate(self, compiled: CompiledShape, component: ConstraintComponent, values: ValueNodes) -> Verdict:
        if not isinstance(component, RECURSIVE):
            verdict: Verdict = component.evaluate(self.shapes.executor, self.data, values, [])
            return verdict
        method: Callable[[CompiledShape, ConstraintComponent, ValueNodes], Verdict]
        method = getattr(self, "_" + type(component).__name__)
        return method(compiled, component, values)

    # Shape-based and logical components, mirroring pySHACL's evaluate() of each.

    def _NodeConstraintComponent(
        self, compiled: CompiledShape, component: NodeConstraintComponent, values: ValueNodes
    ) -> Verdict:
        non_conformant, reports = False, []
        for node_shape in component.node_shapes:
            for f, value_nodes in values.items():
                for v in value_nodes:
                    ok, nested = self.conforms(node_shape, v)
                    if ok and not nested:
                        continue
                    non_conformant = True
                    if compiled.check_only:
                        reports.append(component.make_v_result(self.data, f, value_node=v))
                        continue
                    ok, nested = self.reported(node_shape, v)
                    text, node, triples = component.make_v_result(self.data, f, value_node=v)
                    text = f"{text}\tDetails:\n"
                    for _text, sub_node, sub_triples in nested:
                        triples.append((node, SH_detail, sub_node))
                        triples.extend(sub_triples)
                    reports.append((text, node, triples))
        return not non_conformant, reports

    def _PropertyConstraintComponent(
        self, compiled: CompiledShape, component: PropertyConstraintComponent, values: ValueNodes
    ) -> Verdict:
        non_conformant, reports = False, []
        every = [v for value_nodes in values.values() for v in value_nodes]
        if not every:
            return True, []
        # One pass over all value nodes at once gives the same results as one pass per value
        # node, as long as no value node repeats (a repeated one is validated once per focus).
        batches = [list(dict.fromkeys(every))] if len(set(every)) == len(every) else [[v] for v in every]
        for property_shape in component.property_shapes:
            nested = self.shapes.lookup(property_shape, compiled.check_only)
            if nested is None:
                continue
            for batch in batches:
                ok, found = self.validate_shape(nested, batch)
                non_conformant = non_conformant or not ok
                reports.extend(found)
        return not non_conformant, reports

    def _NotConstraintComponent(
        self, compiled: CompiledShape, component: NotConstraintComponent, values: ValueNodes
    ) -> Verdict:
        groups = [[n] for n in component.not_list]
        return self._logical(component, values, groups, lambda passed, total: passed == 0)

    def _AndConstraintComponent(
        self, compiled: CompiledShape, component: AndConstraintComponent, values: ValueNodes
    ) -> Verdict:
        return self._logical(component, values, compiled.members[id(component)], lambda passed, total: passed == total)

    def _OrConstraintComponent(
        self, compiled: CompiledShape, component: OrConstraintComponent, values: ValueNodes
    ) -> Verdict:
        return self._logical(component, values, compiled.members[id(component)], lambda passed, total: passed > 0)

    def _XoneConstraintComponent(
        self, compiled: CompiledShape, component: XoneConstraintComponent, values: ValueNodes
    ) -> Verdict:
        return self._logical(component, values, compiled.members[id(component)], lambda passed, total: passed == 1)

    def _logical(
        self, component: ConstraintComponent, values: ValueNodes, groups: list[list[Node]], rule: LogicalRule
    ) -> Verdict:
        non_conformant, reports = False, []
        for group in groups:
            for f, value_nodes in values.items():
                for v in value_nodes:
                    passed = sum(1 for s in group if self.conforms(s, v)[0])
                    if not rule(passed, len(group)):
                        non_conformant = True
                        reports.append(component.make_v_result(self.data, f, value_node=v))
        return not non_conformant, reports

    def _QualifiedValueShapeConstraintComponent(
        self, compiled: CompiledShape, component: QualifiedValueShapeConstraintComponent, values: ValueNodes
    ) -> Verdict:
        non_conformant, reports = False, []
        for value_shape in component.value_shapes:
            siblings = self._siblings(compiled, component, value_shape)
            for f, value_nodes in values.items():
                count = 0
                for v in value_nodes:
                    if self.conforms(value_shape, v)[0] and not any(self.conforms(s, v)[0] for s in siblings):
                        count += 1
                if component.max_count is not None and count > component.max_count:
                    non_conformant = True
                    reports.append(component.make_v_result(self.data, f, constraint_component=SH_QualifiedMaxCount))
                if component.min_count is not None and count < component.min_count:
                    non_conformant = True
                    reports.append(component.make_v_result(self.data, f, constraint_component=SH_QualifiedMinCount))
        return not non_conformant, reports

    def _siblings(
        self, compiled: CompiledShape, component: QualifiedValueShapeConstraintComponent, value_shape: Node
    ) -> list[Node]:
        return qualified_siblings(self.shapes, compiled, component, value_shape)

    def _SPARQLBasedConstraint(
        self, compiled: CompiledShape, component: SPARQLBasedConstraint, values: ValueNodes
    ) -> Verdict:
        non_conformant, reports = False, []
        shape = compiled.shape
        for helper, _ in compiled.sparql:
            kwargs = {"source_constraint": helper.node, "extra_messages": helper.messages or None}
            for f in values:
                for violation in self._sparql_violations(helper, f):
                    non_conformant = True
                    reports.append(self._sparql_report(component, shape, f, violation, kwargs))
        return not non_conformant, reports

    def _sparql_violations(self, helper: SPARQLQueryHelper, focus: RdfTerm) -> list[Violation]:
        """Mirrors pySHACL's `_validate_sparql_query`, running the query in pyoxigraph."""
        init_binds, text = helper.pre_bind_variables(focus)
        text = helper.apply_prefixes(text)
        solutions = self._query(text, init_binds)
        violations: list[Violation] = []
        failure_seen = False
        variables = [v.value for v in solutions.variables]
        rdf = self.terms.rdf
        for solution in solutions:
            row = {name: rdf(solution[name]) for name in variables if solution[name] is not None}
            if row.pop("failure", None) is not None:
                if not failure_seen:
                    violations.append((True, row))
                    failure_seen = True
                continue
            p, v, t = row.pop("path", None), row.pop("value", None), row.pop("this", None)
            if (p is not None or v is not None or t is not None) and (t, p, v, row) not in violations:
                violations.append((t, p, v, row))
        return violations

    def _query(self, text: str, bindings: dict[str, Node]) -> ox.QuerySolutions:
        """Pre-binds like rdflib's initBindings; oxigraph substitutes only projected variables,
        so the others are written into the query text (IRIs and literals can be)."""
        prefixes = {p: str(iri) for p, iri in self.data.namespace_manager.namespaces() if p}
        substitutions = {ox.Variable(str(k)): self.terms.ox(v) for k, v in bindings.items()}
        try:
            return select(self.store.query(text, substitutions=substitutions, prefixes=prefixes))
        except RuntimeError:
            for name, value in bindings.items():
                if isinstance(value, BNode):
                    raise
                text = _written_in(text, str(name), value)
            return select(self.store.query(text, prefixes=prefixes))

    def _sparql_report(
        self, component: SPARQLBasedConstraint, shape: Shape, f: RdfTerm, violation: Violation, kwargs: dict[str, Any]
    ) -> Report:
        result_value = None if shape.is_property_shape else f
        report: Report
        if len(violation) == 2:
            report = component.make_v_result(
                self.data, f, value_node=result_value, bound_vars=violation[1], **kwargs
            )
            return report
        t, p, v, row = violation
        if v is None:
            v = result_value
        report = component.make_v_result(
            self.data, t or f, value_node=v, result_path=p, bound_vars=(t, p, v, row), **kwargs
        )
        return report


LogicalRule = Callable[[int, int], bool]  # (members passed, members) -> whether the value satisfies it


def select(found: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    """The answer of a SELECT query: the only kind the engine asks (targets, paths, sh:select)."""
    if not isinstance(found, ox.QuerySolutions):
        raise TypeError(f"not the answer of a SELECT query: {found!r}")
    return found


def _written_in(text: str, name: str, value: Node) -> str:
    """The query with the variable `name` replaced by the term itself, written as N3."""
    written = value.n3()
    return re.sub(r"[?$]" + re.escape(name) + r"\b", lambda _match: written, text)


def qualified_siblings(
    shapes: CompiledShapes, compiled: CompiledShape, component: QualifiedValueShapeConstraintComponent,
    value_shape: Node | None,
) -> list[Node]:
    """sh:qualifiedValueShapesDisjoint: the sibling qualified shapes a value must not also conform to."""
    if not component.is_disjoint:
        return []
    sg = shapes.graph
    siblings = {
        sibling
        for parent in sg.subjects(SH.property, compiled.node)
        for sibling_shape in sg.objects(parent, SH.property)
        for sibling in sg.objects(sibling_shape, SH.qualifiedValueShape)
        if sibling != value_shape
    }
    return [s for s in siblings if shapes.lookup(s) is not None]

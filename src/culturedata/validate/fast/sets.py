"""Set-at-a-time evaluation: each shape checked once per batch over all its focus nodes.

`Run` (engine.py) follows pySHACL closely: value nodes read focus node by focus node, nested
shapes (sh:or members, sh:node targets) validated value by value, and every result built by
pySHACL's `make_v_result` into result triples. For the pipeline only the findings matter, so
this evaluator keeps the same decisions and drops the rest:

- the batch is a Python index (`BatchGraph`); value nodes of every path form are read from it;
- a nested shape is validated once over every value that needs it, its verdicts and results
  remembered for the batch (for shapes that read only the value, across batches), so sh:or,
  sh:node and qualified shapes cost one pass, not one per value;
- the constraint components are pySHACL's own, on copies whose `make_v_result` records
  (focus, value, path, component) instead of building triples and text, except the commonest
  (cardinality, sh:uniqueLang, sh:hasValue, sh:class, sh:nodeKind), whose rules are written out
  below over pyoxigraph terms; checks that read only the value itself (datatype, pattern, sh:in,
  ...) are remembered across batches;
- findings are built from the recorded results (report.py `HitFindings`).

Whether a nested shape conforms follows `Run` exactly: the same severity rules, sh:node failing
on any nested result. Shapes this evaluator does not take (SHACL-SPARQL, directly or through a
shape they refer to) stay with `Run`, in the same batch.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.constraints.core.cardinality_constraints import (
    MaxCountConstraintComponent,
    MinCountConstraintComponent,
)
from pyshacl.constraints.core.logical_constraints import NotConstraintComponent
from pyshacl.constraints.core.other_constraints import HasValueConstraintComponent
from pyshacl.constraints.core.shape_based_constraints import (
    NodeConstraintComponent,
    PropertyConstraintComponent,
    QualifiedValueShapeConstraintComponent,
)
from pyshacl.constraints.core.string_based_constraints import UniqueLangConstraintComponent
from pyshacl.constraints.core.value_constraints import ClassConstraintComponent, NodeKindConstraintComponent
from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
from rdflib import RDF, RDFS, URIRef
from rdflib.term import Node

from culturedata.validate.fast.batchgraph import BatchGraph, batch_view
from culturedata.validate.fast.engine import (
    LOGICAL_LISTS,
    PURE,
    CompiledShape,
    CompiledShapes,
    SH_QualifiedMaxCount,
    SH_QualifiedMinCount,
    qualified_siblings,
)
from culturedata.validate.fast.paths import SH, UnsupportedPath, Walk, compile_walk
from culturedata.validate.fast.terms import OxTerm, TermCache, to_ox

# Checks whose results for a focus node are the union of their results for each value alone.
PER_VALUE = tuple(kind for kind in PURE if kind is not HasValueConstraintComponent)
_VALUE_CACHE_LIMIT = 50_000  # distinct values remembered per component: memory stays flat on long runs


@dataclass(slots=True)
class Hit:
    """One result: what pySHACL's `make_v_result` was asked to build."""

    shape: CompiledShape
    component: ConstraintComponent
    focus: OxTerm
    value: Node | None  # rdflib, as pySHACL would report it
    path: Node | None  # sh:resultPath when the component names one (sh:closed); else the shape's path
    constraint: URIRef


Targets = tuple[list[OxTerm], list[ox.NamedNode], list[ox.NamedNode], list[ox.NamedNode]]
Recorded = tuple[Node | None, Node | None, URIRef]  # value, result path, constraint component


def _recorder(component: ConstraintComponent) -> Callable[..., tuple[Node, Recorded]]:
    default = component.shacl_constraint_component

    def make_v_result(datagraph: Any, focus_node: Node, value_node: Node | None = None,
                      result_path: Node | None = None, constraint_component: URIRef | None = None,
                      **_: Any) -> tuple[Node, Recorded]:
        return focus_node, (value_node, result_path, constraint_component or default)

    return make_v_result


class SetPlan:
    """Which targeted shapes the set evaluator takes, and recording copies of their components."""

    def __init__(self, shapes: CompiledShapes) -> None:
        self.shapes = shapes
        self.recording: dict[int, ConstraintComponent] = {}
        self.pure_status: dict[Node, dict[OxTerm, Status]] = {}
        self.value_cache: dict[int, dict[OxTerm, tuple[Recorded, ...]]] = {}  # id(component) -> value -> results
        self._walks: dict[Node, Walk | None] = {}
        self._targets: dict[Node, Targets] = {}
        self.top: list[CompiledShape] = []
        self.rest: list[CompiledShape] = []
        self.checked_nested: set[Node] = set()  # shapes some sh:node, logical or qualified check reaches
        for compiled in shapes.top:
            (self.top if self._supported(compiled, set()) else self.rest).append(compiled)

    def walk(self, compiled: CompiledShape) -> Walk | None:
        node = compiled.node
        if node not in self._walks:
            shape = compiled.shape
            self._walks[node] = compile_walk(self.shapes.graph, shape.path()) if shape.is_property_shape else None
        return self._walks[node]

    def targets(self, compiled: CompiledShape) -> Targets:
        """(target nodes, target classes, sh:targetSubjectsOf, sh:targetObjectsOf), as the engine reads them."""
        found = self._targets.get(compiled.node)
        if found is None:
            nodes, classes, implicit, objects_of, subjects_of = compiled.shape.target()
            found = (
                [to_ox(n) for n in nodes],
                [to_ox(c) for c in {*classes, *implicit} if isinstance(c, URIRef)],
                [to_ox(p) for p in subjects_of if isinstance(p, URIRef)],
                [to_ox(p) for p in objects_of if isinstance(p, URIRef)],
            )
            self._targets[compiled.node] = found
        return found

    def _supported(self, compiled: CompiledShape, seen: set[Node]) -> bool:
        if compiled.node in seen:
            return True
        seen.add(compiled.node)
        try:
            self.walk(compiled)
        except UnsupportedPath:
            return False
        for component in compiled.components:
            if isinstance(component, SPARQLBasedConstraint):
                return False
            for node in _nested(self.shapes, compiled, component):
                if not isinstance(component, PropertyConstraintComponent):
                    self.checked_nested.add(node)
                nested = self.shapes.lookup(node)
                if nested is not None and not self._supported(nested, seen):
                    return False
        return True

    def recording_copy(self, component: ConstraintComponent) -> ConstraintComponent:
        found = self.recording.get(id(component))
        if found is None:
            found = copy.copy(component)
            found.make_v_result = _recorder(component)  # type: ignore[method-assign]
            self.recording[id(component)] = found
        return found


def _nested(shapes: CompiledShapes, compiled: CompiledShape, component: ConstraintComponent) -> list[Node]:
    if isinstance(component, NodeConstraintComponent):
        return list(component.node_shapes)
    if isinstance(component, PropertyConstraintComponent):
        return list(component.property_shapes)
    if isinstance(component, QualifiedValueShapeConstraintComponent):
        return list(component.value_shapes) + qualified_siblings(shapes, compiled, component, None)
    if isinstance(component, NotConstraintComponent):
        return list(component.not_list)
    if id(component) in compiled.members:
        return [m for group in compiled.members[id(component)] for m in group]
    return []


# (fails the shape, its results or whether it has any: both read as truthy)
Status = tuple[bool, Sequence[Hit] | bool]
Results = tuple[bool, Sequence[Hit]]  # (fails the shape, its results)


class _Conforming(dict[OxTerm, Status]):
    """Every value conforms to a shape that is filtered out or unknown."""

    def __missing__(self, key: OxTerm) -> Status:
        return (False, False)


_CONFORMS = _Conforming()
Values = dict[OxTerm, Collection[OxTerm]]  # focus node -> its value nodes
# What a component makes of the values: (results by focus node, focus nodes it is not satisfied for).
Found = tuple[dict[OxTerm, list[Hit]], set[OxTerm]]
LogicalRule = Callable[[int, int], bool]  # (members passed, members) -> whether the value satisfies it
RDF_TYPE = ox.NamedNode(str(RDF.type))
SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))


class SetRun:
    """One batch (its `BatchGraph`) through a `SetPlan`. Terms are pyoxigraph's; pySHACL's components
    get rdflib ones, converted once per distinct term."""

    def __init__(self, plan: SetPlan, graph: BatchGraph, terms: TermCache | None = None) -> None:
        self.plan = plan
        self.shapes = plan.shapes
        self.graph = graph
        self.terms = terms or TermCache()
        self.data = batch_view(graph, self.terms)
        self.executor = self.shapes.executor
        self.allowed = self.shapes.allowed
        self._status: dict[Node, dict[OxTerm, Results]] = {}  # per batch: shape -> focus node -> Results
        self._instances: dict[tuple[OxTerm, OxTerm], bool] = {}
        self._last_values: dict[Walk, tuple[list[OxTerm], Values]] = {}

    # ---------------------------------------------------------------- focus and value nodes

    def focus_nodes(self, compiled: CompiledShape) -> list[OxTerm]:
        nodes, classes, subjects_of, objects_of = self.plan.targets(compiled)
        found: dict[OxTerm, None] = dict.fromkeys(nodes)
        if classes:
            typed = self.graph.subjects(RDF_TYPE)
            for c in self._subclasses(classes):
                found.update(dict.fromkeys(typed.get(c, ())))
        for p in subjects_of:
            found.update(dict.fromkeys(self.graph.objects(p)))
        for p in objects_of:
            found.update(dict.fromkeys(self.graph.subjects(p)))
        return list(found)

    def _subclasses(self, classes: Iterable[OxTerm]) -> set[OxTerm]:
        """The classes and everything below them (rdf:type/rdfs:subClassOf* in the data graph)."""
        below = self.graph.subjects(SUBCLASS_OF)
        found = set(classes)
        todo = list(found)
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    def value_nodes(self, compiled: CompiledShape, focus: list[OxTerm]) -> Values:
        walk = self.plan.walk(compiled)
        if walk is None:
            return {f: (f,) for f in focus}
        last = self._last_values.get(walk)
        if last is not None and last[0] is focus:  # sibling property shapes on one path: read once
            return last[1]
        values: Values
        if walk[0] == "p":
            index = self.graph.objects(walk[1])
            values = {f: index.get(f, ()) for f in focus}
        elif walk[0] == "inv" and (step := walk[1])[0] == "p":
            inverse = self.graph.subjects(step[1])
            values = {f: inverse.get(f, ()) for f in focus}
        else:
            values = {f: self._walk(walk, {f: None}, True) for f in focus}
        self._last_values[walk] = (focus, values)
        return values

    def _walk(self, walk: Walk, nodes: dict[OxTerm, None], forward: bool) -> dict[OxTerm, None]:
        """The nodes reached from `nodes` along a path (backwards when not `forward`), in SPARQL's sense."""
        found: dict[OxTerm, None]
        if walk[0] == "p":
            index = self.graph.objects(walk[1]) if forward else self.graph.subjects(walk[1])
            found = {}
            for n in nodes:
                found.update(dict.fromkeys(index.get(n, ())))
            return found
        if walk[0] == "seq":
            for part in walk[1] if forward else reversed(walk[1]):
                nodes = self._walk(part, nodes, forward)
            return nodes
        if walk[0] == "alt":
            found = {}
            for part in walk[1]:
                found.update(self._walk(part, nodes, forward))
            return found
        kind, step = walk
        if kind == "inv":
            return self._walk(step, nodes, not forward)
        if kind == "opt":
            return {**nodes, **self._walk(step, nodes, forward)}
        # star / plus: the closure, with (star) or without (plus) the start nodes themselves
        found = dict(nodes) if kind == "star" else {}
        frontier = self._walk(step, nodes, forward)
        while frontier:
            fresh = {n: None for n in frontier if n not in found}
            found.update(fresh)
            frontier = self._walk(step, fresh, forward) if fresh else {}
        return found

    # ---------------------------------------------------------------- shapes

    def hits(self, compiled: CompiledShape, focus: list[OxTerm]) -> list[Hit]:
        """The results of a targeted shape: shared with its checks as a nested shape (sh:node)."""
        if compiled.node not in self.plan.checked_nested:
            _, by_focus = self.evaluate(compiled, focus)
            return [hit for found in by_focus.values() for hit in found]
        known = self._results(compiled, focus)
        return [hit for f in focus for hit in known[f][1]]

    def _results(self, compiled: CompiledShape, focus: Iterable[OxTerm]) -> dict[OxTerm, Results]:
        """(fails, results) of each (distinct) focus node for a shape, each worked out once per batch."""
        known = self._status.get(compiled.node)
        if known is None:
            known = self._status[compiled.node] = {}
        todo = [f for f in focus if f not in known]  # focus nodes come distinct
        if todo:
            failed, by_focus = self.evaluate(compiled, todo)
            for f in todo:
                known[f] = (f in failed, by_focus.get(f, ()))
        return known

    def evaluate(self, compiled: CompiledShape, focus: list[OxTerm]) -> tuple[set[OxTerm], dict[OxTerm, list[Hit]]]:
        """(focus nodes that fail the shape, results by focus node), as `Run.validate_shape` decides."""
        shape = compiled.shape
        if shape.deactivated or not focus:
            return set(), {}
        values = self.value_nodes(compiled, focus)
        allowed = self.allowed
        allow_conform = bool(allowed) and shape.severity in allowed
        filter_reports = bool(allowed) and not allow_conform
        failed: set[OxTerm] = set()
        by_focus: dict[OxTerm, list[Hit]] = {}
        for component in compiled.components:
            found, not_ok = self.component(compiled, component, values)
            for f, hits in found.items():
                by_focus.setdefault(f, []).extend(hits)
            if allow_conform:
                continue
            for f in not_ok:
                if filter_reports and all(h.shape.shape.severity in allowed for h in found.get(f, ())):
                    continue
                failed.add(f)
        return failed, by_focus

    def status(self, node: Node, values: Iterable[OxTerm]) -> Mapping[OxTerm, Status]:
        """Whether each (distinct) value conforms to a nested shape: (fails, its results or whether any)."""
        compiled = self.shapes.lookup(node)
        if compiled is None:
            return _CONFORMS
        if not compiled.pure:
            return self._results(compiled, values)
        # A shape that reads only the value itself: its verdicts hold in every batch.
        known = self.plan.pure_status.get(node)
        if known is None or len(known) > _VALUE_CACHE_LIMIT:
            known = self.plan.pure_status[node] = {}
        todo = [v for v in values if v not in known]  # values come distinct
        if todo:
            failed, by_focus = self.evaluate(compiled, todo)
            for v in todo:
                known[v] = (v in failed, bool(by_focus.get(v)))
        return known

    # ---------------------------------------------------------------- components

    def component(self, compiled: CompiledShape, component: ConstraintComponent, values: Values) -> Found:
        """(results by focus node, focus nodes for which the component is not satisfied)."""
        if isinstance(component, PropertyConstraintComponent):
            return self._property(compiled, component, values)
        if isinstance(component, NodeConstraintComponent):
            return self._node(compiled, component, values)
        if isinstance(component, QualifiedValueShapeConstraintComponent):
            return self._qualified(compiled, component, values)
        if isinstance(component, NotConstraintComponent):
            groups = [[n] for n in component.not_list]
            return self._logical(compiled, component, values, groups, lambda passed, total: passed == 0)
        for kind in LOGICAL_LISTS:
            if isinstance(component, kind):
                rule = _LOGICAL_RULES[kind.__name__]
                return self._logical(compiled, component, values, compiled.members[id(component)], rule)
        native = _NATIVE.get(type(component))
        if native is not None:
            return native(self, compiled, component, values)
        if isinstance(component, PER_VALUE):
            return self._per_value(compiled, component, values)
        return self._whole(compiled, component, values)

    def _node_kind(self, compiled: CompiledShape, component: NodeKindConstraintComponent, values: Values) -> Found:
        found: dict[OxTerm, list[Hit]] = {}
        accepted = _KINDS_ACCEPTED.get(component.nodekind_rule, ())
        rdf = self.terms.rdf
        for f, vs in values.items():
            for v in vs:
                if type(v) not in accepted:
                    self._hit(compiled, component, found, f, rdf(v))
        return found, set(found)

    # pySHACL's own logic for the most common components, on pyoxigraph terms (no conversion).

    def _min_count(self, compiled: CompiledShape, component: MinCountConstraintComponent, values: Values) -> Found:
        found: dict[OxTerm, list[Hit]] = {}
        least = int(component.min_count.value)
        if least > 0:
            for f, vs in values.items():
                if len(vs) < least:
                    self._hit(compiled, component, found, f, None)
        return found, set(found)

    def _max_count(self, compiled: CompiledShape, component: MaxCountConstraintComponent, values: Values) -> Found:
        found: dict[OxTerm, list[Hit]] = {}
        most = int(component.max_count.value)
        for f, vs in values.items():
            if len(vs) > most:
                self._hit(compiled, component, found, f, None)
        return found, set(found)

    def _unique_lang(self, compiled: CompiledShape, component: UniqueLangConstraintComponent, values: Values) -> Found:
        found: dict[OxTerm, list[Hit]] = {}
        for rule in component.string_rules:
            if not rule:
                continue
            for f, vs in values.items():
                seen: set[str] = set()
                duplicates: set[str] = set()
                for v in vs:
                    if type(v) is ox.Literal and v.language:
                        lang = v.language.lower()
                        (duplicates if lang in seen else seen).add(lang)
                for _ in duplicates:
                    self._hit(compiled, component, found, f, None)
        return found, set(found)

    def _has_value(self, compiled: CompiledShape, component: HasValueConstraintComponent, values: Values) -> Found:
        found: dict[OxTerm, list[Hit]] = {}
        rdf = self.terms.rdf
        for expected in component.has_value_set:
            for f, vs in values.items():
                if not any(rdf(v) == expected for v in vs):
                    self._hit(compiled, component, found, f, None)
        return found, set(found)

    def _class(self, compiled: CompiledShape, component: ClassConstraintComponent, values: Values) -> Found:
        found: dict[OxTerm, list[Hit]] = {}
        rdf = self.terms.rdf
        for rule in component.class_rules:
            expected = to_ox(rule) if isinstance(rule, URIRef) else None
            for f, vs in values.items():
                for v in vs:
                    if not self._instance_of(v, expected):
                        self._hit(compiled, component, found, f, rdf(v))
        return found, set(found)

    def _instance_of(self, value: OxTerm, cls: OxTerm | None) -> bool:
        """rdf:type/rdfs:subClassOf* in the data graph; a literal is an instance of nothing."""
        if cls is None or type(value) is ox.Literal:
            return False
        key = (value, cls)
        known = self._instances.get(key)
        if known is None:
            above = self.graph.objects(SUBCLASS_OF)
            types = list(self.graph.objects(RDF_TYPE).get(value, ()))
            seen = set(types)
            known = False
            while types:
                t = types.pop()
                if t == cls:
                    known = True
                    break
                for parent in above.get(t, ()):
                    if parent not in seen:
                        seen.add(parent)
                        types.append(parent)
            self._instances[key] = known
        return known

    def _hit(self, compiled: CompiledShape, component: ConstraintComponent, found: dict[OxTerm, list[Hit]],
             f: OxTerm, value: Node | None, path: Node | None = None, constraint: URIRef | None = None) -> None:
        hit = Hit(compiled, component, f, value, path, constraint or component.shacl_constraint_component)
        found.setdefault(f, []).append(hit)

    def _whole(self, compiled: CompiledShape, component: ConstraintComponent, values: Values) -> Found:
        """pySHACL's own evaluate over every focus node at once, results recorded, not built."""
        recording = self.plan.recording_copy(component)
        rdf, ox_term = self.terms.rdf, self.terms.ox
        focus_values = {rdf(f): {rdf(v) for v in vs} for f, vs in values.items()}
        _, reports = recording.evaluate(self.executor, self.data, focus_values, [])
        found: dict[OxTerm, list[Hit]] = {}
        for f, (value, path, constraint) in reports:
            self._hit(compiled, component, found, ox_term(f), value, path, constraint)
        return found, set(found)

    def _per_value(self, compiled: CompiledShape, component: ConstraintComponent, values: Values) -> Found:
        """Checks that read only the value: each distinct value checked once, across batches."""
        cache = self.plan.value_cache.get(id(component))
        if cache is None or len(cache) > _VALUE_CACHE_LIMIT:
            cache = self.plan.value_cache[id(component)] = {}
        found: dict[OxTerm, list[Hit]] = {}
        for f, vs in values.items():
            for v in vs:
                recorded = cache.get(v)
                if recorded is None:
                    recorded = cache[v] = self._check_value(component, v)
                for value, path, constraint in recorded:
                    self._hit(compiled, component, found, f, value, path, constraint)
        return found, set(found)

    def _check_value(self, component: ConstraintComponent, value: OxTerm) -> tuple[Recorded, ...]:
        node = self.terms.rdf(value)
        _, reports = self.plan.recording_copy(component).evaluate(self.executor, self.data, {node: {node}}, [])
        return tuple(r for _, r in reports)

    def _node(self, compiled: CompiledShape, component: NodeConstraintComponent, values: Values) -> Found:
        every = list(dict.fromkeys(v for vs in values.values() for v in vs))
        rdf = self.terms.rdf
        found: dict[OxTerm, list[Hit]] = {}
        for node_shape in component.node_shapes:
            status = self.status(node_shape, every)
            for f, vs in values.items():
                for v in vs:
                    bad, any_result = status[v]
                    if bad or any_result:
                        self._hit(compiled, component, found, f, rdf(v))
        return found, set(found)

    def _property(self, compiled: CompiledShape, component: PropertyConstraintComponent, values: Values) -> Found:
        every = list(dict.fromkeys(v for vs in values.values() for v in vs))
        found: dict[OxTerm, list[Hit]] = {}
        not_ok: set[OxTerm] = set()
        if not every:
            return found, not_ok
        identity = compiled.path is None
        for property_shape in component.property_shapes:
            nested = self.shapes.lookup(property_shape)
            if nested is None:
                continue
            failed, by_value = self.evaluate(nested, every)
            if not failed and not by_value:
                continue
            if identity:  # a node shape's value is its focus node: results are already by focus node
                for f, hits in by_value.items():
                    found.setdefault(f, []).extend(hits)
                not_ok.update(failed)
                continue
            for f, vs in values.items():
                for v in vs:
                    value_hits = by_value.get(v)
                    if value_hits:
                        found.setdefault(f, []).extend(value_hits)
                    if v in failed:
                        not_ok.add(f)
        return found, not_ok

    def _logical(
        self, compiled: CompiledShape, component: ConstraintComponent, values: Values, groups: list[list[Node]],
        rule: LogicalRule,
    ) -> Found:
        every = list(dict.fromkeys(v for vs in values.values() for v in vs))
        rdf = self.terms.rdf
        found: dict[OxTerm, list[Hit]] = {}
        for group in groups:
            statuses = [self.status(member, every) for member in group]
            for f, vs in values.items():
                for v in vs:
                    passed = 0
                    for status in statuses:
                        if not status[v][0]:
                            passed += 1
                    if not rule(passed, len(group)):
                        self._hit(compiled, component, found, f, rdf(v))
        return found, set(found)

    def _qualified(self, compiled: CompiledShape, component: QualifiedValueShapeConstraintComponent, values: Values) -> Found:
        every = list(dict.fromkeys(v for vs in values.values() for v in vs))
        found: dict[OxTerm, list[Hit]] = {}
        for value_shape in component.value_shapes:
            status = self.status(value_shape, every)
            siblings = [self.status(s, every) for s in qualified_siblings(self.shapes, compiled, component, value_shape)]
            for f, vs in values.items():
                count = sum(
                    1 for v in vs if not status[v][0] and not any(not sibling[v][0] for sibling in siblings)
                )
                if component.max_count is not None and count > component.max_count:
                    self._hit(compiled, component, found, f, None, constraint=SH_QualifiedMaxCount)
                if component.min_count is not None and count < component.min_count:
                    self._hit(compiled, component, found, f, None, constraint=SH_QualifiedMinCount)
        return found, set(found)


_KINDS_ACCEPTED = {  # sh:nodeKind -> the pyoxigraph term types it accepts, as pySHACL decides
    SH.BlankNode: (ox.BlankNode,), SH.IRI: (ox.NamedNode,), SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode), SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}

# Each entry takes its own component class, which a table's type cannot say: hence Any.
_NATIVE: dict[type[ConstraintComponent], Callable[[SetRun, CompiledShape, Any, Values], Found]] = {
    NodeKindConstraintComponent: SetRun._node_kind,
    MinCountConstraintComponent: SetRun._min_count,
    MaxCountConstraintComponent: SetRun._max_count,
    UniqueLangConstraintComponent: SetRun._unique_lang,
    HasValueConstraintComponent: SetRun._has_value,
    ClassConstraintComponent: SetRun._class,
}

_LOGICAL_RULES: dict[str, LogicalRule] = {
    "AndConstraintComponent": lambda passed, total: passed == total,
    "OrConstraintComponent": lambda passed, total: passed > 0,
    "XoneConstraintComponent": lambda passed, total: passed == 1,
}

__all__ = ["Hit", "SetPlan", "SetRun"]

"""The pySHACL the fast engine was tested on, and the internals it relies on.

The fast engine (culturedata.validate.fast) calls pySHACL's constraint components directly,
reads their attributes and replaces their `make_v_result`. None of that is pySHACL's public
API, so pyproject.toml pins the tested range, and these tests say which internal changed when
a newer pySHACL moves one (`.ci/pyshacl-latest` runs this folder on the newest pySHACL).
Symbols are looked up by name inside each test, so a missing one fails its own test, named.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from rdflib import BNode, Graph, Literal, URIRef

REPO = Path(__file__).resolve().parents[2]
FAST = REPO / "src" / "culturedata" / "validate" / "fast"

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Item a sh:NodeShape ; sh:targetClass ex:Item ;
  sh:node ex:Named ; sh:not ex:Named ;
  sh:and ( ex:Named ) ; sh:or ( ex:Named ) ; sh:xone ( ex:Named ) ;
  sh:class ex:Item ; sh:nodeKind sh:IRI ; sh:hasValue ex:a ; sh:in ( ex:a ) ;
  sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ; sh:message "m" ] ;
  sh:property ex:Label , ex:Part .
ex:Label a sh:PropertyShape ; sh:path ex:label ; sh:minCount 1 ; sh:maxCount 2 ; sh:uniqueLang true ;
  sh:datatype xsd:string ; sh:minLength 1 ; sh:maxLength 9 ; sh:pattern "a" ; sh:languageIn ( "fr" ) ;
  sh:minInclusive 1 ; sh:maxInclusive 9 ; sh:minExclusive 0 ; sh:maxExclusive 10 .
ex:Part a sh:PropertyShape ; sh:path ex:part ; sh:qualifiedValueShape ex:Named ;
  sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 2 ; sh:qualifiedValueShapesDisjoint true .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:label ; sh:minCount 1 ] .
"""
EX = "http://example.org/"

# The attributes the engine reads on each component it walks or re-implements (engine.py, sets.py).
COMPONENT_ATTRIBUTES = {
    "shape_based_constraints.NodeConstraintComponent": ("node_shapes",),
    "shape_based_constraints.PropertyConstraintComponent": ("property_shapes",),
    "shape_based_constraints.QualifiedValueShapeConstraintComponent": (
        "value_shapes", "min_count", "max_count", "is_disjoint",
    ),
    "logical_constraints.NotConstraintComponent": ("not_list",),
    "logical_constraints.AndConstraintComponent": ("and_list",),
    "logical_constraints.OrConstraintComponent": ("or_list",),
    "logical_constraints.XoneConstraintComponent": ("xone_nodes",),
    "value_constraints.NodeKindConstraintComponent": ("nodekind_rule",),
    "value_constraints.ClassConstraintComponent": ("class_rules",),
    "cardinality_constraints.MinCountConstraintComponent": ("min_count",),
    "cardinality_constraints.MaxCountConstraintComponent": ("max_count",),
    "string_based_constraints.UniqueLangConstraintComponent": ("string_rules",),
    "other_constraints.HasValueConstraintComponent": ("has_value_set",),
}

# Methods and properties the engine calls on pySHACL's classes (looked up on the class, so a
# missing one fails here by name before the tests below use it).
CLASS_MEMBERS = [
    *(f"pyshacl.shapes_graph:ShapesGraph.{m}" for m in (
        "shapes", "lookup_shape_from_node", "is_filtered_out_shape", "predicate_objects",
    )),
    *(f"pyshacl.shape:Shape.{m}" for m in (
        "advanced_target", "find_custom_constraints", "is_property_shape", "path", "target", "severity",
        "deactivated", "message",
    )),
    *(f"pyshacl.constraints.constraint_component:ConstraintComponent.{m}" for m in (
        "evaluate", "make_v_result", "make_v_result_description", "make_generic_messages",
        "shacl_constraint_component",
    )),
    *(f"pyshacl.helper.sparql_query_helper:SPARQLQueryHelper.{m}" for m in (
        "apply_prefixes", "pre_bind_variables", "messages",
    )),
    "pyshacl.validator:Validator.create_validation_report",
]


def symbol(dotted: str) -> Any:
    """`module:attribute.path`, failing with the name of the first piece that is missing."""
    module_name, _, attributes = dotted.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as exc:
        pytest.fail(f"pySHACL no longer has the module {module_name}: {exc}")
    for part in attributes.split(".") if attributes else ():
        if not hasattr(found, part):
            pytest.fail(f"pySHACL no longer has {module_name}:{attributes} (missing: {part})")
        found = getattr(found, part)
    return found


def accepts(dotted: str, *args: Any, **kwargs: Any) -> None:
    """The function named takes the arguments the engine passes it."""
    try:
        inspect.signature(symbol(dotted)).bind(*args, **kwargs)
    except TypeError as exc:
        pytest.fail(f"pySHACL changed the signature of {dotted}{inspect.signature(symbol(dotted))}: {exc}")


def pyshacl_imports() -> list[str]:
    """Every `from pyshacl... import name` in the engine's source, as module:name."""
    found = []
    for path in sorted(FAST.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pyshacl":
                found += [f"{node.module}:{alias.name}" for alias in node.names]
    return sorted(set(found))


@pytest.fixture(scope="module")
def shapes_graph() -> Any:
    sg = symbol("pyshacl.shapes_graph:ShapesGraph")(Graph().parse(data=SHAPES, format="turtle"))
    list(sg.shapes)  # builds the lookup table, as the engine's first pass over the shapes does
    return sg


def components(sg: Any, node: str) -> dict[str, Any]:
    """The components of one shape, built as the engine builds them: class name -> instance."""
    parameters = symbol("pyshacl.constraints:CONSTRAINT_PARAMETERS_MAP")
    shape = sg.lookup_shape_from_node(URIRef(EX + node))
    found = {}
    for predicate, _ in sg.predicate_objects(shape.node):
        if predicate in symbol("pyshacl.constraints:ALL_CONSTRAINT_PARAMETERS"):
            kind = parameters[predicate]
            found[kind.__name__] = kind(shape)
    return found


def test_installed_pyshacl_is_in_the_tested_range() -> None:
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pin = next(Requirement(d) for d in dependencies if Requirement(d).name == "pyshacl")
    assert any(spec.operator == "<" for spec in pin.specifier), f"pyshacl has no upper bound in pyproject: {pin}"
    installed = importlib.metadata.version("pyshacl")
    assert pin.specifier.contains(installed, prereleases=True), (
        f"pySHACL {installed} is outside the range the fast engine was tested on ({pin.specifier}): "
        "run .ci/pyshacl-latest, then widen the pin in pyproject.toml"
    )


def test_the_engine_imports_from_pyshacl() -> None:
    # Guards the list below against the engine importing nothing (a moved folder, a renamed package).
    assert len(pyshacl_imports()) > 20


@pytest.mark.parametrize("dotted", pyshacl_imports())
def test_every_name_the_engine_imports_exists(dotted: str) -> None:
    symbol(dotted)


@pytest.mark.parametrize("dotted", CLASS_MEMBERS)
def test_every_method_the_engine_calls_exists(dotted: str) -> None:
    symbol(dotted)


@pytest.mark.parametrize(("dotted", "attributes"), COMPONENT_ATTRIBUTES.items())
def test_component_attributes(shapes_graph: Any, dotted: str, attributes: tuple[str, ...]) -> None:
    name = dotted.rpartition(".")[2]
    symbol(f"pyshacl.constraints.core.{dotted.replace('.', ':')}")
    built = {**components(shapes_graph, "Item"), **components(shapes_graph, "Label"), **components(shapes_graph, "Part")}
    assert name in built, f"pySHACL no longer builds {name} for its parameter"
    for attribute in attributes:
        assert hasattr(built[name], attribute), f"pySHACL's {name} no longer has .{attribute}"


def test_components_accept_a_replaced_make_v_result(shapes_graph: Any) -> None:
    """engine.py and sets.py replace `make_v_result` on the instance: it must not be slotted."""
    for node in ("Item", "Label", "Part"):
        for name, component in components(shapes_graph, node).items():
            assert hasattr(component, "__dict__"), f"pySHACL's {name} has __slots__: make_v_result cannot be replaced"


def test_make_v_result_result_triples(shapes_graph: Any) -> None:
    """What the engine reads back: (text, node, triples), the node the very subject of its triples,
    the severity under pyshacl.consts.SH_resultSeverity itself (compared with `is`)."""
    component = components(shapes_graph, "Label")["MinCountConstraintComponent"]
    accepts(
        "pyshacl.constraints.constraint_component:ConstraintComponent.make_v_result",
        component, Graph(), URIRef(EX + "a"), value_node=None, result_path=None, constraint_component=None,
        source_constraint=None, extra_messages=None, bound_vars=None,
    )
    text, node, triples = component.make_v_result(Graph(), URIRef(EX + "a"), value_node=Literal("x"))
    assert isinstance(text, str) and isinstance(node, BNode)
    severity = symbol("pyshacl.consts:SH_resultSeverity")
    assert any(s is node and p is severity for s, p, _ in triples), "make_v_result's severity triple changed"


@pytest.mark.parametrize("method", ["make_v_result_description", "make_generic_messages", "evaluate"])
def test_component_methods(shapes_graph: Any, method: str) -> None:
    base = "pyshacl.constraints.constraint_component:ConstraintComponent"
    symbol(f"{base}.{method}")
    for node in ("Item", "Label", "Part"):
        for name, component in components(shapes_graph, node).items():
            bound = getattr(component, method)
            try:
                if method == "evaluate":
                    inspect.signature(bound).bind(object(), Graph(), {}, [])
                elif method == "make_generic_messages":
                    inspect.signature(bound).bind(Graph(), URIRef(EX + "a"), None)
            except TypeError as exc:
                pytest.fail(f"pySHACL changed {name}.{method}{inspect.signature(bound)}: {exc}")
    assert isinstance(symbol(f"{base}.shacl_constraint_component"), URIRef)


def test_shape_api(shapes_graph: Any) -> None:
    assert not shapes_graph.is_filtered_out_shape(URIRef(EX + "Item"))
    assert any(shape.node == URIRef(EX + "Item") for shape in shapes_graph.shapes)
    shape = shapes_graph.lookup_shape_from_node(URIRef(EX + "Label"))
    for name in ("node", "is_property_shape", "severity", "deactivated", "message"):
        assert hasattr(shape, name), f"pySHACL's Shape no longer has .{name}"
    assert shape.is_property_shape and shape.path() == URIRef(EX + "label")
    assert len(shape.target()) == 5, "Shape.target() no longer gives (nodes, classes, implicit, objects_of, subjects_of)"
    item = shapes_graph.lookup_shape_from_node(URIRef(EX + "Item"))
    assert not item.advanced_target() and not item.find_custom_constraints()
    assert URIRef(EX + "Item") in item.target()[1]


def test_sparql_helpers(shapes_graph: Any) -> None:
    component = components(shapes_graph, "Item")["SPARQLBasedConstraint"]
    (helper,) = component.sparql_constraints
    for name in ("node", "messages", "deactivated", "select_text"):
        assert hasattr(helper, name), f"pySHACL's SPARQL query helper no longer has .{name}"
    bindings, text = helper.pre_bind_variables(URIRef(EX + "a"))
    assert isinstance(text, str) and isinstance(helper.apply_prefixes(text), str)
    assert isinstance(bindings, dict)


def test_entry_points() -> None:
    accepts("pyshacl.pytypes:SHACLExecutor", allow_warnings=True, allow_infos=False)
    accepts("pyshacl.validator:Validator.create_validation_report", object(), True, [])
    accepts(
        "pyshacl:validate", Graph(), shacl_graph=Graph(), inference="none", advanced=False, inplace=True,
        allow_warnings=True, use_shapes=["x"],
    )

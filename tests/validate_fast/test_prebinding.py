"""SHACL-SPARQL pre-binding: the fast engine never says "conforms" because pyoxigraph left `$this`
unbound in a nested group, a BIND or a sub-select (W3C pre-binding-003 to -005 did), and SPARQL the
spec forbids with pre-bound variables is refused, whichever engine would run it."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from culturedata.errors import ShapesError
from culturedata.validate.fast import validate_graph
from culturedata.validate.fast.prebinding import why_forbidden, why_not_prebindable

PREFIXES = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
FOCUS = URIRef("http://www.w3.org/ns/shacl#focusNode")
DATA = PREFIXES + "ex:Invalid a ex:Thing ; ex:property \"Label\" . ex:Valid a ex:Thing ."


def shapes(select: str) -> Graph:
    text = PREFIXES + f'''ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
      sh:sparql [ sh:prefixes ex: ; sh:select """PREFIX ex: <http://example.org/>
      {select}""" ] .
    ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^<http://www.w3.org/2001/XMLSchema#anyURI> ] .'''
    return Graph().parse(data=text, format="turtle")


def focus_nodes(select: str) -> set[str]:
    conforms, report, _ = validate_graph(Graph().parse(data=DATA, format="turtle"), shapes(select))
    found = {str(o) for o in report.objects(None, FOCUS)}
    assert conforms == (not found)
    return found


@pytest.mark.parametrize("select", [
    # pre-binding-003: $this only in nested groups
    "SELECT $this WHERE { { { FILTER ($this = ex:Invalid) } FILTER bound($this) } FILTER (true) }",
    # pre-binding-004: $this in a BIND
    "SELECT $this WHERE { BIND ($this AS ?that) FILTER (?that = ex:Invalid) }",
    # pre-binding-005: $this in a nested group and in the outer one
    'SELECT $this WHERE { { FILTER (bound($this)) } $this ex:property "Label" . FILTER (bound($this)) }',
    # pre-binding-007: a sub-select that returns $this
    "SELECT $this WHERE { { SELECT $this WHERE { FILTER ($this = ex:Invalid) } } }",
])
def test_this_is_bound_everywhere_so_the_violation_is_reported(select: str) -> None:
    assert focus_nodes(select) == {"http://example.org/Invalid"}


def test_a_query_with_this_only_at_the_top_stays_on_the_fast_path() -> None:
    select = 'SELECT $this WHERE { $this ex:property "Label" . FILTER (isIRI($this)) }'
    assert why_not_prebindable(select) is None
    assert focus_nodes(select) == {"http://example.org/Invalid"}


@pytest.mark.parametrize(("select", "reason"), [
    ('SELECT $this WHERE { $this ?x ?any . MINUS { $this ?x "Value" } }', "MINUS"),
    ("SELECT $this WHERE { VALUES ?any { true } }", "VALUES"),
    ("SELECT $this WHERE { $this ?x ?any . SERVICE <http://example.org/sparql> { ?a ?b ?c } }", "SERVICE"),
    ("SELECT $this WHERE { $this ?x ?any . { SELECT ?other WHERE { ?other ?b ?c } } }", "sub-select"),
    ("SELECT $this WHERE { BIND (true AS $this) }", "AS $this"),
    ("SELECT $this WHERE { { SELECT * WHERE { FILTER ($this = ex:Invalid) } } }", "sub-select"),
    ("SELECT $this WHERE { $this ?p $shapesGraph }", "$shapesGraph"),
])
def test_sparql_the_spec_forbids_is_refused(select: str, reason: str) -> None:
    assert reason in (why_forbidden(select, ("this",)) or "")
    with pytest.raises(ShapesError) as refused:
        focus_nodes(select)
    assert reason.strip("$") in str(refused.value)


def test_strings_iris_and_comments_are_not_read_as_keywords() -> None:
    select = 'SELECT $this WHERE { $this <http://example.org/MINUS> "VALUES { $this }" # SERVICE {\n }'
    assert why_forbidden(select, ("this",)) is None and why_not_prebindable(select) is None


def test_a_custom_component_assigning_value_is_refused() -> None:
    """W3C unsupported-sparql-006: pySHACL, which runs custom components, would evaluate it."""
    text = PREFIXES + '''ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:lang ] ;
      sh:validator [ a sh:SPARQLAskValidator ; sh:ask """ASK { BIND (true AS ?value) FILTER (isLiteral(?value)) }""" ] .
    ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:property ; ex:lang "fr" ] .'''
    with pytest.raises(ShapesError):
        validate_graph(Graph().parse(data=DATA, format="turtle"), Graph().parse(data=text, format="turtle"))

"""What the fast engine does not evaluate itself, pySHACL checks, and the log says so."""

from __future__ import annotations

import logging

import pyshacl
import pytest
from rdflib import Graph

from culturedata.validate.fast import validate_graph

from .test_differential import result_set

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:MaxLen a sh:ConstraintComponent ;
  sh:parameter [ sh:path ex:maxLen ] ;
  sh:validator [ a sh:SPARQLAskValidator ; sh:message "too long" ;
                 sh:ask "ASK { FILTER (STRLEN(STR($value)) <= $maxLen) }" ] .
ex:Custom a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:label ; ex:maxLen 3 ] .
ex:Core a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:label ; sh:minCount 2 ] .
"""
DATA = """
@prefix ex: <http://example.org/> .
ex:a a ex:Thing ; ex:label "abcdef" .
ex:b a ex:Thing ; ex:label "ab" , "abcd" .
"""


def test_custom_component_falls_back_to_pyshacl(caplog):
    shapes = Graph().parse(data=SHAPES, format="turtle")
    data = Graph().parse(data=DATA, format="turtle")
    with caplog.at_level(logging.WARNING, logger="culturedata.validate.fast"):
        conforms, report, _ = validate_graph(data, shapes)
    assert "http://example.org/Custom falls back to pySHACL" in caplog.text
    expected_conforms, expected, _ = pyshacl.validate(data, shacl_graph=shapes)
    found = result_set(report)
    assert found == result_set(expected)
    assert conforms == expected_conforms is False
    components = {key[4] for key in found}
    assert "<http://example.org/MaxLen>" in components, "the custom component's results are there"
    assert "<http://www.w3.org/ns/shacl#MinCountConstraintComponent>" in components


NAMED = SHAPES.replace("sh:property [ sh:path ex:label ; ex:maxLen 3 ] .",
                       "sh:property ex:CustomLabel . ex:CustomLabel sh:path ex:label ; ex:maxLen 3 .")


@pytest.mark.parametrize(("shapes_text", "fallback"), [
    (SHAPES, []),  # a blank-node shape uses the custom component: pySHACL checks every shape
    (NAMED, ["http://example.org/Custom", "http://example.org/CustomLabel"]),  # only those
])
def test_pipeline_engine_falls_back_to_pyshacl_too(shapes_text, fallback):
    """`FastValidator` (the pipeline's path) hands the same shapes to pySHACL, and no finding comes twice."""
    import pyoxigraph as ox

    from culturedata.records import MappedRecord
    from culturedata.validate import PyshaclValidator
    from culturedata.validate.fast import FastValidator
    from culturedata.validate.shapes import ShapeSet

    from .conftest import finding_set

    shapes = ShapeSet(shapes=Graph().parse(data=shapes_text, format="turtle"), vocabularies=ox.Store(), files=())
    triples = [q.triple for q in ox.parse(DATA, format=ox.RdfFormat.TURTLE)]
    records = [
        MappedRecord("t", name, f"http://example.org/graph/{name}",
                     tuple(t for t in triples if t.subject.value.endswith("/" + name)), "hash")
        for name in ("a", "b")
    ]
    fast = FastValidator(shapes)
    assert sorted(fast.fallback) == fallback
    found = finding_set(fast.validate(records))
    assert found == finding_set(PyshaclValidator(shapes).validate(records))
    rules = {key[3] for key in found}
    assert "http://www.w3.org/ns/shacl#MinCountConstraintComponent" in rules, "the fast engine's own findings"
    assert rules & {"http://example.org/MaxLen", "http://example.org/CustomLabel"}, "pySHACL's findings"

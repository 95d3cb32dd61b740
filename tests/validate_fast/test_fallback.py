"""What the fast engine does not evaluate itself, pySHACL checks, and the log says so."""

from __future__ import annotations

import logging

import pyshacl
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

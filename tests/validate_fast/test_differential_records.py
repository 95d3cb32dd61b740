"""The fast engine's pipeline path (`FastValidator`, set-at-a-time) against `PyshaclValidator`, on random records.

`test_differential.py` compares `validate_graph` (pySHACL-like reports); this compares the findings the
pipeline stores, over random batches of records checked against the same every-component shapes graph,
with a small vocabulary that the records cite.
"""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from culturedata.records import MappedRecord
from culturedata.validate import PyshaclValidator
from culturedata.validate.fast import FastValidator
from culturedata.validate.shapes import ShapeSet, visible_predicates

from .conftest import finding_set
from .test_differential import SHAPES_GRAPH

EX = "http://example.org/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"

VOCABULARY = ox.Store()
VOCABULARY.load(
    f"<{EX}v0> a <{EX}Thing> ; <{EX}name> \"V\"@fr . <{EX}v1> <{EX}link> <{EX}v0> ; <{EX}label> \"vocab\" .",
    format=ox.RdfFormat.TURTLE,
)
SHAPES = ShapeSet(shapes=SHAPES_GRAPH, vocabularies=VOCABULARY, files=(), visible=visible_predicates(SHAPES_GRAPH))
VALIDATORS = (PyshaclValidator(SHAPES), FastValidator(SHAPES))

nodes = st.sampled_from([ox.NamedNode(f"{EX}n{i}") for i in range(5)] + [ox.NamedNode(f"{EX}v{i}") for i in range(2)])
values = st.one_of(
    nodes,
    st.sampled_from([
        ox.Literal("Ab", language="fr"), ox.Literal("Ab", language="en"), ox.Literal("c", language="fr-ca"),
        ox.Literal("abc"), ox.Literal("b"), ox.Literal("a"), ox.Literal("toolong"),
        ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("x", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("-1", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("3.5", datatype=ox.NamedNode(XSD + "decimal")),
    ]),
)
predicates = st.sampled_from([ox.NamedNode(EX + p) for p in ("name", "size", "link", "label", "code", "limit")])
classes = st.sampled_from([ox.NamedNode(EX + c) for c in ("Thing", "Sub", "Other")])
subjects = st.sampled_from([ox.NamedNode(f"{EX}n{i}") for i in range(5)] + [ox.BlankNode("b0")])
triples = st.one_of(
    st.builds(ox.Triple, subjects, st.just(RDF_TYPE), classes),
    st.builds(ox.Triple, subjects, predicates, values),
)


def _records(batch: list[list[ox.Triple]]) -> list[MappedRecord]:
    return [
        MappedRecord("random", f"r{i}", f"{EX}graph/r{i}", tuple(dict.fromkeys(ts)), "hash")
        for i, ts in enumerate(batch) if ts
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(triples, min_size=1, max_size=10), min_size=1, max_size=4))
@example([[ox.Triple(ox.NamedNode(EX + "n0"), RDF_TYPE, ox.NamedNode(EX + "Thing")),
           ox.Triple(ox.NamedNode(EX + "n0"), ox.NamedNode(EX + "link"), ox.NamedNode(EX + "v1"))]])
def test_random_records_same_findings(batch):
    records = _records(batch)
    reference, fast = VALIDATORS
    assert finding_set(fast.validate(records)) == finding_set(reference.validate(records))


def test_random_shapes_go_through_the_set_evaluator():
    """Only the SHACL-SPARQL shape stays with the per-focus engine: the comparison tests the set evaluator."""
    _, fast = VALIDATORS
    assert [str(c.node) for c in fast.plan.rest] == [EX + "Sparql"]
    assert {str(c.node) for c in fast.plan.top} == {EX + "ThingShape", EX + "Inverse", EX + "Named"}

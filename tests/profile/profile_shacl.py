"""Validate small graphs against the profile the way the pipeline does, for the profile tests.

Like culturedata.validate, only the vocabulary concepts a graph cites are copied into its data
graph, and results about those concepts are dropped: they are the vocabulary's, not the record's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef

REPO = Path(__file__).resolve().parents[2]
SHAPES = REPO / "shapes"
ONTOLOGIES = REPO / "ontologies"
EXAMPLES = Path(__file__).resolve().parent / "examples"
SHARED_DATA = REPO / ".." / "shared" / "data"
SH = Namespace("http://www.w3.org/ns/shacl#")
CDS = Namespace("https://w3id.org/culturedata/shapes/")

PREFIXES = """\
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix schema: <http://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix qcp: <https://w3id.org/culturedata/ns/qcp#> .
@prefix aat: <http://vocab.getty.edu/aat/> .
@prefix adr: <http://kg.artsdata.ca/resource/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
"""


@dataclass(frozen=True)
class Result:
    rule: str  # local name of the source shape, e.g. "HeritageObject-name"
    focus: str
    severity: str  # "Violation", "Warning" or "Info"
    messages: dict[str, str]


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@cache
def vocabulary_graph() -> Graph:
    graph = Graph()
    for path in sorted(ONTOLOGIES.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def with_cited_concepts(data: Graph) -> tuple[Graph, set[URIRef]]:
    """A copy of data plus the triples of every vocabulary term it cites, and those terms."""
    vocab = vocabulary_graph()
    merged = Graph()
    for triple in data:
        merged.add(triple)
    cited = {o for o in data.objects() if isinstance(o, URIRef) and (o, None, None) in vocab}
    for iri in cited:
        for triple in vocab.triples((iri, None, None)):
            merged.add(triple)
    return merged, cited


def run(data: Graph, shapes: Graph | None = None) -> list[Result]:
    merged, cited = with_cited_concepts(data)
    _, report, _ = validate(
        merged, shacl_graph=shapes if shapes is not None else shapes_graph(),
        inference="none", advanced=False, allow_warnings=True,
    )
    results = []
    # Only top-level results: pySHACL also nests the results of sh:node checks under sh:detail.
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        if focus in cited:
            continue
        shape = report.value(node, SH.sourceShape)
        messages = {
            m.language or "": str(m) for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)
        }
        severity = str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        rule = str(shape).removeprefix(str(CDS)) if isinstance(shape, URIRef) else f"_:{shape}"
        results.append(Result(rule, str(focus), severity, messages))
    return results


def load_example(name: str) -> Graph:
    return Graph().parse(EXAMPLES / name, format="turtle")


def parse_snippet(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")

"""Loading the shapes (shapes/*.ttl) and the vocabularies (ontologies/**/*.ttl) they check against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from culturedata.config import Config
from culturedata.errors import ShapesError
from culturedata.resources import ontologies_dir, shapes_dir


@dataclass(frozen=True)
class ShapeSet:
    """The shapes as an rdflib graph for pySHACL, and the vocabularies in an in-memory store.

    Only the concepts a batch actually cites are copied into its data graph, so checking
    a record against `sh:class skos:Concept` does not mean re-validating every vocabulary.
    """

    shapes: Graph
    vocabularies: ox.Store
    files: tuple[Path, ...]
    visible: frozenset[str] | None = None  # predicates the shapes can see; None: all of them

    def sees(self, predicate: str) -> bool:
        return self.visible is None or predicate in self.visible


def configured_dirs(config: Config) -> tuple[Path | None, Path | None]:
    """The shapes and vocabulary folders `[validate]` names, relative to the configuration."""
    shapes, vocabularies = config.settings.validate.shapes, config.settings.validate.vocabularies
    return (config.root / shapes if shapes else None, config.root / vocabularies if vocabularies else None)


def load_shapes(shapes: Path | None = None, ontologies: Path | None = None) -> ShapeSet:
    shapes = shapes or shapes_dir()
    ontologies = ontologies or ontologies_dir()
    shape_files = sorted(shapes.glob("*.ttl")) if shapes.is_dir() else []
    if not shape_files:
        raise ShapesError("validate.no_shapes", path=shapes)
    graph = Graph()
    for path in shape_files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many types for bad Turtle
            raise ShapesError("validate.bad_shapes", path=path, detail=exc) from exc
    vocabularies = ox.Store()
    vocab_files = sorted(ontologies.rglob("*.ttl")) if ontologies.is_dir() else []
    for path in vocab_files:
        try:
            vocabularies.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except (SyntaxError, OSError) as exc:
            raise ShapesError("validate.bad_shapes", path=path, detail=exc) from exc
    return ShapeSet(
        shapes=graph, vocabularies=vocabularies, files=tuple(shape_files + vocab_files), visible=visible_predicates(graph)
    )


SH = "http://www.w3.org/ns/shacl#"
# Constraints that may read any triple of a focus node, so no triple can be left out.
_SEES_EVERYTHING = {SH + "closed", SH + "sparql", SH + "select", SH + "ask", SH + "js", SH + "rule"}
_ALWAYS = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",  # targets and sh:class
    "http://www.w3.org/2000/01/rdf-schema#subClassOf",  # sh:class and targets follow subclasses
}


def visible_predicates(shapes: Graph) -> frozenset[str] | None:
    """The predicates a SHACL Core constraint can follow: every IRI the shapes mention.

    A path, a sh:equals, a sh:targetSubjectsOf all name their predicates in the shapes graph,
    so a triple whose predicate is never mentioned cannot change a result; leaving it out of
    the data graph makes each batch smaller. Closed shapes and SPARQL-based constraints see
    every triple: then nothing is left out.
    """
    from rdflib import URIRef

    mentioned = {str(term) for triple in shapes for term in triple if isinstance(term, URIRef)}
    if mentioned & _SEES_EVERYTHING:
        return None
    return frozenset(mentioned | _ALWAYS)

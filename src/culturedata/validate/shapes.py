"""Loading the shapes (shapes/*.ttl) and the vocabularies (ontologies/**/*.ttl) they check against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

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
    return ShapeSet(shapes=graph, vocabularies=vocabularies, files=tuple(shape_files + vocab_files))

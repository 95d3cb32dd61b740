"""SHACL property paths, compiled once into SPARQL property-path syntax."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

SH = Namespace("http://www.w3.org/ns/shacl#")


class UnsupportedPath(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CompiledPath:
    """A path as SPARQL; `predicate`/`inverse` are set for the two forms read without a query."""

    sparql: str
    predicate: URIRef | None = None
    inverse: bool = False


def compile_path(shapes: Graph, path: Node) -> CompiledPath:
    if isinstance(path, URIRef):
        return CompiledPath(f"<{path}>", predicate=path)
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return CompiledPath(f"^<{inverse}>", predicate=inverse, inverse=True)
    return CompiledPath(_sparql(shapes, path))


def _sparql(shapes: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        raise UnsupportedPath(f"not a SHACL path: {path!r}")
    if shapes.value(path, RDF.first) is not None:
        return "(" + "/".join(_sparql(shapes, step) for step in shapes.items(path)) + ")"
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return "(" + template.format(_sparql(shapes, inner)) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_sparql(shapes, step) for step in shapes.items(alternatives)) + ")"
    raise UnsupportedPath(f"unknown SHACL path form: {path!r}")

"""SHACL property paths, compiled once into SPARQL property-path syntax."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

import pyoxigraph as ox
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


# A path as a small tree for walking a Python index, IRIs as pyoxigraph NamedNodes.
Walk: TypeAlias = (
    tuple[Literal["p"], ox.NamedNode]
    | tuple[Literal["inv", "star", "plus", "opt"], "Walk"]
    | tuple[Literal["seq", "alt"], tuple["Walk", ...]]
)
_UNARY: tuple[tuple[URIRef, Literal["inv", "star", "plus", "opt"]], ...] = (
    (SH.inversePath, "inv"), (SH.zeroOrMorePath, "star"), (SH.oneOrMorePath, "plus"), (SH.zeroOrOnePath, "opt"),
)


def compile_walk(shapes: Graph, path: Node) -> Walk:
    if isinstance(path, URIRef):
        return ("p", ox.NamedNode(str(path)))
    if not isinstance(path, BNode):
        raise UnsupportedPath(f"not a SHACL path: {path!r}")
    if shapes.value(path, RDF.first) is not None:
        return ("seq", tuple(compile_walk(shapes, step) for step in shapes.items(path)))
    for predicate, kind in _UNARY:
        inner = shapes.value(path, predicate)
        if inner is not None:
            return (kind, compile_walk(shapes, inner))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return ("alt", tuple(compile_walk(shapes, step) for step in shapes.items(alternatives)))
    raise UnsupportedPath(f"unknown SHACL path form: {path!r}")

"""Moving RDF terms between pyoxigraph (where the data lives) and rdflib (where pySHACL's checks live)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from culturedata.validate.validator import to_rdflib

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


class TermCache:
    """Converts terms both ways, each distinct term once: record batches repeat their values a lot."""

    def __init__(self) -> None:
        self._to_rdf: dict[OxTerm, Node] = {}
        self._to_ox: dict[Node, OxTerm] = {}

    def rdf(self, term: OxTerm) -> Node:
        found = self._to_rdf.get(term)
        if found is None:
            found = to_rdflib(term)
            self._to_rdf[term] = found
            self._to_ox.setdefault(found, term)
        return found

    def ox(self, node: Node) -> OxTerm:
        found = self._to_ox.get(node)
        if found is None:
            found = to_ox(node)
            self._to_ox[node] = found
            # pyoxigraph normalises language tags to lower case: map back to the original spelling.
            self._to_rdf.setdefault(found, node)
        if getattr(node, "ill_typed", False):
            # rdflib rewrites some ill-typed lexical forms ("none"^^xsd:boolean reads as "false"), so
            # two rdflib literals can meet in one pyoxigraph literal: the ill-typed one must win, or
            # the datatype check would pass it.
            self._to_rdf[found] = node
        return found


def to_ox(node: Node) -> OxTerm:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r}")

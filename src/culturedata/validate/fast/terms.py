"""Moving RDF terms between pyoxigraph (where the data lives) and rdflib (where pySHACL's checks live)."""

from __future__ import annotations

from typing import overload

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import IdentifiedNode, Node

from culturedata.validate.validator import to_rdflib

# Any term pyoxigraph puts in a triple (its `Triple.object`); our data holds no RDF-star triples,
# but pyoxigraph's own types say a subject or an object may be one.
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
OxSubject = ox.NamedNode | ox.BlankNode | ox.Triple
# An rdflib term that can be a node of a data graph: what pySHACL calls an RDFNode.
RdfTerm = IdentifiedNode | Literal


class TermCache:
    """Converts terms both ways, each distinct term once: record batches repeat their values a lot."""

    def __init__(self) -> None:
        self._to_rdf: dict[OxTerm, RdfTerm] = {}
        self._to_ox: dict[Node, OxTerm] = {}

    def rdf(self, term: OxTerm) -> RdfTerm:
        found = self._to_rdf.get(term)
        if found is None:
            found = to_rdflib(term)
            self._to_rdf[term] = found
            self._to_ox.setdefault(found, term)
        return found

    @overload
    def ox(self, node: URIRef) -> ox.NamedNode: ...
    @overload
    def ox(self, node: Node) -> OxTerm: ...

    def ox(self, node: Node) -> OxTerm:
        found = self._to_ox.get(node)
        if found is None:
            found = to_ox(node)
            self._to_ox[node] = found
            # pyoxigraph normalises language tags to lower case: map back to the original spelling.
            if isinstance(node, RdfTerm):  # always, since to_ox took it
                self._to_rdf.setdefault(found, node)
        if isinstance(node, Literal) and node.ill_typed:
            # rdflib rewrites some ill-typed lexical forms ("none"^^xsd:boolean reads as "false"), so
            # two rdflib literals can meet in one pyoxigraph literal: the ill-typed one must win, or
            # the datatype check would pass it.
            self._to_rdf[found] = node
        return found


def ox_quad(terms: TermCache, s: Node, p: Node, o: Node) -> ox.Quad:
    """An rdflib triple as a pyoxigraph quad of the default graph."""
    subject, predicate = terms.ox(s), terms.ox(p)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {s!r} {p!r} {o!r}")  # as ox.Quad itself would
    return ox.Quad(subject, predicate, terms.ox(o))


@overload
def to_ox(node: URIRef) -> ox.NamedNode: ...
@overload
def to_ox(node: Node) -> OxTerm: ...


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

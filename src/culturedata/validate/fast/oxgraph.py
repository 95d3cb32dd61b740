"""Read-only rdflib views of data held as pyoxigraph terms.

pySHACL's value checks (and its message rendering) read the data graph through rdflib's
`Graph` API. Handing them such a view lets the fast engine reuse those checks unchanged on
data that stays in pyoxigraph, instead of copying every triple into an rdflib graph.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.stores.memory import Memory

from culturedata.validate.fast.terms import OxSubject, OxTerm, TermCache

if TYPE_CHECKING:  # rdflib's own names for what a store's triples() takes and gives
    from rdflib.graph import _ContextType, _TriplePatternType, _TripleType

OxPattern = tuple[OxSubject | None, ox.NamedNode | None, OxTerm | None]
OxTriples = Iterable[tuple[OxTerm, OxTerm, OxTerm]]


def _no_contexts() -> Generator[_ContextType | None, None, None]:
    yield from ()


# rdflib's Graph never reads the contexts of a triple from a store that has none: one empty
# generator serves every triple (Memory's triples() promises generators, so iter(()) would not do).
_NO_CONTEXTS = _no_contexts()


def ox_pattern(terms: TermCache, triple_pattern: _TriplePatternType) -> OxPattern | None:
    """An rdflib triple pattern in pyoxigraph terms, or None when nothing can match it (a
    literal subject, a predicate that is not an IRI, a term pyoxigraph cannot hold)."""
    s, p, o = triple_pattern
    try:
        subject = None if s is None else terms.ox(s)
        predicate = None if p is None else terms.ox(p)
        obj = None if o is None else terms.ox(o)
    except TypeError:
        return None
    if isinstance(subject, ox.Literal) or not (predicate is None or isinstance(predicate, ox.NamedNode)):
        return None
    return subject, predicate, obj


class TermView(Memory):
    """rdflib store over pyoxigraph terms: a subclass says which triples match a pattern."""

    def __init__(self, terms: TermCache) -> None:
        super().__init__()
        self.terms = terms

    def matches(self, subject: OxSubject | None, predicate: ox.NamedNode | None, obj: OxTerm | None) -> OxTriples:
        raise NotImplementedError

    def triples(
        self, triple_pattern: _TriplePatternType, context: _ContextType | None = None
    ) -> Generator[tuple[_TripleType, Generator[_ContextType | None, None, None]], None, None]:
        pattern = ox_pattern(self.terms, triple_pattern)
        if pattern is None:
            return
        rdf = self.terms.rdf
        for s, p, o in self.matches(*pattern):
            yield (rdf(s), rdf(p), rdf(o)), _NO_CONTEXTS


class OxStoreView(TermView):
    """The triples of the default graph of a pyoxigraph store."""

    def __init__(self, store: ox.Store, terms: TermCache) -> None:
        super().__init__(terms)
        self.ox_store = store
        self._len: int | None = None

    def matches(self, subject: OxSubject | None, predicate: ox.NamedNode | None, obj: OxTerm | None) -> OxTriples:
        for quad in self.ox_store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph()):
            yield quad.subject, quad.predicate, quad.object

    def __len__(self, context: _ContextType | None = None) -> int:
        # pyoxigraph counts by scanning; pySHACL asks often, and the data does not change during a run.
        if self._len is None:
            self._len = len(self.ox_store)
        return self._len


def graph_view(store: ox.Store, terms: TermCache) -> Graph:
    return Graph(store=OxStoreView(store, terms))

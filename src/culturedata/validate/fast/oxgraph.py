"""A read-only rdflib view of a pyoxigraph store.

pySHACL's value checks (and its message rendering) read the data graph through rdflib's
`Graph` API. Handing them this view lets the fast engine reuse those checks unchanged on
data that stays in pyoxigraph, instead of copying every triple into an rdflib graph.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.stores.memory import Memory

from culturedata.validate.fast.terms import TermCache


def ox_pattern(terms: TermCache, triple_pattern: tuple) -> tuple | None:
    """An rdflib triple pattern in pyoxigraph terms, or None when nothing can match it (a
    literal subject, a predicate that is not an IRI, a term pyoxigraph cannot hold)."""
    s, p, o = triple_pattern
    try:
        subject = None if s is None else terms.ox(s)
        predicate = None if p is None else terms.ox(p)
        obj = None if o is None else terms.ox(o)
    except TypeError:
        return None
    if isinstance(subject, ox.Literal) or (predicate is not None and not isinstance(predicate, ox.NamedNode)):
        return None
    return subject, predicate, obj


class OxStoreView(Memory):
    """rdflib store whose triples come from the default graph of a pyoxigraph store."""

    def __init__(self, store: ox.Store, terms: TermCache) -> None:
        super().__init__()
        self.ox_store = store
        self.terms = terms
        self._len: int | None = None

    def triples(self, triple_pattern, context=None) -> Iterator:  # type: ignore[override]
        pattern = ox_pattern(self.terms, triple_pattern)
        if pattern is None:
            return
        subject, predicate, obj = pattern
        rdf = self.terms.rdf
        for quad in self.ox_store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph()):
            yield (rdf(quad.subject), rdf(quad.predicate), rdf(quad.object)), iter(())

    def __len__(self, context=None) -> int:  # type: ignore[override]
        # pyoxigraph counts by scanning; pySHACL asks often, and the data does not change during a run.
        if self._len is None:
            self._len = len(self.ox_store)
        return self._len


def graph_view(store: ox.Store, terms: TermCache) -> Graph:
    return Graph(store=OxStoreView(store, terms))

"""The only reads an entity page makes: point lookups in the default graph.

A page must cost the same in a store of a thousand quads as in one of ten million, so it never
asks a question an index cannot answer directly: the facts of a subject (`objects`), the
subjects that point at an object through a given predicate (`subjects`, `count`). Each is one
range of one of Oxigraph's indexes (SPO, POS), read with `quads_for_pattern` (and, for a count, by a
SPARQL query of one triple pattern with that predicate and object), never a query whose plan
could turn into a scan. `patterns` keeps what was asked, so that a test can
check it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import pyoxigraph as ox

from culturedata.store import is_merged

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Subject = ox.NamedNode | ox.BlankNode | ox.Triple


class Lookups:
    def __init__(self, store: ox.Store) -> None:
        self.store = store
        # A merged snapshot's default graph is the set of every record's triples; a store that is not
        # merged (a writable server's) is read across its graphs, each triple once.
        self.graph: ox.DefaultGraph | None = ox.DefaultGraph() if is_merged(store) else None
        self.patterns: list[tuple[str, ...]] = []

    def _quads(self, s: Subject | None, p: ox.NamedNode | None, o: Term | None) -> Iterator[ox.Quad]:
        self.patterns.append(tuple("?" if term is None else str(term) for term in (s, p, o)))
        return iter(self.store.quads_for_pattern(s, p, o, self.graph))

    def objects(self, subject: Subject, predicate: ox.NamedNode | None = None, limit: int = 500) -> list[ox.Quad]:
        """The subject's facts (with that predicate), each triple once, at most `limit`."""
        seen: dict[tuple[str, str], ox.Quad] = {}
        for quad in self._quads(subject, predicate, None):
            seen.setdefault((str(quad.predicate), str(quad.object)), quad)
            if len(seen) >= limit:
                break
        return list(seen.values())

    def subjects(self, predicate: ox.NamedNode, obj: Term, limit: int) -> list[Subject]:
        """Up to `limit` subjects with `predicate obj`, in index order."""
        found: dict[str, Subject] = {}
        for quad in self._quads(None, predicate, obj):
            found.setdefault(str(quad.subject), quad.subject)
            if len(found) >= limit:
                break
        return list(found.values())

    def count(self, predicate: ox.NamedNode, obj: Term, cap: int) -> int:
        """How many subjects have `predicate obj`, counted up to `cap` (the page says "cap+"). Counted
        by Oxigraph itself, on the same index range `subjects` reads: no Python object per match."""
        self.patterns.append(("?", str(predicate), str(obj)))
        query = (f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {{ SELECT ?s WHERE {{ ?s {predicate} {obj} }} "
                 f"LIMIT {int(cap)} }} }}")
        solutions = self.store.query(query, use_default_graph_as_union=self.graph is None)
        assert isinstance(solutions, ox.QuerySolutions)
        count = next(iter(solutions))["n"]
        return int(count.value) if isinstance(count, ox.Literal) else 0

    def has(self, subject: Subject, predicate: ox.NamedNode, obj: Term) -> bool:
        return next(self._quads(subject, predicate, obj), None) is not None

    def graphs(self, subject: Subject, limit: int = 100) -> list[str]:
        """The named graphs that say something about `subject` (the records it comes from)."""
        self.patterns.append((str(subject), "?", "?"))
        found: dict[str, None] = {}
        for quad in self.store.quads_for_pattern(subject, None, None, None):
            if isinstance(quad.graph_name, ox.NamedNode):
                found.setdefault(quad.graph_name.value)
                if len(found) >= limit:
                    break
        return list(found)

    def in_graph(self, subject: Subject, graph: str, limit: int = 500) -> list[ox.Quad]:
        """The subject's facts in one named graph (a record's provenance, in the system graph)."""
        self.patterns.append((str(subject), "?", "?"))
        return list(islice(self.store.quads_for_pattern(subject, None, None, ox.NamedNode(graph)), limit))

    def describe(self, subject: ox.NamedNode, system_graph: str) -> list[ox.Triple]:
        """What the records say about `subject`: its triples in every named graph but the system
        graph, with the blank nodes they point at, each triple once. (The SPARQL form of it,
        `GRAPH ?g { <s> ?p ?o }`, visits every named graph: one per record.)"""
        self.patterns.append((str(subject), "?", "?"))
        found: dict[ox.Triple, None] = {}
        for quad in self.store.quads_for_pattern(subject, None, None, None):
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode) or graph.value == system_graph:
                continue
            found.setdefault(quad.triple)
            if isinstance(quad.object, ox.BlankNode):
                self.patterns.append((str(quad.object), "?", "?"))
                for inner in self.store.quads_for_pattern(quad.object, None, None, graph):
                    found.setdefault(inner.triple)
        return list(found)

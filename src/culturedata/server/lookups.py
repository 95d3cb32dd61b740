"""The only reads an entity page makes: point lookups in the default graph.

A page must cost the same in a store of a thousand quads as in one of ten million, so it never
asks a question an index cannot answer directly: the facts of a subject (`objects`), the
subjects that point at an object through a given predicate (`subjects`, `count`). Each is one
range of one of Oxigraph's indexes (SPO, POS), read with `quads_for_pattern` (and, for a count, by a
SPARQL query of one triple pattern with that predicate and object), never a query whose plan
could turn into a scan. `patterns` keeps what was asked, so that a test can
check it.

A subject's facts are read once per page, all of them in one range (labels, a summary, the
structured data and the map each want some of the same node's), and what every page of a
snapshot asks alike (the lists of subjects and their counts) once per snapshot (pagememo.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import pyoxigraph as ox

from culturedata.server.pagememo import Found, Memo
from culturedata.store import is_merged

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Subject = ox.NamedNode | ox.BlankNode | ox.Triple
# A subject's facts read in one range; one that has more (rare: a record names a thing in a few
# dozen triples) is read predicate by predicate, as before.
FACTS = 100


class Lookups:
    def __init__(self, store: ox.Store, memo: Memo | None = None, merged: bool | None = None) -> None:
        self.store = store
        self.memo = memo  # the snapshot's answers; None for a store whose content changes
        # A merged snapshot's default graph is the set of every record's triples; a store that is not
        # merged (a writable server's) is read across its graphs, each triple once.
        merged = is_merged(store) if merged is None else merged
        self.graph: ox.DefaultGraph | None = ox.DefaultGraph() if merged else None
        self._asked: list[tuple[Term | None, Term | None, Term | None]] = []
        self._facts: dict[Subject, tuple[list[ox.Quad], bool]] = {}
        # (predicate, object) -> (rows, subjects) when `subjects` read every row of it.
        self._whole: dict[tuple[ox.NamedNode, Term], tuple[int, int]] = {}
        self._graphs: dict[Subject, list[str]] = {}  # the named graphs `describe` saw, in index order

    @property
    def patterns(self) -> list[tuple[str, ...]]:
        """Every pattern asked, `?` for an unbound position (spelled only when read: a test asks)."""
        return [tuple("?" if term is None else str(term) for term in asked) for asked in self._asked]

    def _quads(self, s: Subject | None, p: ox.NamedNode | None, o: Term | None) -> Iterator[ox.Quad]:
        self._asked.append((s, p, o))
        return iter(self.store.quads_for_pattern(s, p, o, self.graph))

    def _about(self, subject: Subject) -> tuple[list[ox.Quad], bool]:
        """The subject's facts, each triple once, in index order, and whether they are all of them
        (at most FACTS are read)."""
        known = self._facts.get(subject)
        if known is None:
            known = self._facts[subject] = _facts(self._quads(subject, None, None))
        return known

    def objects(self, subject: Subject, predicate: ox.NamedNode | None = None, limit: int = 500) -> list[ox.Quad]:
        """The subject's facts (with that predicate), each triple once, at most `limit`."""
        facts, whole = self._about(subject)
        if whole:  # the index is sorted by subject, predicate, object: the same order as a lookup by both
            return (facts if predicate is None else [q for q in facts if q.predicate == predicate])[:limit]
        seen: dict[tuple[ox.NamedNode, Term], ox.Quad] = {}
        for quad in self._quads(subject, predicate, None):
            seen.setdefault((quad.predicate, quad.object), quad)
            if len(seen) >= limit:
                break
        return list(seen.values())

    def subjects(self, predicate: ox.NamedNode, obj: Term, limit: int) -> list[Subject]:
        """Up to `limit` subjects with `predicate obj`, in index order."""
        key = (predicate, obj, limit)
        known = self.memo.lists.get(key) if self.memo is not None else None
        if known is None:
            known = self._subjects(predicate, obj, limit)
            if self.memo is not None:
                self.memo.lists.put(key, known)
        found, rows = known
        if rows is not None:
            self._whole[(predicate, obj)] = (rows, len(found))
        return list(found)

    def _subjects(self, predicate: ox.NamedNode, obj: Term, limit: int) -> Found:
        found: dict[Subject, None] = {}
        rows = 0
        for quad in self._quads(None, predicate, obj):
            rows += 1
            found.setdefault(quad.subject)
            if len(found) >= limit:
                return tuple(found), None
        return tuple(found), rows

    def count(self, predicate: ox.NamedNode, obj: Term, cap: int) -> int:
        """How many subjects have `predicate obj`, counted up to `cap` (the page says "cap+"). Counted
        by Oxigraph itself, on the same index range `subjects` reads: no Python object per match;
        not at all when `subjects` already read every one of them."""
        whole = self._whole.get((predicate, obj))
        if whole is not None and whole[0] <= cap:
            return whole[1]
        key = (predicate, obj, cap)
        known = self.memo.counts.get(key) if self.memo is not None else None
        if known is not None:
            return known
        self._asked.append((None, predicate, obj))
        query = (f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {{ SELECT ?s WHERE {{ ?s {predicate} {obj} }} "
                 f"LIMIT {int(cap)} }} }}")
        solutions = self.store.query(query, use_default_graph_as_union=self.graph is None)
        assert isinstance(solutions, ox.QuerySolutions)
        count = next(iter(solutions))["n"]
        found = int(count.value) if isinstance(count, ox.Literal) else 0
        if self.memo is not None:
            self.memo.counts.put(key, found)
        return found

    def has(self, subject: Subject, predicate: ox.NamedNode, obj: Term) -> bool:
        known = self._facts.get(subject)
        if known is not None and known[1]:
            return any(q.predicate == predicate and q.object == obj for q in known[0])
        return next(self._quads(subject, predicate, obj), None) is not None

    def graphs(self, subject: Subject, limit: int = 100) -> list[str]:
        """The named graphs that say something about `subject` (the records it comes from)."""
        if subject in self._graphs:
            return self._graphs[subject][:limit]
        self._asked.append((subject, None, None))
        found: dict[str, None] = {}
        for quad in self.store.quads_for_pattern(subject, None, None, None):
            if isinstance(quad.graph_name, ox.NamedNode):
                found.setdefault(quad.graph_name.value)
                if len(found) >= limit:
                    break
        return list(found)

    def in_graph(self, subject: Subject, graph: str, limit: int = 500) -> list[ox.Quad]:
        """The subject's facts in one named graph (a record's provenance, in the system graph)."""
        self._asked.append((subject, None, None))
        return list(islice(self.store.quads_for_pattern(subject, None, None, ox.NamedNode(graph)), limit))

    def describe(self, subject: ox.NamedNode, system_graph: str) -> list[ox.Triple]:
        """What the records say about `subject`: its triples in every named graph but the system
        graph, with the blank nodes they point at, each triple once. (The SPARQL form of it,
        `GRAPH ?g { <s> ?p ?o }`, visits every named graph: one per record.) The same range gives
        the subject's facts (`objects`) and its graphs (`graphs`): the page needs no second read."""
        self._asked.append((subject, None, None))
        found: dict[ox.Triple, None] = {}
        graphs: dict[str, None] = {}
        facts: list[ox.Quad] = []
        for quad in self.store.quads_for_pattern(subject, None, None, None):
            graph = quad.graph_name
            if self.graph is None or not isinstance(graph, ox.NamedNode):
                facts.append(quad)  # those `objects` reads: the merged default graph's, or every graph's
            if not isinstance(graph, ox.NamedNode):
                continue
            graphs.setdefault(graph.value)
            if graph.value == system_graph:
                continue
            found.setdefault(quad.triple)
            if isinstance(quad.object, ox.BlankNode):
                self._asked.append((quad.object, None, None))
                for inner in self.store.quads_for_pattern(quad.object, None, None, graph):
                    found.setdefault(inner.triple)
        self._graphs[subject] = list(graphs)
        self._facts[subject] = _facts(iter(facts))
        return list(found)


def _facts(quads: Iterator[ox.Quad]) -> tuple[list[ox.Quad], bool]:
    """Each triple of `quads` once, in their order, and whether that was all of them (at most FACTS
    are kept)."""
    seen: dict[tuple[ox.NamedNode, Term], ox.Quad] = {}
    for quad in quads:
        seen.setdefault((quad.predicate, quad.object), quad)
        if len(seen) > FACTS:
            return list(seen.values()), False
    return list(seen.values()), True

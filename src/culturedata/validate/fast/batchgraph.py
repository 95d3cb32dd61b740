"""A batch's data graph as Python indexes of pyoxigraph terms, built in one pass over the records.

The graph is the one `PyshaclValidator` checks: the batch's triples plus, for every IRI a
triple cites as its object, that IRI's triples in the vocabularies. Loading those into a
pyoxigraph store costs more than checking them (each `Quad` copies its terms into Rust), and
the set evaluator needs only two lookups: the objects of (subject, predicate), and the
subjects of (predicate, object). So the batch is indexed by predicate, here, once.

`BatchView` shows the same graph to pySHACL's constraint components as an rdflib store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph

from culturedata.records import MappedRecord
from culturedata.validate.fast.oxgraph import OxTriples, TermView
from culturedata.validate.fast.terms import OxSubject, OxTerm, TermCache

if TYPE_CHECKING:
    from rdflib.graph import _ContextType

Index = dict[OxTerm, list[OxTerm]]


class Vocabulary:
    """The vocabularies' triples by subject, read once: batches look up the concepts they cite."""

    def __init__(self, store: ox.Store) -> None:
        self.by_subject: dict[OxTerm, list[tuple[ox.NamedNode, OxTerm]]] = {}
        for quad in store.quads_for_pattern(None, None, None):
            self.by_subject.setdefault(quad.subject, []).append((quad.predicate, quad.object))


class BatchGraph:
    """The batch's triples and the vocabulary triples of the IRIs it cites, by predicate."""

    def __init__(self, records: Sequence[MappedRecord], vocabulary: Vocabulary) -> None:
        by_predicate: dict[ox.NamedNode, Index] = {}
        owners: dict[OxTerm, MappedRecord] = {}
        first: dict[OxTerm, int] = {}  # the position of each subject's owner
        shared: dict[OxTerm, dict[int, None]] = {}  # subjects several records describe: their positions
        cited: set[OxTerm] = set()
        named = ox.NamedNode
        vocab = vocabulary.by_subject
        for position, record in enumerate(records):
            for t in record.triples:
                s, p, o = t.subject, t.predicate, t.object
                index = by_predicate.get(p)
                if index is None:
                    index = by_predicate[p] = {}
                objects = index.get(s)
                if objects is None:
                    index[s] = [o]
                    # A subject's first triple is always a new (predicate, subject) pair: checked here only.
                    owner = first.get(s)
                    if owner is None:
                        owners[s], first[s] = record, position
                    elif owner != position:
                        _note(shared, s, owner, position)
                else:
                    objects.append(o)
                    # Another record with the same (subject, predicate): the subject is shared.
                    if (owner := first[s]) != position:
                        _note(shared, s, owner, position)
                if type(o) is named and o in vocab:
                    cited.add(o)
        for iri in cited:
            for p, o in vocab[iri]:
                index = by_predicate.get(p)
                if index is None:
                    index = by_predicate[p] = {}
                index.setdefault(iri, []).append(o)
        # A triple two records share (or a record and the vocabularies) is one triple of the graph.
        for index in by_predicate.values():
            for subject, objects in index.items():
                if len(objects) > 1:
                    index[subject] = list(dict.fromkeys(objects))
        self.by_predicate = by_predicate
        self.owners = owners  # which record each subject belongs to (the first that has it), as owners_of
        # The IRIs several records describe, with the positions of those records (validate/shared.py).
        self.shared = {s.value: tuple(at) for s, at in shared.items() if type(s) is named}
        # A blank node label two records both use names two nodes (validate/blanknodes.py): the
        # validator then checks the batch again with the labels apart. Found here for free.
        self.blank_shared = len(self.shared) != len(shared) and any(type(s) is ox.BlankNode for s in shared)
        self._inverse: dict[ox.NamedNode, Index] = {}
        self._by_subject: dict[OxTerm, list[tuple[ox.NamedNode, OxTerm]]] = {}
        self._len: int | None = None

    def objects(self, predicate: ox.NamedNode) -> Index:
        """subject -> its objects through `predicate`."""
        return self.by_predicate.get(predicate, {})

    def subjects(self, predicate: ox.NamedNode) -> Index:
        """object -> the subjects that point to it through `predicate`."""
        found = self._inverse.get(predicate)
        if found is None:
            found = {}
            for s, objects in self.by_predicate.get(predicate, {}).items():
                for o in objects:
                    found.setdefault(o, []).append(s)
            self._inverse[predicate] = found
        return found

    def pairs(self, subject: OxTerm) -> list[tuple[ox.NamedNode, OxTerm]]:
        """The (predicate, object) pairs of one subject (sh:closed reads every predicate); remembered."""
        found = self._by_subject.get(subject)
        if found is None:
            found = [
                (predicate, o)
                for predicate, index in self.by_predicate.items() if subject in index
                for o in index[subject]
            ]
            self._by_subject[subject] = found
        return found

    def triples(
        self, s: OxTerm | None, p: ox.NamedNode | None, o: OxTerm | None
    ) -> Iterator[tuple[OxTerm, ox.NamedNode, OxTerm]]:
        if p is None and s is not None:
            for predicate, obj in self.pairs(s):
                if o is None or obj == o:
                    yield s, predicate, obj
            return
        predicates: Iterable[ox.NamedNode] = self.by_predicate if p is None else (p,)
        for predicate in predicates:
            index = self.by_predicate.get(predicate)
            if not index:
                continue
            if s is not None:
                objects = index.get(s)
                if objects is None:
                    continue
                if o is None:
                    for obj in objects:
                        yield s, predicate, obj
                elif o in objects:
                    yield s, predicate, o
            elif o is not None:
                for subject in self.subjects(predicate).get(o, ()):
                    yield subject, predicate, o
            else:
                for subject, objects in index.items():
                    for obj in objects:
                        yield subject, predicate, obj

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(len(objects) for index in self.by_predicate.values() for objects in index.values())
        return self._len

    def quads(self) -> Iterator[ox.Quad]:
        for s, p, o in self.triples(None, None, None):
            if not isinstance(s, ox.Literal):  # never one: subjects come from triples' subjects
                yield ox.Quad(s, p, o)


def _note(shared: dict[OxTerm, dict[int, None]], subject: OxTerm, owner: int, position: int) -> None:
    """`subject`, first described by the record at `owner`, is described by the one at `position` too."""
    at = shared.get(subject)
    if at is None:
        shared[subject] = {owner: None, position: None}
    else:
        at[position] = None


class BatchView(TermView):
    """rdflib store over a `BatchGraph`, for pySHACL's checks and messages (read-only)."""

    def __init__(self, graph: BatchGraph, terms: TermCache) -> None:
        super().__init__(terms)
        self.batch = graph

    def matches(self, subject: OxSubject | None, predicate: ox.NamedNode | None, obj: OxTerm | None) -> OxTriples:
        return self.batch.triples(subject, predicate, obj)

    def __len__(self, context: _ContextType | None = None) -> int:
        return len(self.batch)


def batch_view(graph: BatchGraph, terms: TermCache) -> Graph:
    return Graph(store=BatchView(graph, terms))

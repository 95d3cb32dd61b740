"""The default graph of a snapshot: the RDF merge of its named graphs, written beside them.

A query without a dataset (no FROM, no `default-graph-uri`) is evaluated against the default
graph, which the SPARQL service description calls the union of the named graphs. pyoxigraph
0.5's `use_default_graph_as_union` gives a triple once *per graph that holds it* (oxigraph
issue #1919; not fixed in any 0.5 release), so a place two records share was counted twice.
So each snapshot stores its default graph as a set: every triple of every named graph, once.

The writer keeps it in step (`EmbeddedTarget`): a triple written to a named graph is written
to the default graph too, in the same document (spool.py; a set: writing it again changes
nothing), and a triple removed from a named graph leaves the default graph only when no named
graph holds it any more. A marker in the system graph (`<system> run:defaultGraph
run:RdfMerge`) says the default graph is the merge; a snapshot without it (published by an
older version, or loaded by `culturedata load` / `restore`) is merged once, when the next
write begins, and meanwhile read with the union option (`is_merged`).

It costs a second copy of every distinct triple (the store grows by about 40 %; `make bench`,
store) and the writes of it; the record graphs, `GRAPH ?g` queries and provenance are as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from culturedata.store.loader import RUN

MARK_PREDICATE = ox.NamedNode(RUN + "defaultGraph")
MARK_OBJECT = ox.NamedNode(RUN + "RdfMerge")
_DEFAULT = ox.DefaultGraph()
_CHUNK = 100_000  # triples copied per bulk write when a whole store is merged


def is_merged(store: ox.Store) -> bool:
    """Whether the store's default graph is the merge of its named graphs (one index lookup)."""
    return next(iter(store.quads_for_pattern(None, MARK_PREDICATE, MARK_OBJECT, None)), None) is not None


def merge(store: ox.Store, system_graph: str) -> None:
    """Write every named graph's triples into the default graph, then the marker. Idempotent: a
    store already merged only costs the time of copying again."""
    chunk: list[ox.Quad] = []
    for quad in _named_quads(store):
        chunk.append(ox.Quad(quad.subject, quad.predicate, quad.object))
        if len(chunk) >= _CHUNK:
            store.bulk_extend(chunk)
            chunk = []
    store.bulk_extend(chunk)
    system = ox.NamedNode(system_graph)
    store.extend([ox.Quad(system, MARK_PREDICATE, MARK_OBJECT, system), ox.Quad(system, MARK_PREDICATE, MARK_OBJECT)])


def ensure_merged(store: ox.Store, system_graph: str) -> None:
    if not is_merged(store):
        merge(store, system_graph)


def unmerge(store: ox.Store) -> None:
    """Go back to a default graph of its own (a writable server's store, whose updates do not keep
    the merge): drop from it the triples a named graph holds, and the marker."""
    for quad in list(store.quads_for_pattern(None, MARK_PREDICATE, MARK_OBJECT, None)):
        store.remove(quad)
    for quad in list(store.quads_for_pattern(None, None, None, _DEFAULT)):
        if _held_by_a_named_graph(store, quad):
            store.remove(quad)


def drop_orphans(store: ox.Store, removed: Iterable[ox.Quad]) -> None:
    """Take out of the default graph the triples of `removed` (quads just removed from named
    graphs) that no named graph holds any more."""
    for quad in removed:
        if not _held_by_a_named_graph(store, quad):
            store.remove(ox.Quad(quad.subject, quad.predicate, quad.object))


def _held_by_a_named_graph(store: ox.Store, quad: ox.Quad) -> bool:
    return any(not isinstance(q.graph_name, ox.DefaultGraph)
               for q in store.quads_for_pattern(quad.subject, quad.predicate, quad.object, None))


def _named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    for graph in list(store.named_graphs()):
        yield from list(store.quads_for_pattern(None, None, None, graph))  # read before the writes

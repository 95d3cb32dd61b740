"""Where a run writes: the staged embedded snapshot, or (see `remote.py`) a SPARQL store.

Both answer the same few questions (what does the system graph say about each record and
source) and take the same `Batch`es, so the pipeline does not know which one it feeds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

import pyoxigraph as ox

from culturedata.errors import StoreError
from culturedata.store.loader import DCTERMS, RUN, Batch, RecordState, iri


class Target(Protocol):
    system_graph: str

    def records(self) -> dict[str, RecordState]: ...

    def subject_facts(self, subject: str) -> dict[str, str]: ...

    def apply(self, batch: Batch) -> None: ...

    def revert(self, graphs: Iterable[str]) -> bool: ...


class EmbeddedTarget:
    """The staging copy of the snapshot. One writer at a time: sources run in parallel
    threads, so every write goes through `lock`."""

    def __init__(self, store: ox.Store, system_graph: str, previous: ox.Store | None = None) -> None:
        self.store = store
        self.system_graph = system_graph
        self.previous = previous
        self.lock = threading.Lock()

    def records(self) -> dict[str, RecordState]:
        return read_records(self.store, self.system_graph)

    def subject_facts(self, subject: str) -> dict[str, str]:
        quads = self.store.quads_for_pattern(iri(subject), None, None, iri(self.system_graph))
        return {q.predicate.value: q.object.value for q in quads}

    def apply(self, batch: Batch) -> None:
        try:
            with self.lock:
                self._drop(self.store, batch)
                if len(batch.quads) > 20_000:
                    self.store.bulk_extend(batch.quads)
                else:
                    self.store.extend(batch.quads)
        except OSError as exc:
            raise StoreError("store.write_failed", detail=exc) from exc

    def revert(self, graphs: Iterable[str]) -> bool:
        """Put back yesterday's version of `graphs` (data and system facts), from the
        published snapshot this staging was copied from."""
        graphs = list(graphs)
        batch = Batch(drop=graphs, forget=graphs)
        if self.previous is not None:
            system = iri(self.system_graph)
            for graph in graphs:
                node = iri(graph)
                batch.quads.extend(self.previous.quads_for_pattern(None, None, None, node))
                batch.quads.extend(self.previous.quads_for_pattern(node, None, None, system))
        self.apply(batch)
        return True

    def _drop(self, store: ox.Store, batch: Batch) -> None:
        for graph in batch.drop:
            node = iri(graph)
            if store.contains_named_graph(node):
                store.remove_graph(node)
        system = iri(self.system_graph)
        for subject in batch.forget:
            for quad in list(store.quads_for_pattern(iri(subject), None, None, system)):
                store.remove(quad)


def read_records(store: ox.Store, system_graph: str) -> dict[str, RecordState]:
    """Every record graph the system graph knows, with its key, source, hash and status."""
    system = iri(system_graph)
    columns: dict[str, dict[str, str]] = {}
    for name, predicate in (
        ("key", DCTERMS + "identifier"), ("source", RUN + "source"),
        ("hash", RUN + "contentHash"), ("status", RUN + "status"),
    ):
        columns[name] = {q.subject.value: q.object.value for q in store.quads_for_pattern(None, iri(predicate), None, system)}
    return {
        graph: RecordState(
            graph, key, columns["source"].get(graph, key.split(":", 1)[0]), columns["hash"].get(graph),
            columns["status"].get(graph, RUN + "Published").removeprefix(RUN),
        )
        for graph, key in columns["key"].items()
    }

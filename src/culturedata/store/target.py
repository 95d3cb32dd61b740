"""Where a run writes: the staged embedded snapshot, or (see `remote.py`) a SPARQL store.

Both answer the same few questions (what does the system graph say about each record and
source) and take the same `Batch`es, so the pipeline does not know which one it feeds.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from culturedata.errors import StoreError
from culturedata.store import merged
from culturedata.store.loader import RUN, Batch, RecordState, iri, parse_state
from culturedata.store.spool import BULK_LINES, Spool


class Target(Protocol):
    system_graph: str

    def records(self) -> dict[str, RecordState]: ...

    def subject_facts(self, subject: str) -> dict[str, str]: ...

    def select(self, query: str) -> list[dict[str, str]]: ...

    def apply(self, batch: Batch) -> None: ...

    def revert(self, graphs: Iterable[str]) -> bool: ...


# How many lines the spool holds back at most. `bulk_load`'s memory grows with what it is given
# (about 0.85 GB of peak RSS for a million quads, 2.2 GB for 13 million: docs/benchmarks.md,
# "linear"): loading every few million lines keeps a first run's memory bounded, at the price of
# files that overlap the earlier loads' and that RocksDB merges.
HELD_LINES = 1_000_000  # 100k records: peak RSS 972 MiB, 53 KB written a record (docs/benchmarks.md)


class EmbeddedTarget:
    """The staging copy of the snapshot. One writer at a time: sources run in parallel
    threads, so every write goes through `lock`.

    Each batch's additions are loaded as two documents (spool.py). With `defer`, they wait in a
    spool (compressed temporary files in `spool_folder`) until the store is read (through this
    target, `store` included), something is removed or it holds `HELD_LINES`: then all of it is
    loaded at once, so that a first load into an empty store is few `bulk_load`s per document. The order stays
    that of the batches: one that removes anything first has what is held loaded, then
    removes, then adds its own."""

    def __init__(self, store: ox.Store, system_graph: str, previous: ox.Store | None = None, *,
                 defer: bool = False, spool_folder: Path | None = None) -> None:
        self._store = store
        self.system_graph = system_graph
        self.previous = previous
        self.lock = threading.Lock()
        self.defer = defer
        self._spool = Spool(on_disk=defer, folder=spool_folder)
        # Began empty (a first run, a rebuild): its bulk loads' files need no merging (`needs_optimising`).
        self.fresh = next(iter(store.quads_for_pattern(None, None, None, None)), None) is None
        self._bulk_loaded = False
        # The default graph is the merge of the named graphs (merged.py): made so once, then kept.
        merged.ensure_merged(store, system_graph)

    @property
    def needs_optimising(self) -> bool:
        """Whether compacting the store before publishing it can pay. Not for one that began
        empty: its records came in by bulk loads, LZ4-compressed files of their own that
        nothing has to merge, and compacting would write them all again, uncompressed (twice
        the size; spool.py)."""
        return not self.fresh

    @property
    def store(self) -> ox.Store:
        """The store, with every batch applied so far loaded into it."""
        self.settle()
        return self._store

    def settle(self) -> None:
        """Load what the spool holds."""
        try:
            with self.lock:
                self._load_spool()
        except OSError as exc:
            raise StoreError("store.write_failed", detail=exc) from exc

    def _load_spool(self) -> None:
        if self.fresh and not self._bulk_loaded and len(self._spool) > BULK_LINES:
            # The little written so far (the marker, vocabularies) goes to the bottom level first:
            # left in memory or level 0, it overlaps every file of the bulk load, which RocksDB
            # must then put at level 0 too and merge, uncompressed (spool.py).
            self._store.optimize()
            self._bulk_loaded = True
        self._spool.load_into(self._store)

    def records(self) -> dict[str, RecordState]:
        return read_records(self.store, self.system_graph)

    def close(self, settle: bool = True) -> None:
        """Let go of both stores: RocksDB must be closed before the staging folder moves. A run
        thrown away (`settle` False) does not load what was held back."""
        if settle:
            self.settle()
        self._spool.discard()
        self._store = None  # type: ignore[assignment]
        self.previous = None

    def subject_facts(self, subject: str) -> dict[str, str]:
        quads = self.store.quads_for_pattern(iri(subject), None, None, iri(self.system_graph))
        return facts_by_predicate((q.predicate, q.object) for q in quads)

    def select(self, query: str) -> list[dict[str, str]]:
        """A SELECT's rows, each variable's value as text (unbound variables left out)."""
        solutions = self.store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [variable.value for variable in solutions.variables]
        return [{name: term.value for name in names if (term := row[name]) is not None} for row in solutions]

    def apply(self, batch: Batch) -> None:
        try:
            with self.lock:
                removes = bool(batch.drop or batch.forget or batch.retract)
                if removes:
                    self._load_spool()  # what came before goes in before anything leaves
                removed = self._drop(self._store, batch) if removes else []
                self._spool.add(batch)
                if removes or not self.defer or len(self._spool) > HELD_LINES:
                    self._load_spool()
                merged.drop_orphans(self._store, removed)  # once the batch's own additions are in
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

    def _drop(self, store: ox.Store, batch: Batch) -> list[ox.Quad]:
        """Empty the batch's graphs and forget its system facts; the quads removed."""
        removed: list[ox.Quad] = []
        for graph in batch.drop:
            node = iri(graph)
            if store.contains_named_graph(node):
                removed.extend(store.quads_for_pattern(None, None, None, node))
                store.remove_graph(node)
        system = iri(self.system_graph)
        for subject in batch.forget:
            for quad in list(store.quads_for_pattern(iri(subject), None, None, system)):
                removed.append(quad)
                store.remove(quad)
        for subject, predicate in batch.retract:
            for quad in list(store.quads_for_pattern(iri(subject), iri(predicate), None, system)):
                removed.append(quad)
                store.remove(quad)
        return removed


RECORDS_QUERY = f"SELECT ?g ?state WHERE {{ GRAPH <{{system}}> {{ ?g <{RUN}state> ?state }} }}"
_ESCAPE = re.compile(r"\\(U[0-9A-Fa-f]{8}|u[0-9A-Fa-f]{4}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}


def facts_by_predicate(pairs: Iterable[tuple[ox.NamedNode, object]]) -> dict[str, str]:
    """One value per predicate; of texts given in several languages, the English one (the
    JSON report is in English; the RDF keeps both)."""
    facts: dict[str, str] = {}
    for predicate, value in pairs:
        if predicate.value not in facts or getattr(value, "language", None) == "en":
            facts[predicate.value] = value.value  # type: ignore[attr-defined]
    return facts


def read_records(store: ox.Store, system_graph: str) -> dict[str, RecordState]:
    """Every record graph the system graph knows, with its key, source, hash and status.

    One pattern (`run:state`, see `loader.state_literal`), read as TSV bytes made by
    pyoxigraph rather than as Python term objects: at 100,000 records that is about a
    second instead of several."""
    solutions = store.query(RECORDS_QUERY.replace("{system}", system_graph))
    assert isinstance(solutions, ox.QuerySolutions)
    tsv = solutions.serialize(format=ox.QueryResultsFormat.TSV)
    assert tsv is not None  # no output file given: pyoxigraph returns the bytes
    lines = tsv.decode("utf-8").split("\n")[1:]
    records = {}
    for line in lines:
        if line:
            graph, state = line.split("\t")
            records[_value(graph)] = parse_state(_value(graph), _value(state))
    return records


def _value(cell: str) -> str:
    """An IRI or a plain literal as TSV writes it (N-Triples syntax)."""
    if cell.startswith("<"):
        return cell[1:-1]
    if cell.startswith('"'):
        text = cell[1:cell.rindex('"')]
        return _ESCAPE.sub(_unescape, text) if "\\" in text else text
    return cell


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) > 1:
        return chr(int(code[1:], 16))
    return _SIMPLE.get(code, code)

"""Where a run writes: the staged embedded snapshot, or (see `remote.py`) a SPARQL store.

Both answer the same few questions (what does the system graph say about each record and
source) and take the same `Batch`es, so the pipeline does not know which one it feeds.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Protocol

import pyoxigraph as ox

from culturedata.errors import StoreError
from culturedata.store import merged
from culturedata.store.loader import RUN, Batch, RecordState, iri, parse_state


class Target(Protocol):
    system_graph: str

    def records(self) -> dict[str, RecordState]: ...

    def subject_facts(self, subject: str) -> dict[str, str]: ...

    def select(self, query: str) -> list[dict[str, str]]: ...

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
        # The default graph is the merge of the named graphs (merged.py): made so once, then kept.
        merged.ensure_merged(store, system_graph)

    def records(self) -> dict[str, RecordState]:
        return read_records(self.store, self.system_graph)

    def close(self) -> None:
        """Let go of both stores: RocksDB must be closed before the staging folder moves."""
        self.store = None  # type: ignore[assignment]
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
                removed = self._drop(self.store, batch)
                big = len(batch.quads) + batch.lines > 20_000
                if big:
                    self.store.bulk_extend(batch.quads)
                else:
                    self.store.extend(batch.quads)
                if batch.text:
                    load = self.store.bulk_load if big else self.store.load
                    load(input="".join(batch.text), format=ox.RdfFormat.N_QUADS)
                merged.add_copies(self.store, batch.quads, "".join(batch.triples), bulk=big)
                merged.copy_graphs(self.store, batch.blank)
                merged.drop_orphans(self.store, removed)
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

"""Writing mapped records into a store: each record replaces exactly its own named graph."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from culturedata.records import MappedRecord

PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
# The pipeline's own bookkeeping terms (content hash, status), kept out of the profile.
RUN = "https://w3id.org/culturedata/ns/run#"


@dataclass
class Loader:
    """Loads records into `store`; `system_graph` holds what the pipeline knows of each record."""

    store: ox.Store
    system_graph: str
    licence: str | None = None
    loaded: int = 0
    removed: int = 0

    def add(self, record: MappedRecord) -> None:
        graph = ox.NamedNode(record.graph)
        if self.store.contains_named_graph(graph):
            self.store.remove_graph(graph)
        if record.deleted or not record.triples:
            self.removed += 1
            self._forget(graph)
            return
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in record.triples)
        self._describe(graph, record)
        self.loaded += 1

    def remove(self, graph_iri: str) -> None:
        graph = ox.NamedNode(graph_iri)
        if self.store.contains_named_graph(graph):
            self.store.remove_graph(graph)
            self.removed += 1
        self._forget(graph)

    def _forget(self, graph: ox.NamedNode) -> None:
        system = ox.NamedNode(self.system_graph)
        for quad in list(self.store.quads_for_pattern(graph, None, None, system)):
            self.store.remove(quad)

    def _describe(self, graph: ox.NamedNode, record: MappedRecord) -> None:
        """Provenance of one record graph, kept in the system graph so queries over the
        union of record graphs see only the data itself."""
        self._forget(graph)
        system = ox.NamedNode(self.system_graph)
        now = ox.Literal(datetime.now(UTC).isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
        facts = [
            (ox.NamedNode(PROV + "generatedAtTime"), now),
            (ox.NamedNode(DCTERMS + "identifier"), ox.Literal(record.key)),
            (ox.NamedNode(RUN + "contentHash"), ox.Literal(record.content_hash)),
        ]
        if record.origin:
            facts.append((ox.NamedNode(PROV + "wasDerivedFrom"), ox.Literal(record.origin)))
        if self.licence:
            facts.append((ox.NamedNode(DCTERMS + "license"), ox.NamedNode(self.licence)))
        self.store.extend(ox.Quad(graph, p, o, system) for p, o in facts)

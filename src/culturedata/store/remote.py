"""A remote triple store as the run's target: SPARQL 1.1 Update to write, SPARQL 1.1 Query to
read the system graph, and the Graph Store HTTP Protocol to fetch whole graphs.

Credentials come from the environment only (CULTUREDATA_STORE_USER / _PASSWORD), never from
culturedata.toml. A remote store has no snapshots: each source's changes are written as the
run goes, and deletions are withheld when a source fails or trips the drop guard.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from culturedata.errors import StoreError
from culturedata.store.loader import RUN, Batch, RecordState, parse_state
from culturedata.store.target import facts_by_predicate

SELECT_RECORDS = f"SELECT ?g ?state WHERE {{ GRAPH <{{system}}> {{ ?g <{RUN}state> ?state }} }}"


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    graph_store: str | None = None
    graph_param: str = "graph"
    auth: str = "basic"  # or "digest" (Virtuoso)

    @classmethod
    def guess(cls, url: str, update: str = "", graph_store: str = "", auth: str = "basic") -> Endpoints:
        """Oxigraph's /query, /update, /store if the URL ends with /query; else one URL for all."""
        if url.rstrip("/").endswith("/query"):
            root = url.rstrip("/").removesuffix("/query")
            return cls(url, update or root + "/update", graph_store or root + "/store", "graph", auth)
        param = "graph-uri" if "graph-crud" in graph_store else "graph"
        return cls(url, update or url, graph_store or None, param, auth)


class RemoteTarget:
    def __init__(self, endpoints: Endpoints, system_graph: str, timeout: float = 120.0, chunk: int = 500) -> None:
        self.endpoints = endpoints
        self.chunk = chunk
        self.system_graph = system_graph
        self.timeout = timeout
        self.lock = threading.Lock()
        self.session = requests.Session()
        retries = Retry(total=3, backoff_factor=0.5, status_forcelist=(502, 503, 504), allowed_methods=None)
        self.session.mount("http://", HTTPAdapter(max_retries=retries))
        self.session.mount("https://", HTTPAdapter(max_retries=retries))
        user, password = os.environ.get("CULTUREDATA_STORE_USER"), os.environ.get("CULTUREDATA_STORE_PASSWORD")
        if user is not None:
            auth_class = requests.auth.HTTPDigestAuth if endpoints.auth == "digest" else requests.auth.HTTPBasicAuth
            self.session.auth = auth_class(user, password or "")

    def records(self) -> dict[str, RecordState]:
        rows = self.select(SELECT_RECORDS.replace("{system}", self.system_graph))
        return {row["g"]: parse_state(row["g"], row["state"]) for row in rows}

    def subject_facts(self, subject: str) -> dict[str, str]:
        rows = self.select_terms(f"SELECT ?p ?o WHERE {{ GRAPH <{self.system_graph}> {{ <{subject}> ?p ?o }} }}")
        return facts_by_predicate((row["p"], row["o"]) for row in rows)  # type: ignore[misc]

    def apply(self, batch: Batch) -> None:
        if not len(batch):
            return
        operations = [f"DROP SILENT GRAPH <{g}>" for g in batch.drop]
        operations += [
            f"DELETE WHERE {{ GRAPH <{self.system_graph}> {{ <{s}> ?p ?o }} }}" for s in batch.forget
        ]
        operations += [
            f"DELETE WHERE {{ GRAPH <{self.system_graph}> {{ <{s}> <{p}> ?o }} }}" for s, p in batch.retract
        ]
        # Small requests: Virtuoso compiles each update to SQL and refuses very long ones.
        with self.lock:
            for start in range(0, len(operations), self.chunk // 10):
                self._post_update(" ;\n".join(operations[start:start + self.chunk // 10]))
            quads = [*batch.quads, *batch.text_quads()]
            for start in range(0, len(quads), self.chunk):
                blocks = _graph_blocks(quads[start:start + self.chunk])
                self._post_update("INSERT DATA { " + " ".join(blocks) + " }")

    def revert(self, graphs: Iterable[str]) -> bool:
        return False  # no older copy to go back to: the caller withholds deletions instead

    def select(self, query: str) -> list[dict[str, str]]:
        return [{name: term.value for name, term in row.items()} for row in self.select_terms(query)]

    def select_terms(self, query: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        response = self._request(
            "POST", self.endpoints.query, data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        bindings = response.json()["results"]["bindings"]
        return [{name: _term(cell) for name, cell in row.items()} for row in bindings]

    def graph(self, graph: str) -> list[ox.Triple]:
        """One graph through the Graph Store Protocol, as N-Triples."""
        if not self.endpoints.graph_store:
            rows = self.select_terms(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]
        response = self._request(
            "GET", self.endpoints.graph_store, params={self.endpoints.graph_param: graph},
            headers={"Accept": "application/n-triples"}, missing_ok=True,
        )
        if response.status_code == 404:  # the protocol's answer for a graph that is not there
            return []
        return list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))

    def _post_update(self, update: str) -> None:
        self._request(
            "POST", self.endpoints.update, data=update.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    def _request(self, method: str, url: str, missing_ok: bool = False, **kwargs: object) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)  # type: ignore[arg-type]
        except requests.RequestException as exc:
            raise StoreError("store.remote_unreachable", url=url, detail=exc) from exc
        if response.status_code >= 400 and not (missing_ok and response.status_code == 404):
            raise StoreError("store.remote_refused", url=url, status=response.status_code, detail=response.text[:300])
        return response


def _graph_blocks(quads: list[ox.Quad]) -> list[str]:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return [f"GRAPH {graph} {{ {' '.join(lines)} }}" for graph, lines in by_graph.items()]


def _term(cell: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A SPARQL JSON results cell as a pyoxigraph term."""
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in cell:
        return ox.Literal(value, language=cell["xml:lang"])
    return ox.Literal(value, datatype=ox.NamedNode(cell["datatype"]) if "datatype" in cell else None)

"""One query evaluated on one store under a budget, as a plain record in and a plain record out.

The same function answers on the event loop (inline.py), in a query worker process
(workers.py) and, for a writable server, on a query thread: so `Job` and `Outcome` hold only
strings, numbers and bytes, which cross a process boundary as they are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox

from culturedata.server.dataset import has_dataset_clause
from culturedata.server.limits import BudgetedBuffer, BudgetExceeded
from culturedata.server.negotiation import choose
from culturedata.store import is_merged

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
Results = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@dataclass(frozen=True, slots=True)
class Job:
    """A query as the protocol delivered it: its text, dataset, negotiation and base IRI."""

    text: str
    base: str
    accept: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an evaluation came to. `reason`: "ok" (then `media` and `body`), "not_acceptable",
    "timeout", "size", "malformed", "bad_request" or "failed" (then `detail`); the worker pool
    adds "crashed" and "busy". `seconds`: the CPU time the evaluation took, which a busy machine
    (other processes taking the core) does not inflate as it does the wall clock."""

    reason: str
    media: str = ""
    body: bytes = b""
    detail: str = ""
    seconds: float = 0.0


def evaluate_job(store: ox.Store, job: Job, budget: BudgetedBuffer, merged: bool | None = None) -> Outcome:
    """The job's serialised answer, or why there is none; never raises for what a query can do.
    `merged`: whether the store's default graph is the merge of its named graphs, when the
    caller knows it (reader.py, once per snapshot); None asks the store."""
    # pyoxigraph evaluates on the calling thread; an inline budget has just read that clock.
    started = budget.cpu_started if budget.cpu_started is not None else time.thread_time()
    try:
        media, body = answer(store, job, budget, merged)
    except BudgetExceeded as exc:
        return Outcome(exc.reason, seconds=time.thread_time() - started)
    except SyntaxError as exc:
        return Outcome("malformed", detail=str(exc))
    except ValueError as exc:
        return Outcome("bad_request", detail=str(exc))
    except OSError as exc:
        return Outcome("failed", detail=str(exc))
    seconds = time.thread_time() - started
    if media is None:
        return Outcome("not_acceptable", seconds=seconds)
    return Outcome("ok", media, body, seconds=seconds)


def answer(store: ox.Store, job: Job, budget: BudgetedBuffer, merged: bool | None = None) -> tuple[str | None, bytes]:
    results: Results | None = None
    try:
        results = execute(store, job, merged)
        budget.check()
        media = choose(job.accept, list(GRAPH_FORMATS if isinstance(results, ox.QueryTriples) else RESULT_FORMATS))
        if media is None:
            return None, b""
        if isinstance(results, ox.QueryTriples):
            results.serialize(budget, GRAPH_FORMATS[media])
        else:
            results.serialize(budget, RESULT_FORMATS[media])
        return media, budget.getvalue()
    finally:
        # pyoxigraph's results must be dropped on the thread that made them; an exception's
        # traceback would otherwise carry them to the event loop. Dropping them here also
        # frees the evaluation at once when the budget stopped it.
        results = None


def execute(store: ox.Store, job: Job, merged: bool | None = None) -> Results:
    """The default graph is the merge of the named graphs unless the request or the query names
    one: stored as such in the snapshot (store/merged.py), or else asked of pyoxigraph."""
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.NamedNode(iri) for iri in job.default_graphs]
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri) for iri in job.named_graphs]
    if default or named:
        # The protocol's dataset replaces the query's; naming only one half leaves the other empty.
        return store.query(job.text, base_iri=job.base, named_graphs=named,
                           default_graph=default or [ox.NamedNode("urn:culturedata:empty")])
    union = not has_dataset_clause(job.text) and not (is_merged(store) if merged is None else merged)
    return store.query(job.text, base_iri=job.base, use_default_graph_as_union=union)

"""The SPARQL 1.1 Protocol at /sparql: queries (GET, POST form, POST direct) and updates.

Results are serialised by pyoxigraph itself, so no rdflib sits in the query path. Work
runs on the app's query threads under a `Budget` (deadline and byte cap).
"""

from __future__ import annotations

import asyncio
import hmac
import math
import time
from dataclasses import dataclass, field

import pyoxigraph as ox
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from culturedata.messages import t
from culturedata.server.dataset import add_using, has_dataset_clause, has_using_clause
from culturedata.server.inline import INLINE_DEADLINE, InlinePolicy, shape_of
from culturedata.server.limits import BudgetedBuffer, BudgetExceeded
from culturedata.server.negotiation import choose, language
from culturedata.server.protocol import Operation, ProtocolError, read_operation
from culturedata.server.queryguard import QueryRefused, check_query
from culturedata.server.settings import ServerSettings

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
# ?format= for links and download buttons, where a browser cannot set Accept.
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
    "ntriples": "application/n-triples", "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
}
Results = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def problem(request: Request, status: int, code: str, **params: object) -> PlainTextResponse:
    """An error body in the client's language; English for programs that ask for none."""
    lang = language(request.headers.get("accept-language"), request.query_params.get("lang"),
                    request.cookies.get("lang"), default="en")
    headers = {"WWW-Authenticate": 'Bearer realm="culturedata"'} if status == 401 else None
    return PlainTextResponse(t(code, lang, **params) + "\n", status_code=status, headers=headers)


async def sparql_endpoint(request: Request) -> Response:
    state = request.app.state
    try:
        operation = await read_operation(request, state.settings.upload_limit)
    except ProtocolError as exc:
        return problem(request, exc.status, exc.code, **exc.params)
    if operation is None:
        from culturedata.server.describe import service_description  # describe imports this module

        return await service_description(request)
    if operation.kind == "update":
        return await run_update(request, operation)
    return await run_query(request, operation)


@dataclass(frozen=True)
class Failure:
    """A query that ended without an answer: the status and the message to send back."""

    status: int
    code: str
    params: dict[str, object] = field(default_factory=dict)


async def run_query(request: Request, operation: Operation) -> Response:
    state = request.app.state
    store = state.reader.store()
    if store is None:
        return problem(request, 503, "server.no_snapshot")
    wanted = FORMAT_NAMES.get(request.query_params.get("format", ""))
    outcome = await evaluate(state, store, operation, wanted or request.headers.get("accept"), base_of(request))
    if isinstance(outcome, Failure):
        return problem(request, outcome.status, outcome.code, **outcome.params)
    media, body = outcome
    return Response(body, media_type=media, headers={"Vary": "Accept"})


async def evaluate(
    state: State, store: ox.Store, operation: Operation, accept: str | None, base: str
) -> tuple[str, bytes] | Failure:
    """The query's serialised answer under the settings' budget: on the event loop when its
    shape has proven quick (see inline.py), otherwise on a query thread."""
    try:
        check_query(operation.text, state.settings.query_limits)  # before pyoxigraph parses it
    except QueryRefused as exc:
        return Failure(400, exc.code, exc.params)
    policy: InlinePolicy = state.inline
    shape = shape_of(operation.text)
    if policy.allows(shape):
        outcome = evaluate_inline(state.settings, policy, shape, store, operation, accept, base)
        if outcome is not None:
            return outcome
    return await evaluate_on_thread(state, policy, shape, store, operation, accept, base)


def evaluate_inline(
    settings: ServerSettings, policy: InlinePolicy, shape: str,
    store: ox.Store, operation: Operation, accept: str | None, base: str,
) -> tuple[str, bytes] | Failure | None:
    """The answer computed right here, or None when it overran the inline deadline."""
    budget = BudgetedBuffer(min(INLINE_DEADLINE, settings.query_timeout), settings.max_result_bytes)
    try:
        media, body, seconds = timed_answer(store, operation, accept, budget, base)
    except BudgetExceeded as exc:
        if exc.reason == "size":
            return Failure(503, "server.too_big", {"limit": settings.max_result_bytes})
        policy.record(shape, math.inf)
        return None
    except (SyntaxError, ValueError, OSError) as exc:
        return failure(exc)
    policy.record(shape, seconds)
    return (media, body) if media is not None else Failure(406, "server.not_acceptable")


async def evaluate_on_thread(
    state: State, policy: InlinePolicy, shape: str,
    store: ox.Store, operation: Operation, accept: str | None, base: str,
) -> tuple[str, bytes] | Failure:
    settings = state.settings
    budget = BudgetedBuffer(settings.query_timeout, settings.max_result_bytes)
    work = asyncio.get_running_loop().run_in_executor(
        state.query_threads, timed_answer, store, operation, accept, budget, base
    )
    try:
        # The grace second lets the worker's own deadline fire first and report cleanly.
        media, body, seconds = await asyncio.wait_for(work, settings.query_timeout + 1)
    except TimeoutError:
        budget.cancelled = True  # the worker stops at its next write
        policy.record(shape, math.inf)
        return Failure(503, "server.timeout", {"seconds": settings.query_timeout})
    except BudgetExceeded as exc:
        policy.record(shape, math.inf)
        if exc.reason == "size":
            return Failure(503, "server.too_big", {"limit": settings.max_result_bytes})
        return Failure(503, "server.timeout", {"seconds": settings.query_timeout})
    except (SyntaxError, ValueError, OSError) as exc:
        return failure(exc)
    policy.record(shape, seconds)
    return (media, body) if media is not None else Failure(406, "server.not_acceptable")


def failure(exc: SyntaxError | ValueError | OSError) -> Failure:
    if isinstance(exc, SyntaxError):
        return Failure(400, "server.malformed", {"detail": str(exc)})
    if isinstance(exc, ValueError):
        return Failure(400, "server.bad_request", {"detail": str(exc)})
    return Failure(500, "server.failed", {"detail": str(exc)})


def base_of(request: Request) -> str:
    return str(request.url.replace(query="", fragment="")).rstrip("?")


def timed_answer(
    store: ox.Store, operation: Operation, accept: str | None, budget: BudgetedBuffer, base: str
) -> tuple[str | None, bytes, float]:
    """`answer`, and how long it took on its thread."""
    started = time.perf_counter()
    media, body = answer(store, operation, accept, budget, base)
    return media, body, time.perf_counter() - started


def answer(
    store: ox.Store, operation: Operation, accept: str | None, budget: BudgetedBuffer, base: str
) -> tuple[str | None, bytes]:
    results: Results | None = None
    try:
        results = execute(store, operation, base)
        budget.check()
        media = choose(accept, list(GRAPH_FORMATS if isinstance(results, ox.QueryTriples) else RESULT_FORMATS))
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


def execute(store: ox.Store, operation: Operation, base: str) -> Results:
    """The default graph is the union of the graphs unless the request or the query names one."""
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        ox.NamedNode(iri) for iri in operation.graphs("default-graph-uri")]
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri) for iri in operation.graphs("named-graph-uri")]
    if default or named:
        # The protocol's dataset replaces the query's; naming only one half leaves the other empty.
        return store.query(operation.text, base_iri=base, named_graphs=named,
                           default_graph=default or [ox.NamedNode("urn:culturedata:empty")])
    union = not has_dataset_clause(operation.text)
    return store.query(operation.text, base_iri=base, use_default_graph_as_union=union)


async def run_update(request: Request, operation: Operation) -> Response:
    state = request.app.state
    refusal = authorise(request)
    if refusal is not None:
        return refusal
    default = operation.graphs("using-graph-uri")
    named = operation.graphs("using-named-graph-uri")
    text = operation.text
    if default or named:
        if has_using_clause(text):
            return problem(request, 400, "server.protocol.dataset_conflict")
        text = add_using(text, default, named)
    try:
        check_query(text, state.settings.query_limits)  # the token holder's text crashes the parser alike
    except QueryRefused as exc:
        return problem(request, 400, exc.code, **exc.params)
    store = state.reader.store()
    try:
        await asyncio.get_running_loop().run_in_executor(
            state.update_thread, lambda: store.update(text, base_iri=base_of(request))
        )
    except SyntaxError as exc:
        return problem(request, 400, "server.malformed", detail=exc)
    except ValueError as exc:
        return problem(request, 400, "server.bad_request", detail=exc)
    except OSError as exc:
        return problem(request, 500, "server.failed", detail=exc)
    return Response(status_code=204)


def authorise(request: Request) -> Response | None:
    """Writes need updates switched on and the bearer token from CULTUREDATA_UPDATE_TOKEN."""
    settings = request.app.state.settings
    if not settings.updates or not request.app.state.reader.writable:
        return problem(request, 403, "server.updates_off")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    token = settings.update_token or ""
    if scheme.lower() != "bearer" or not token or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return problem(request, 401, "server.bad_token")
    return None

"""The SPARQL 1.1 Protocol at /sparql: queries (GET, POST form, POST direct) and updates.

Results are serialised by pyoxigraph itself, so no rdflib sits in the query path. A query is
answered on the event loop when its shape has proven quick (inline.py), otherwise by a query
worker process (workers.py), which is killed and replaced when the query overruns its
deadline or crashes it; a writable server, whose store only this process may open, uses its
query threads instead. Every path works under a `Budget` (deadline and byte cap).
"""

from __future__ import annotations

import asyncio
import hmac
import math
from dataclasses import dataclass, field

import pyoxigraph as ox
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from culturedata.messages import t
from culturedata.server.dataset import add_using, has_using_clause
from culturedata.server.evaluation import GRAPH_FORMATS, RESULT_FORMATS, Job, Outcome, evaluate_job
from culturedata.server.inline import INLINE_DEADLINE, INLINE_WALL, InlinePolicy, shape_of
from culturedata.server.limits import BudgetedBuffer
from culturedata.server.negotiation import language
from culturedata.server.protocol import Operation, ProtocolError, read_operation
from culturedata.server.queryguard import QueryRefused, check_query
from culturedata.server.reader import Served
from culturedata.server.settings import ServerSettings
from culturedata.server.syntaxerrors import syntax_position
from culturedata.server.workers import WorkerPool

# The formats live in evaluation.py (the workers import no web framework); the pages take them from here.
__all__ = ["FORMAT_NAMES", "GRAPH_FORMATS", "RESULT_FORMATS", "Failure", "evaluate", "problem", "sparql_endpoint"]

# ?format= for links and download buttons, where a browser cannot set Accept.
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
    "ntriples": "application/n-triples", "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
}


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
    served = state.reader.served()
    if served.store is None:
        return problem(request, 503, "server.no_snapshot")
    wanted = FORMAT_NAMES.get(request.query_params.get("format", ""))
    outcome = await evaluate(state, served, operation, wanted or request.headers.get("accept"), base_of(request))
    if isinstance(outcome, Failure):
        return problem(request, outcome.status, outcome.code, **outcome.params)
    media, body = outcome
    return Response(body, media_type=media, headers={"Vary": "Accept"})


async def evaluate(
    state: State, served: Served, operation: Operation, accept: str | None, base: str, shape: str | None = None,
) -> tuple[str, bytes] | Failure:
    """The query's serialised answer under the settings' budget: on the event loop when its
    shape has proven quick (see inline.py), otherwise by a query worker. `shape`: the query's
    shape (inline.shape_of) when the caller has it already."""
    settings: ServerSettings = state.settings
    try:
        check_query(operation.text, settings.query_limits)  # before pyoxigraph parses it
    except QueryRefused as exc:
        state.metrics.stop("guard")
        return Failure(400, exc.code, exc.params)
    assert served.store is not None
    job = Job(operation.text, base, accept, tuple(operation.graphs("default-graph-uri")),
              tuple(operation.graphs("named-graph-uri")))
    policy: InlinePolicy = state.inline
    pool: WorkerPool | None = state.workers
    shape = shape if shape is not None else shape_of(operation.text)
    if policy.allows(shape) or (pool is not None and pool.idle == 0 and policy.stand_in(shape)):
        inline = evaluate_inline(settings, policy, shape, served.store, job, served.merged)
        if inline is not None:
            return located(inline)
    if pool is None or served.location is None:
        outcome = await evaluate_on_thread(state, served.store, job)
    else:
        outcome = await pool.run(served.location, job, settings.query_timeout, settings.max_result_bytes)
    if outcome.reason != "busy":  # a query that waited for a worker and never ran teaches nothing
        policy.record(shape, outcome.seconds if outcome.reason in ("ok", "not_acceptable") else math.inf)
    stopped = STOPPED.get(outcome.reason)
    if stopped is not None:
        state.metrics.stop(stopped)
    return located(settle(outcome, settings))


def located(answer: tuple[str, bytes] | Failure) -> tuple[str, bytes] | Failure:
    """A parser error told with its line and column (the query page puts the cursor there)."""
    if not isinstance(answer, Failure) or answer.code != "server.malformed":
        return answer
    position = syntax_position(str(answer.params.get("detail", "")))
    if position is None:
        return answer
    return Failure(400, "server.malformed_at",
                   {"line": position.line, "column": position.column, "expected": position.expected})


# The outcomes of an evaluation that are a stopped query, as health.STOP_REASONS names them.
# A query inline on the event loop is never stopped: past its short deadline it goes to a worker.
STOPPED = {"timeout": "timeout", "busy": "busy", "crashed": "crash"}


def evaluate_inline(
    settings: ServerSettings, policy: InlinePolicy, shape: str, store: ox.Store, job: Job, merged: bool | None = None,
) -> tuple[str, bytes] | Failure | None:
    """The answer computed right here, or None when it overran the inline deadline."""
    budget = BudgetedBuffer(min(INLINE_WALL, settings.query_timeout), settings.max_result_bytes, cpu=INLINE_DEADLINE)
    outcome = evaluate_job(store, job, budget, merged)
    if outcome.reason == "timeout":
        policy.record(shape, math.inf)
        return None
    if outcome.reason in ("ok", "not_acceptable"):
        policy.record(shape, outcome.seconds)
    return settle(outcome, settings)


async def evaluate_on_thread(state: State, store: ox.Store, job: Job) -> Outcome:
    """A writable server's query, on one of its query threads: its live store cannot be opened
    by worker processes. A thread cannot be killed: past the deadline, the budget stops the
    evaluation at its next write."""
    settings = state.settings
    budget = BudgetedBuffer(settings.query_timeout, settings.max_result_bytes)
    work = asyncio.get_running_loop().run_in_executor(state.query_threads, evaluate_job, store, job, budget)
    try:
        # The grace second lets the evaluation's own deadline fire first and report cleanly.
        return await asyncio.wait_for(work, settings.query_timeout + 1)
    except TimeoutError:
        budget.cancelled = True
        return Outcome("timeout", seconds=settings.query_timeout)


def settle(outcome: Outcome, settings: ServerSettings) -> tuple[str, bytes] | Failure:
    """The body to send, or the failure the outcome stands for."""
    if outcome.reason == "ok":
        return outcome.media, outcome.body
    if outcome.reason == "not_acceptable":
        return Failure(406, "server.not_acceptable")
    if outcome.reason == "timeout":
        return Failure(503, "server.timeout", {"seconds": settings.query_timeout})
    if outcome.reason == "busy":
        return Failure(503, "server.busy", {"seconds": settings.query_timeout})
    if outcome.reason == "size":
        return Failure(503, "server.too_big", {"limit": settings.max_result_bytes})
    if outcome.reason == "crashed":
        return Failure(500, "server.crashed", {"detail": outcome.detail})
    if outcome.reason == "malformed":
        return Failure(400, "server.malformed", {"detail": outcome.detail})
    if outcome.reason == "bad_request":
        return Failure(400, "server.bad_request", {"detail": outcome.detail})
    return Failure(500, "server.failed", {"detail": outcome.detail})


def base_of(request: Request) -> str:
    return str(request.url.replace(query="", fragment="")).rstrip("?")


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
        state.metrics.stop("guard")
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

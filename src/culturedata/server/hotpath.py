"""GET /sparql?query=...: the request a SPARQL endpoint gets most, answered in plain ASGI.

A point lookup costs pyoxigraph well under 0.1 ms; Starlette's middleware, routing, `Request`
and `Response` cost about as much again, so `Endpoint` hands this one request to `HotPath`
before any of them. It answers exactly as the route (`sparql.run_query`) does, through the
same `evaluate` and `problem`, with the headers the CORS middleware would add (`Vary:
Origin`). Whatever it does not answer itself (no query: the service description; a protocol
error; no snapshot yet; a cross-origin request, which gets its CORS headers from the
middleware) goes through Starlette unchanged.

Answers from a published snapshot carry a weak ETag, so a revalidating client gets a 304
without any evaluation, and are kept in a bounded cache (`server.response_cache_mb`).
"""

from __future__ import annotations

import time
from functools import lru_cache

from starlette.applications import Starlette
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from culturedata.server.answers import etag, none_match, repeatable
from culturedata.server.headers import SECURITY_HEADERS, secured
from culturedata.server.inline import shape_of
from culturedata.server.protocol import ProtocolError, get_operation
from culturedata.server.sparql import FORMAT_NAMES, Failure, evaluate, problem

ROUTE = "/sparql"  # the metrics' label of every answer given here


class Endpoint(Starlette):
    """The Starlette application, with the hot request taken before its middleware, and
    the security headers (headers.py) and the metrics (health.py) on every response."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope["method"] == "GET" and scope["path"] == "/sparql":
                scope["app"] = self
                if await answer_query(scope, receive, send):
                    return
            send = self.state.metrics.observe(scope, secured(send))
        await super().__call__(scope, receive, send)


async def answer_query(scope: Scope, receive: Receive, send: Send) -> bool:
    """Answer a GET query; False, having sent nothing, when the routes should answer instead.

    `send` is the server's own: an answer goes out with the security headers already in its
    list and is counted here, without the two wrappers every other response passes through
    (a tenth of a point lookup's CPU, measured: docs/benchmarks.md)."""
    started = time.perf_counter()
    accept, host, if_none_match, origin = _headers(scope["headers"])
    if origin:
        return False
    query_string = scope["query_string"].decode()
    try:
        operation = get_operation(query_string)
    except ProtocolError:
        return False
    state = scope["app"].state
    served = state.reader.served()
    snapshot = served.name
    if operation is None or served.store is None:
        return False
    metrics = state.metrics
    negotiation = FORMAT_NAMES.get(operation.params.get("format", [""])[-1]) or accept
    server = scope.get("server")
    base = _base(scope.get("scheme", "http"), tuple(server) if server else None, host, scope["path"])
    shape = shape_of(operation.text)
    tag = etag(snapshot, negotiation or "") if snapshot is not None and repeatable(shape) else None
    if tag is not None and if_none_match is not None and none_match(if_none_match, tag):
        await _send(send, 304, b"", None, tag)
        metrics.record(ROUTE, "GET", 304, time.perf_counter() - started)
        return True
    key = (snapshot or "", base, query_string, negotiation or "")
    found = state.answers.get(key) if tag is not None else None
    if found is None:
        outcome = await evaluate(state, served, operation, negotiation, base, shape)
        if isinstance(outcome, Failure):
            response = problem(Request(scope), outcome.status, outcome.code, **outcome.params)
            response.headers["Vary"] = "Origin"  # as the CORS middleware marks every response
            await response(scope, receive, metrics.observe(scope, secured(send), started))
            return True
        found = outcome
        if tag is not None:
            state.answers.put(key, found)
    await _send(send, 200, found[1], found[0], tag)
    metrics.record(ROUTE, "GET", 200, time.perf_counter() - started)
    return True


def _headers(raw: list[tuple[bytes, bytes]]) -> tuple[str | None, bytes | None, str | None, bool]:
    """Accept, Host, If-None-Match (the first of each, as Starlette reads them) and whether Origin is set."""
    accept = host = if_none_match = None
    origin = False
    for name, value in raw:
        if name == b"accept" and accept is None:
            accept = value.decode("latin-1")
        elif name == b"host" and host is None:
            host = value
        elif name == b"if-none-match" and if_none_match is None:
            if_none_match = value.decode("latin-1")
        elif name == b"origin":
            origin = True
    return accept, host, if_none_match, origin


@lru_cache(maxsize=256)
def _base(scheme: str, server: tuple[str, int] | None, host: bytes | None, path: str) -> str:
    """The request's URL without its query, spelled as `sparql.base_of` spells it."""
    headers = [(b"host", host)] if host is not None else []
    scope = {"type": "http", "scheme": scheme, "server": server, "path": path, "headers": headers, "query_string": b""}
    return str(URL(scope=scope)).rstrip("?")


async def _send(send: Send, status: int, body: bytes, media: str | None, tag: str | None) -> None:
    headers = [(b"vary", b"Accept, Origin")]
    if status != 304:
        headers.append((b"content-length", str(len(body)).encode()))
    if media is not None:
        # Starlette's Response names the charset of text/* types; so do we.
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        headers.append((b"content-type", (media + charset).encode("latin-1")))
    if tag is not None:
        headers.append((b"etag", tag.encode("latin-1")))
    headers += SECURITY_HEADERS  # as headers.secured adds them to every other response
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

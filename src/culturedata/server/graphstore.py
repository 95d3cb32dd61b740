"""The SPARQL 1.1 Graph Store HTTP Protocol at /store (indirect: ?graph= / ?default) and
/store/<path> (direct: the request URL is the graph's IRI).

Reads are always allowed; writes go through the same switch and bearer token as SPARQL
Update. A body is parsed completely into a scratch store before the graph is touched, so a
bad upload never leaves a graph half-replaced.
"""

from __future__ import annotations

import asyncio
import uuid

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from culturedata.server.limits import BudgetedBuffer, BudgetExceeded
from culturedata.server.negotiation import choose
from culturedata.server.protocol import ProtocolError, read_body
from culturedata.server.sparql import GRAPH_FORMATS, authorise, base_of, problem

READABLE = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/n3": ox.RdfFormat.N3,
}
Graph = ox.NamedNode | ox.DefaultGraph


async def graph_store(request: Request) -> Response:
    target = _target(request)
    if isinstance(target, Response):
        return target
    store = request.app.state.reader.store()
    if store is None:
        return problem(request, 503, "server.no_snapshot")
    if request.method in ("GET", "HEAD"):
        return await _read(request, store, target)
    refusal = authorise(request)
    if refusal is not None:
        return refusal
    created_location: str | None = None
    if target is None:  # only a bare POST to /store names no graph: it creates one
        target = ox.NamedNode(f"{base_of(request).rstrip('/')}/{uuid.uuid4()}")
        created_location = target.value
    loop = asyncio.get_running_loop()
    writer = request.app.state.update_thread
    if request.method == "DELETE":
        existed = await loop.run_in_executor(writer, _delete, store, target)
        return Response(status_code=204 if existed else 404)
    try:
        quads = await _parse_body(request, target)
    except ProtocolError as exc:
        return problem(request, exc.status, exc.code, **exc.params)
    existed = await loop.run_in_executor(writer, _write, store, target, quads, request.method == "PUT")
    if created_location:
        return Response(status_code=201, headers={"Location": created_location})
    return Response(status_code=204 if existed else 201)


def _target(request: Request) -> Graph | None | Response:
    """The graph a request names; None for a bare POST to /store (create a new graph)."""
    path = request.path_params.get("path")
    params = request.query_params
    if path:
        try:
            return ox.NamedNode(base_of(request))
        except ValueError:  # %00, %FF, a space...: the request URL is no IRI
            return problem(request, 400, "server.not_an_iri")
    if "default" in params and "graph" not in params:
        return ox.DefaultGraph()
    if "graph" in params and "default" not in params:
        try:
            return ox.NamedNode(params["graph"])
        except ValueError as exc:
            return problem(request, 400, "server.bad_request", detail=exc)
    if request.method == "POST" and not params:
        return None
    return problem(request, 400, "server.gsp.which_graph")


async def _read(request: Request, store: ox.Store, target: Graph | None) -> Response:
    if target is None:
        return problem(request, 400, "server.gsp.which_graph")
    media = choose(request.headers.get("accept"), list(GRAPH_FORMATS))
    if media is None:
        return problem(request, 406, "server.not_acceptable")
    if isinstance(target, ox.NamedNode) and not store.contains_named_graph(target):
        return problem(request, 404, "server.gsp.no_graph", graph=target.value)
    settings = request.app.state.settings
    budget = BudgetedBuffer(settings.query_timeout, settings.max_result_bytes)
    fmt = GRAPH_FORMATS[media]
    if fmt is ox.RdfFormat.N_QUADS:
        media, fmt = "application/n-triples", ox.RdfFormat.N_TRIPLES
    try:
        await asyncio.get_running_loop().run_in_executor(
            request.app.state.query_threads, _serialise_graph, store, target, budget, fmt
        )
    except BudgetExceeded:
        return problem(request, 503, "server.too_big", limit=settings.max_result_bytes)
    body = b"" if request.method == "HEAD" else budget.getvalue()
    headers = {"Content-Length": str(budget.size)} if request.method == "HEAD" else None
    return Response(body, media_type=media, headers=headers)


def _serialise_graph(store: ox.Store, target: Graph, budget: BudgetedBuffer, fmt: ox.RdfFormat) -> None:
    # The iterator is made and dropped on this worker thread, as pyoxigraph requires.
    quads = store.quads_for_pattern(None, None, None, target)
    try:
        ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), budget, fmt)
    finally:
        del quads


async def _parse_body(request: Request, target: Graph) -> list[ox.Quad]:
    limit = request.app.state.settings.upload_limit
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    base = target.value if isinstance(target, ox.NamedNode) else base_of(request)
    if content_type == "multipart/form-data":
        quads: list[ox.Quad] = []
        async with request.form(max_part_size=limit) as form:
            for value in form.values():
                if isinstance(value, str):
                    continue
                part_type = (value.content_type or "").split(";")[0].strip().lower()
                quads += _parse(await value.read(), part_type, base, target)
        return quads
    return _parse(await read_body(request, limit), content_type, base, target)


def _parse(data: bytes, content_type: str, base: str, target: Graph) -> list[ox.Quad]:
    fmt = READABLE.get(content_type)
    if fmt is None or fmt is ox.RdfFormat.N_QUADS:
        raise ProtocolError(415, "server.gsp.media_type", got=content_type or "-")
    try:
        return [ox.Quad(q.subject, q.predicate, q.object, target) for q in ox.parse(data, fmt, base_iri=base)]
    except SyntaxError as exc:
        raise ProtocolError(400, "server.gsp.syntax", detail=exc) from exc


def _delete(store: ox.Store, target: Graph) -> bool:
    if isinstance(target, ox.DefaultGraph):
        store.clear_graph(target)
        return True
    if not store.contains_named_graph(target):
        return False
    store.remove_graph(target)
    return True


def _write(store: ox.Store, target: Graph, quads: list[ox.Quad], replace: bool) -> bool:
    existed = isinstance(target, ox.DefaultGraph) or store.contains_named_graph(target)
    if replace and existed:
        store.clear_graph(target)
    if isinstance(target, ox.NamedNode):
        store.add_graph(target)
    store.extend(quads)
    return existed

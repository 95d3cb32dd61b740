"""The SPARQL 1.1 Protocol at /sparql: GET, POST form-encoded and POST direct.

Results are serialised by pyoxigraph itself, so no rdflib sits in the query path.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from culturedata.server.negotiation import choose
from culturedata.server.reader import SnapshotReader

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


async def sparql_endpoint(request: Request) -> Response:
    params, query = await _read_query(request)
    if isinstance(query, Response):
        return query
    reader: SnapshotReader = request.app.state.reader
    store = reader.store()
    if store is None:
        return PlainTextResponse("No snapshot has been published yet.\n", status_code=503)
    default_graphs = [ox.NamedNode(iri) for iri in params.get("default-graph-uri", [])]
    named_graphs = [ox.NamedNode(iri) for iri in params.get("named-graph-uri", [])]
    accept = request.headers.get("accept")
    try:
        # Evaluation is lazy: serialising in the worker thread keeps the event loop free
        # and evaluation errors inside this try.
        return await run_in_threadpool(_answer, store, query, default_graphs, named_graphs, accept)
    except SyntaxError as exc:
        return PlainTextResponse(f"Malformed query: {exc}\n", status_code=400)
    except OSError as exc:
        return PlainTextResponse(f"Query failed: {exc}\n", status_code=500)


def _answer(
    store: ox.Store,
    query: str,
    default_graphs: list[ox.NamedNode],
    named_graphs: list[ox.NamedNode],
    accept: str | None,
) -> Response:
    return _serialise(_execute(store, query, default_graphs, named_graphs), accept)


def _execute(
    store: ox.Store, query: str, default_graphs: list[ox.NamedNode], named_graphs: list[ox.NamedNode]
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    # The default graph is the union of the record graphs unless the client names graphs.
    options: dict[str, object] = {}
    if default_graphs:
        options["default_graph"] = default_graphs
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = named_graphs
    return store.query(query, **options)


async def _read_query(request: Request) -> tuple[dict[str, list[str]], str | Response]:
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.url.query, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    query: str | None = None
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await request.body()).decode("utf-8", errors="replace")
        if content_type == "application/x-www-form-urlencoded":
            for name, value in parse_qsl(body, keep_blank_values=True):
                params.setdefault(name, []).append(value)
        elif content_type == "application/sparql-query":
            query = body
        else:
            return params, PlainTextResponse(
                "POST needs application/sparql-query or application/x-www-form-urlencoded.\n",
                status_code=415,
            )
    if query is None:
        queries = params.get("query", [])
        if len(queries) != 1:
            return params, PlainTextResponse("Give exactly one 'query' parameter.\n", status_code=400)
        query = queries[0]
    return params, query


def _serialise(results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, accept: str | None) -> Response:
    if isinstance(results, ox.QueryTriples):
        media = choose(accept, list(GRAPH_FORMATS))
        if media is None:
            return PlainTextResponse("Not acceptable.\n", status_code=406)
        body = results.serialize(format=GRAPH_FORMATS[media])
    else:
        media = choose(accept, list(RESULT_FORMATS))
        if media is None:
            return PlainTextResponse("Not acceptable.\n", status_code=406)
        body = results.serialize(format=RESULT_FORMATS[media])
    return Response(body, media_type=media)

"""The least any Python SPARQL server on uvicorn + pyoxigraph does: a yardstick for bench/server.py.

Parse the query string, evaluate on the event loop, serialise (Turtle for graphs, SPARQL
JSON for results), send. No negotiation, no timeout, no size cap, no CORS, no framework:
whatever `culturedata serve` costs beyond this is ours; what this costs beyond the Oxigraph
server is uvicorn's and pyoxigraph's.

    BENCH_BARE_STORE=<snapshot dir> python -m uvicorn bench._bare_server:app --port N
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox

store = ox.Store.read_only(os.environ["BENCH_BARE_STORE"])
# A snapshot whose default graph is already the merge of its named graphs (store/merged.py) is
# queried as it is; an older one with pyoxigraph's union option, as the server does.
UNION = next(iter(store.quads_for_pattern(None, ox.NamedNode("https://w3id.org/culturedata/ns/run#defaultGraph"),
                                          None, None)), None) is None


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    query = dict(parse_qsl(scope["query_string"].decode()))["query"]
    results = store.query(query, use_default_graph_as_union=UNION)
    if isinstance(results, ox.QueryTriples):
        media, body = b"text/turtle", results.serialize(format=ox.RdfFormat.TURTLE)
    else:
        media, body = b"application/sparql-results+json", results.serialize(format=ox.QueryResultsFormat.JSON)
    headers = [(b"content-type", media), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})

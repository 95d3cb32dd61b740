"""The W3C SPARQL 1.1 Protocol and Graph Store Protocol manifests, read into plain values
and replayed over HTTP against a running server.

The manifests describe each test as HTTP exchanges (ht:Request with path, headers, body,
and an ht:Response with the expected status, boolean, format, headers or graph). rdflib
reads them here, in the tests only; the server never sees rdflib.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import httpx
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}}
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "application/json",
                "application/xml", "text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
             "application/n-quads", "text/plain"}


@dataclass
class Expected:
    statuses: set[int] = field(default_factory=set)
    status_classes: set[int] = field(default_factory=set)  # 2 for 2xx …
    boolean: bool | None = None
    format: str | None = None
    content_type: str | None = None
    body: str | None = None
    location: str | None = None

    def accepts(self, status: int) -> bool:
        if not self.statuses and not self.status_classes:
            return True
        return status in self.statuses or status // 100 in self.status_classes


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class Case:
    name: str
    title: str
    data: list[tuple[Path, str]]  # (file, graph IRI)
    exchanges: list[Exchange]


def read_manifest(path: Path) -> list[Case]:
    graph = Graph()
    graph.parse(path, format="turtle")
    cases = []
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        entries = graph.value(manifest, MF.entries)
        if entries is None:
            continue
        for test in Collection(graph, entries):
            cases.append(_case(graph, test, path.parent))
    return cases


def _case(graph: Graph, test: URIRef, folder: Path) -> Case:
    data = []
    for item in graph.objects(test, UT.graphData):
        file = graph.value(item, UT.graph)
        label = graph.value(item, RDFS.label)
        data.append((folder / str(file).rsplit("/", 1)[-1], str(label)))
    action = graph.value(test, MF.action)
    requests = Collection(graph, graph.value(action, HT.requests))
    return Case(
        name=str(test).rsplit("#", 1)[-1],
        title=str(graph.value(test, MF.name)),
        data=data,
        exchanges=[_exchange(graph, request) for request in requests],
    )


def _headers(graph: Graph, node: URIRef) -> dict[str, str]:
    headers = {}
    listed = graph.value(node, HT.headers)
    if listed is not None:
        for header in Collection(graph, listed):
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
    return headers


def _exchange(graph: Graph, request: URIRef) -> Exchange:
    body = graph.value(request, HT.body)
    content = None
    if body is not None:
        encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
        content = str(graph.value(body, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    expected = Expected()
    for status in graph.objects(response, MF.expectedStatus):
        name = str(status)[len(HTS):]
        if name.startswith("StatusCode"):
            expected.status_classes.add(int(name[len("StatusCode")]))
        else:
            expected.statuses |= STATUS[name]
    boolean = graph.value(response, MF.expectedBoolean)
    expected.boolean = None if boolean is None else bool(boolean.toPython())
    fmt = graph.value(response, MF.expectedFormat)
    expected.format = str(fmt) if fmt is not None else None
    expected.content_type = _headers(graph, response).get("content-type")
    expected_body = graph.value(response, HT.body)
    if expected_body is not None:
        expected.body = str(graph.value(expected_body, CNT.chars))
    location = graph.value(response, MF.expectedLocation)
    expected.location = str(location) if location is not None else None
    return Exchange(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=content,
        expected=expected,
    )


def replay(case: Case, base: str, prefixes: dict[str, str], extra_headers: dict[str, str]) -> None:
    """Run the case's exchanges in order; an AssertionError says which one and why."""
    variables: dict[str, str] = {}
    with httpx.Client(timeout=30, trust_env=False) as client:
        for number, exchange in enumerate(case.exchanges, start=1):
            path = exchange.path
            for old, new in prefixes.items():
                if path.startswith(old):
                    path = new + path[len(old):]
                    break
            body = exchange.body
            for name, value in variables.items():
                path = path.replace(name, value)
                body = body.replace(name.encode(), value.encode()) if body else body
            request = client.build_request(exchange.method, base + path, headers={**exchange.headers, **extra_headers},
                                           content=body)
            response = client.send(request)
            _check(f"{case.name} request {number} ({exchange.method} {path})", exchange.expected, response, base + path)
            if exchange.expected.location:
                variables[exchange.expected.location] = response.headers["location"]


def _check(where: str, expected: Expected, response: httpx.Response, url: str) -> None:
    assert expected.accepts(response.status_code), f"{where}: status {response.status_code}: {response.text[:300]}"
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if expected.format == "boolean" or expected.boolean is not None:
        assert media in RESULT_TYPES - {"text/csv", "text/tab-separated-values"}, f"{where}: media type {media}"
        if expected.boolean is not None:
            assert _boolean(media, response.content) == expected.boolean, f"{where}: boolean {response.text[:200]}"
    if expected.format == "tabular":
        assert media in RESULT_TYPES, f"{where}: media type {media}"
    if expected.format == "RDF":
        assert media in RDF_TYPES, f"{where}: media type {media}"
    if expected.content_type:
        # The media type must match; a charset parameter is accepted whether or not it is repeated.
        assert media == expected.content_type.split(";")[0].strip(), f"{where}: content type {media}"
    if expected.body is not None:
        wanted = Graph().parse(data=expected.body, format="turtle", publicID=url)
        got = Graph().parse(data=response.text, format="turtle", publicID=url)
        assert isomorphic(wanted, got), f"{where}: graph differs:\n{response.text}"


def _boolean(media: str, body: bytes) -> bool:
    if "json" in media:
        return bool(json.loads(body)["boolean"])
    root = ElementTree.fromstring(body)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None
    return (node.text or "").strip() == "true"

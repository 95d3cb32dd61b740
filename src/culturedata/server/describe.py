"""What the endpoint says about itself: the SPARQL 1.1 Service Description (GET /sparql with
no query), and the VoID + DCAT description of the dataset (/.well-known/void, /catalog)
with its dump files (served from <store>/dumps/ by `dumps`)."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from culturedata import __version__
from culturedata.iris import entity_space
from culturedata.server.negotiation import choose
from culturedata.server.sparql import GRAPH_FORMATS, RESULT_FORMATS, problem

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMAT_IRIS = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
    "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
}
DUMP_TYPES = {".nq": "application/n-quads", ".nt": "application/n-triples", ".ttl": "text/turtle",
              ".trig": "application/trig", ".gz": "application/gzip", ".jsonld": "application/ld+json"}
_counts: dict[str, int] = {}
_counts_lock = threading.Lock()


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}/"


async def service_description(request: Request) -> Response:
    here = origin(request)
    service = _n(here + "sparql#service")
    dataset = _n(here + ".well-known/void#dataset")
    triples = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), _n(here + "sparql")),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(VOID + "inDataset"), _n(here + ".well-known/void#dataset")),
    ]
    if request.app.state.settings.updates:
        triples.append(ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Update")))
    for media in list(RESULT_FORMATS) + list(GRAPH_FORMATS):
        if media in FORMAT_IRIS:
            triples.append(ox.Triple(service, _n(SD + "resultFormat"), _n(FORMAT_IRIS[media])))
    return _rdf(request, triples)


async def void_description(request: Request) -> Response:
    here = origin(request)
    settings = request.app.state.settings
    dataset = _n(here + ".well-known/void#dataset")
    catalog = _n(here + "catalog#catalog")
    service = _n(here + "sparql#service")
    title = "culturedata — données culturelles du Québec / Quebec cultural data"
    triples = [
        ox.Triple(dataset, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(dataset, RDF_TYPE, _n(DCAT + "Dataset")),
        ox.Triple(dataset, _n(DCT + "title"), ox.Literal(title)),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(here + "sparql")),
        ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(entity_space(settings.base_iri))),
        ox.Triple(dataset, _n(VOID + "rootResource"), _n(here + "sitemap.xml")),
        ox.Triple(dataset, _n(DCAT + "distribution"), service),
        ox.Triple(catalog, RDF_TYPE, _n(DCAT + "Catalog")),
        ox.Triple(catalog, _n(DCT + "title"), ox.Literal(title)),
        ox.Triple(catalog, _n(DCAT + "dataset"), dataset),
        ox.Triple(catalog, _n(DCAT + "service"), service),
        ox.Triple(service, RDF_TYPE, _n(DCAT + "DataService")),
        ox.Triple(service, _n(DCAT + "endpointURL"), _n(here + "sparql")),
        ox.Triple(service, _n(DCAT + "servesDataset"), dataset),
        ox.Triple(service, _n(DCT + "conformsTo"), _n("https://www.w3.org/TR/sparql11-protocol/")),
        ox.Triple(dataset, _n(DCT + "hasVersion"), ox.Literal(__version__)),
    ]
    triples += _count_triples(request, dataset)
    triples += _reference_subsets(request, dataset)
    for dump in dump_files(request):
        url = _n(f"{here}dumps/{dump.name}")
        triples += [
            ox.Triple(dataset, _n(VOID + "dataDump"), url),
            ox.Triple(dataset, _n(DCAT + "distribution"), _n(f"{here}dumps/{dump.name}#distribution")),
            ox.Triple(_n(f"{here}dumps/{dump.name}#distribution"), RDF_TYPE, _n(DCAT + "Distribution")),
            ox.Triple(_n(f"{here}dumps/{dump.name}#distribution"), _n(DCAT + "downloadURL"), url),
            ox.Triple(_n(f"{here}dumps/{dump.name}#distribution"), _n(DCAT + "mediaType"),
                      ox.Literal(_dump_type(dump))),
            ox.Triple(_n(f"{here}dumps/{dump.name}#distribution"), _n(DCAT + "byteSize"),
                      ox.Literal(str(dump.stat().st_size), datatype=_n("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
    return _rdf(request, triples)


def _count_triples(request: Request, dataset: ox.NamedNode) -> list[ox.Triple]:
    """void:triples of the served data, counted once per snapshot."""
    reader = request.app.state.reader
    store = reader.store()
    if store is None:
        return []
    key = f"{id(reader)}:{reader.label}"
    if reader.writable or key not in _counts:
        graph = ox.NamedNode(request.app.state.settings.system_graph)
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {graph}) }}"
        count = int(next(iter(store.query(query)))["n"].value)
        with _counts_lock:
            _counts[key] = count
    return [ox.Triple(dataset, _n(VOID + "triples"),
                      ox.Literal(str(_counts[key]), datatype=_n("http://www.w3.org/2001/XMLSchema#integer")))]


def _reference_subsets(request: Request, dataset: ox.NamedNode) -> list[ox.Triple]:
    """The vocabularies and the ontology each snapshot carries (culturedata/reference.py), as
    subsets: the graphs the system graph types as void:Dataset."""
    store = request.app.state.reader.store()
    if store is None:
        return []
    system = ox.NamedNode(request.app.state.settings.system_graph)
    triples = []
    for quad in store.quads_for_pattern(None, RDF_TYPE, _n(VOID + "Dataset"), system):
        triples += [ox.Triple(dataset, _n(VOID + "subset"), quad.subject), ox.Triple(quad.subject, RDF_TYPE, _n(VOID + "Dataset"))]
        triples += [ox.Triple(quad.subject, q.predicate, q.object)
                    for q in store.quads_for_pattern(quad.subject, _n(DCT + "source"), None, system)]
    return triples


def _rdf(request: Request, triples: list[ox.Triple]) -> Response:
    media = choose(request.headers.get("accept"), list(GRAPH_FORMATS))
    if media is None:
        return problem(request, 406, "server.not_acceptable")
    fmt = GRAPH_FORMATS[media]
    if fmt is ox.RdfFormat.N_QUADS:
        fmt = ox.RdfFormat.N_TRIPLES
    prefixes = {"sd": SD, "void": VOID, "dcat": DCAT, "dct": DCT} if fmt is ox.RdfFormat.TURTLE else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def dumps_dir(request: Request) -> Path:
    return Path(request.app.state.reader.snapshots.root) / "dumps"


def dump_files(request: Request) -> list[Path]:
    folder = dumps_dir(request)
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def _dump_type(path: Path) -> str:
    for suffix in reversed(path.suffixes):
        if suffix in DUMP_TYPES and suffix != ".gz":
            return DUMP_TYPES[suffix]
    return DUMP_TYPES.get(path.suffix, "application/octet-stream")


async def dump(request: Request) -> Response:
    name = request.path_params["name"]
    for path in dump_files(request):
        if path.name == name:  # only files listed in the folder: no path tricks
            return FileResponse(path, media_type=_dump_type(path) if not name.endswith(".gz") else "application/gzip")
    return problem(request, 404, "server.no_dump", name=name)

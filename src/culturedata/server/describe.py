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
from culturedata.messages import both
from culturedata.server.negotiation import choose
from culturedata.server.sparql import GRAPH_FORMATS, RESULT_FORMATS, problem

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
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
    """VoID for linked-data tools and DCAT for data portals, one graph: the catalogue, the
    dataset, the SPARQL service and each dump, in French and English, as DCAT-AP 2.1.1 requires
    (tests/server/test_dcat.py checks it against DCAT-AP's own SHACL shapes)."""
    here = origin(request)
    settings = request.app.state.settings
    dataset = _n(here + ".well-known/void#dataset")
    catalog = _n(here + "catalog#catalog")
    service = _n(here + "sparql#service")
    publisher = _n(here + "catalog#publisher")
    licence = _n(settings.licence)
    triples = [
        ox.Triple(dataset, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(dataset, RDF_TYPE, _n(DCAT + "Dataset")),
        *_texts(dataset, "server.dcat.dataset"),
        ox.Triple(dataset, _n(DCT + "publisher"), publisher),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(here + "sparql")),
        ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(entity_space(settings.base_iri))),
        ox.Triple(dataset, _n(VOID + "rootResource"), _n(here + "sitemap.xml")),
        ox.Triple(dataset, _n(DCAT + "landingPage"), _n(here)),
        ox.Triple(dataset, _n(DCT + "hasVersion"), ox.Literal(__version__)),
        ox.Triple(catalog, RDF_TYPE, _n(DCAT + "Catalog")),
        *_texts(catalog, "server.dcat.catalog"),
        ox.Triple(catalog, _n(DCT + "publisher"), publisher),
        ox.Triple(catalog, _n(DCT + "license"), licence),
        ox.Triple(catalog, _n(FOAF + "homepage"), _n(here)),
        ox.Triple(catalog, _n(DCAT + "dataset"), dataset),
        ox.Triple(catalog, _n(DCAT + "service"), service),
        ox.Triple(publisher, RDF_TYPE, _n(FOAF + "Agent")),
        ox.Triple(publisher, _n(FOAF + "name"), ox.Literal(settings.publisher)),
        ox.Triple(service, RDF_TYPE, _n(DCAT + "DataService")),
        *_texts(service, "server.dcat.service"),
        ox.Triple(service, _n(DCAT + "endpointURL"), _n(here + "sparql")),
        ox.Triple(service, _n(DCAT + "endpointDescription"), _n(here + "sparql")),  # the SPARQL service description
        ox.Triple(service, _n(DCAT + "servesDataset"), dataset),
        ox.Triple(service, _n(DCT + "license"), licence),
        ox.Triple(service, _n(DCT + "conformsTo"), _n("https://www.w3.org/TR/sparql11-protocol/")),
    ]
    triples += _count_triples(request, dataset)
    triples += _reference_subsets(request, dataset)
    for dump in dump_files(request):
        triples += _distribution(here, dataset, dump)
    return _rdf(request, triples)


def _texts(subject: ox.NamedNode, code: str) -> list[ox.Triple]:
    """dct:title and dct:description of `subject`, in every language (messages/server.toml)."""
    return [ox.Triple(subject, _n(DCT + part), ox.Literal(text, language=lang))
            for part in ("title", "description") for lang, text in both(f"{code}.{part}").items()]


def _distribution(here: str, dataset: ox.NamedNode, dump: Path) -> list[ox.Triple]:
    url = _n(f"{here}dumps/{dump.name}")
    node = _n(f"{here}dumps/{dump.name}#distribution")
    media = _dump_type(dump)
    return [
        ox.Triple(dataset, _n(VOID + "dataDump"), url),
        ox.Triple(dataset, _n(DCAT + "distribution"), node),
        ox.Triple(node, RDF_TYPE, _n(DCAT + "Distribution")),
        ox.Triple(node, _n(DCT + "title"), ox.Literal(dump.name)),
        ox.Triple(node, _n(DCAT + "accessURL"), url),
        ox.Triple(node, _n(DCAT + "downloadURL"), url),
        # DCAT-AP's range for a media type is IANA's register, as an IRI
        ox.Triple(node, _n(DCAT + "mediaType"), _n(IANA_MEDIA_TYPES + media)),
        ox.Triple(node, _n(DCAT + "byteSize"), ox.Literal(str(dump.stat().st_size), datatype=_n(XSD + "decimal"))),
    ]


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
    prefixes = {"sd": SD, "void": VOID, "dcat": DCAT, "dct": DCT, "foaf": FOAF} if fmt is ox.RdfFormat.TURTLE else None
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

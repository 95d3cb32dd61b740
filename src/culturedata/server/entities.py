"""Linked Data: every entity IRI `{base}id/...` dereferences here.

`text/html` gets a bilingual page (name, types, properties with links, provenance and
licence from the system graph, remaining warnings) with the schema.org JSON-LD embedded;
RDF media types, or the `.ttl` / `.jsonld` / `.nt` / `.rdf` suffixes, get the description.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from culturedata import __version__
from culturedata.iris import entity as entity_iri
from culturedata.server.answers import etag, none_match
from culturedata.server.negotiation import choose
from culturedata.server.reader import select
from culturedata.server.rendering import page_lang, render
from culturedata.server.sparql import GRAPH_FORMATS, problem

LINK_SCHEMES = ("http", "https", "mailto")
# Every ASCII character a valid IRI may hold (oxigraph refused the others), kept as it is.
IRI_ASCII = "!#$%&'()*+,-./:;=?@[]_~"
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
            ".rdf": "application/rdf+xml"}
PREFIXES = {
    "schema": "https://schema.org/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/", "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "qcp": "https://w3id.org/culturedata/ns/qcp#", "run": "https://w3id.org/culturedata/ns/run#",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/", "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}
# The profile writes https://schema.org/; some mappings still emit http://schema.org/.
SCHEMA_HTTP = "http://schema.org/"
LABELS = ("https://schema.org/name", SCHEMA_HTTP + "name", "http://www.w3.org/2000/01/rdf-schema#label",
          "http://www.w3.org/2004/02/skos/core#prefLabel", "http://purl.org/dc/terms/title")
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Pages are in the reader's language: from ?lang=, the lang cookie or Accept-Language.
VARY = "Accept, Accept-Language, Cookie"
# Terms are written in with str(), their escaped N-Triples spelling (substitutions need a SELECT projection).
DESCRIBE = """CONSTRUCT {{ {entity} ?p ?o . ?o ?p2 ?o2 }}
WHERE {{ GRAPH ?g {{ {entity} ?p ?o OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o)) }} }} FILTER(?g != {system}) }}"""


@dataclass
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    iri: str | None = None


@dataclass
class EntityView:
    iri: str
    name: str
    types: list[Value] = field(default_factory=list)
    properties: list[tuple[Value, list[Value]]] = field(default_factory=list)
    provenance: list[tuple[Value, list[Value]]] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def compact(iri: str) -> str:
    if iri.startswith(SCHEMA_HTTP):
        return "schema:" + iri[len(SCHEMA_HTTP):]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


async def entity(request: Request) -> Response:
    settings = request.app.state.settings
    path = request.path_params["path"]
    suffix = next((s for s in SUFFIXES if path.endswith(s)), None)
    if suffix:
        path = path[: -len(suffix)]
    iri = entity_iri(settings.base_iri, path)
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # %00, %FF, a space...: no IRI, so nothing is published about it
        return problem(request, 400, "server.not_an_iri")
    store, snapshot = request.app.state.reader.current()
    if store is None:
        return problem(request, 503, "server.no_snapshot")
    accept = request.headers.get("accept")
    # curl's */* gets Turtle; browsers name text/html and get the page.
    media = SUFFIXES[suffix] if suffix else choose(accept, [*GRAPH_FORMATS, "text/html"])
    # A published snapshot never changes: crawlers revalidating a page get a 304 without a query.
    tag = _validator(snapshot, media, request)
    headers = {"Vary": VARY, "Link": f'<{as_uri(iri)}>; rel="canonical"', **({"ETag": tag} if tag else {})}
    if tag and none_match(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    system = ox.NamedNode(settings.system_graph)
    triples = list(store.query(DESCRIBE.format(entity=node, system=system)))
    if not triples:
        if media == "text/html":
            return render(request, "entity.html", status=404, view=None, iri=iri)
        return problem(request, 404, "server.no_entity", iri=iri)
    if media is None:
        return problem(request, 406, "server.not_acceptable")
    if media != "text/html":
        fmt = GRAPH_FORMATS[media]
        fmt = ox.RdfFormat.N_TRIPLES if fmt is ox.RdfFormat.N_QUADS else fmt
        body = ox.serialize(triples, format=fmt, prefixes={**PREFIXES, "sdo": SCHEMA_HTTP}) if fmt is ox.RdfFormat.TURTLE else (
            ox.serialize(triples, format=fmt))
        return Response(body, media_type=media, headers=headers)
    view = build_view(store, iri, triples, settings.system_graph, local_base(request, settings.base_iri), page_lang(request))
    page = render(request, "entity.html", view=view, iri=iri, jsonld=schema_jsonld(triples))
    page.headers.update(headers)
    return page


def as_uri(iri: str) -> str:
    """The IRI as a URI (RFC 3987 3.1), for a header: its characters beyond ASCII percent-encoded."""
    return quote(iri, safe=IRI_ASCII)


def _validator(snapshot: str | None, media: str | None, request: Request) -> str | None:
    """The response's ETag: the snapshot, the media type, and for a page its language and the
    software that rendered it. None where the content may change (a writable store)."""
    if snapshot is None or media is None:
        return None
    negotiation = f"{media}|{page_lang(request)}|{__version__}" if media == "text/html" else media
    return etag(snapshot, negotiation)


def local_base(request: Request, base: str) -> tuple[str, str]:
    """Links to our own IRIs point at this server, even when it runs elsewhere than `base`."""
    return base, f"{request.url.scheme}://{request.url.netloc}/"


def _href(iri: str, bases: tuple[str, str]) -> str | None:
    """Where a link to `iri` points; None, and no link, unless it is an http, https or mailto IRI:
    a published record may name any scheme, `javascript:` included."""
    if iri.partition(":")[0].lower() not in LINK_SCHEMES:
        return None
    base, here = bases
    return here + iri[len(base):] if iri.startswith(base) else iri


def build_view(
    store: ox.Store, iri: str, triples: list[ox.Triple], system: str, bases: tuple[str, str], lang: str
) -> EntityView:
    labels = _labels(store, {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}, lang)
    own = [t for t in triples if t.subject == ox.NamedNode(iri)]
    view = EntityView(iri=iri, name=_best_label([t for t in own if t.predicate.value in LABELS], lang) or iri)
    grouped: dict[str, list[Value]] = {}
    for triple in own:
        value = _value(triple.object, labels, bases, triples)
        if triple.predicate.value == TYPE:
            view.types.append(value)
        else:
            grouped.setdefault(triple.predicate.value, []).append(value)
    view.properties = [(Value(compact(p), _href(p, bases)), values) for p, values in sorted(grouped.items(), key=lambda i: compact(i[0]))]
    view.graphs = [s["g"].value for s in select(
        store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {ox.NamedNode(iri)} ?p ?o }} FILTER(?g != {ox.NamedNode(system)}) }}")]
    facts: dict[str, list[Value]] = {}
    for graph in view.graphs:
        for quad in store.quads_for_pattern(ox.NamedNode(graph), None, None, ox.NamedNode(system)):
            facts.setdefault(quad.predicate.value, []).append(_value(quad.object, {}, bases, []))
            if "warning" in quad.predicate.value.lower() or "finding" in quad.predicate.value.lower():
                view.warnings.append(_plain(quad.object))
    view.provenance = [(Value(compact(p), _href(p, bases)), values) for p, values in sorted(facts.items())]
    return view


def _value(term: object, labels: dict[str, str], bases: tuple[str, str], triples: list[ox.Triple]) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(labels.get(term.value) or compact(term.value), _href(term.value, bases), iri=term.value)
    if isinstance(term, ox.Literal):
        return Value(term.value, lang=term.language)
    if isinstance(term, ox.BlankNode):
        parts = [f"{compact(t.predicate.value)}: {_plain(t.object)}" for t in triples if t.subject == term]
        return Value("; ".join(parts) or "[]")
    return Value(str(term))


def _plain(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term's lexical value; a quoted triple (RDF-star), which has none, in its N-Triples spelling."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def _labels(store: ox.Store, iris: set[str], lang: str) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(i)) for i in list(iris)[:200])
    found: dict[str, list[ox.Triple]] = {}
    query = f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {' '.join(f'<{p}>' for p in LABELS)} }} ?s ?p ?l }}"
    for solution in select(store, query, union=True):
        found.setdefault(solution["s"].value, []).append(ox.Triple(solution["s"], solution["p"], solution["l"]))
    return {iri: label for iri, triples in found.items() if (label := _best_label(triples, lang))}


def _best_label(triples: list[ox.Triple], lang: str) -> str | None:
    literals = [t.object for t in triples if isinstance(t.object, ox.Literal)]
    for wanted in (lang, None, "fr", "en"):
        for literal in literals:
            if literal.language == wanted:
                return literal.value
    return literals[0].value if literals else None


def schema_jsonld(triples: list[ox.Triple]) -> str:
    """The description as JSON-LD for search engines, safe inside a <script> element."""
    data = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
    assert data is not None  # without an output, serialize returns the bytes
    return json.dumps(json.loads(data), ensure_ascii=False).replace("</", "<\\/")

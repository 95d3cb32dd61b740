"""Linked Data: every entity IRI `{base}id/...` dereferences here.

`text/html` gets a bilingual page (name, types, properties with links, provenance and
licence from the system graph, remaining warnings) with the schema.org JSON-LD embedded;
RDF media types, or the `.ttl` / `.jsonld` / `.nt` / `.rdf` suffixes, get the description.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from culturedata import __version__
from culturedata.iris import entity as entity_iri
from culturedata.messages import t
from culturedata.server.answers import etag, none_match
from culturedata.server.headers import content_security_policy
from culturedata.server.labels import (
    LABEL_PREDICATES,
    PREFIXES,
    SCHEMA_HTTP,
    Labeller,
    best_literal,
    compact,
    schema,
    term_label,
)
from culturedata.server.lookups import Lookups, Term
from culturedata.server.negotiation import choose
from culturedata.server.pooled import Pooled, beside, pooled
from culturedata.server.related import Related, related
from culturedata.server.rendering import page_lang, render
from culturedata.server.sparql import GRAPH_FORMATS, problem
from culturedata.server.structured import structured_data

LINK_SCHEMES = ("http", "https", "mailto")
IMAGE_SCHEMES = ("http", "https")  # what an <img> may load (server/headers.py allows them and nothing else)
# Every ASCII character a valid IRI may hold (oxigraph refused the others), kept as it is.
IRI_ASCII = "!#$%&'()*+,-./:;=?@[]_~"
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
            ".rdf": "application/rdf+xml"}
LABELS = {p.value for p in LABEL_PREDICATES}
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IMAGE = {p.value for p in schema("image")}
LOCATION, GEO = schema("location"), schema("geo")
LATITUDE, LONGITUDE = schema("latitude"), schema("longitude")
SUMMARY_ORDER = [f"schema:{name}" for name in (
    "value", "streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry", "latitude",
    "longitude")]
# Where an image's file is, best first: a thumbnail when the record gives one.
IMAGE_FILE = [*schema("thumbnailUrl"), *schema("contentUrl"), *schema("url")]
# The properties a visitor looks for first; the others follow in the order of their labels.
FIRST = [compact(SCHEMA_HTTP + name) for name in (
    "name", "alternateName", "description", "creator", "dateCreated", "startDate", "endDate", "location",
    "organizer", "performer")] + ["qcp:dateStatement", "dcterms:created", "qcp:heldBy"]
# Pages are in the reader's language: from ?lang=, the lang cookie or Accept-Language.
VARY = "Accept, Accept-Language, Cookie"
@dataclass
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    iri: str | None = None
    title: str | None = None  # shown on hover: the CURIE or IRI behind a label, for developers


@dataclass
class Image:
    src: str
    alt: str
    caption: str | None = None
    credit: str | None = None
    licence: Value | None = None


@dataclass
class EntityView:
    iri: str
    name: str
    types: list[Value] = field(default_factory=list)
    properties: list[tuple[Value, list[Value]]] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    provenance: list[tuple[Value, list[Value]]] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    point: tuple[float, float] | None = None  # where it is (its own coordinates, or its place's), for the map
    pooled: Pooled | None = None  # its cluster and the other records of the same thing (pooled.py)


async def entity(request: Request) -> Response:
    started = time.thread_time()  # the page's CPU time, in its Server-Timing header (make bench reads it)
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
    served = request.app.state.reader.served()
    store, snapshot = served.store, served.name
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
    # What every page of this snapshot asks alike is answered once (pagememo.py).
    lookups = Lookups(store, request.app.state.page_memos.of(snapshot), served.merged)
    triples = lookups.describe(node, settings.system_graph)
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
    lang = page_lang(request)
    view = build_view(lookups, iri, triples, settings.system_graph, local_base(request, settings.base_iri), lang)
    jsonld = structured_data(iri, triples, lookups, lang, [i.src for i in view.images])
    page = render(request, "entity.html", view=view, iri=iri, jsonld=jsonld, tiles=settings.map_tiles,
                  points=_map_points(view, lang))
    page.headers["Content-Security-Policy"] = content_security_policy(remote_images=True)  # the records' images
    page.headers.update(headers)
    page.headers["Server-Timing"] = f'cpu;dur={(time.thread_time() - started) * 1000:.2f};desc="CPU ms"'
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
    lookups: Lookups, iri: str, triples: list[ox.Triple], system: str, bases: tuple[str, str], lang: str
) -> EntityView:
    labeller = Labeller(lookups, lang)
    node = ox.NamedNode(iri)
    own = [t for t in triples if t.subject == node]
    names = [t.object for t in own if t.predicate.value in LABELS and isinstance(t.object, ox.Literal)]
    view = EntityView(iri=iri, name=best_literal(names, lang) or iri)
    grouped: dict[str, list[Value]] = {}
    for triple in own:
        if triple.predicate.value == TYPE:
            view.types.append(_term(triple.object, labeller, lookups, bases, triples))
        elif triple.predicate.value in IMAGE and (image := _image(triple.object, labeller, lookups, triples, lang)):
            view.images.append(image)
        else:
            grouped.setdefault(triple.predicate.value, []).append(_term(triple.object, labeller, lookups, bases, triples))
    view.properties = sorted(
        ((_property(p, labeller, bases), values) for p, values in grouped.items()), key=_reading_order)
    view.related = related(node, own, lookups, labeller)
    view.point = _point(node, lookups)
    view.pooled = pooled(node, own, lookups, labeller, bases[0], lambda target: _href(target, bases))
    view.properties = beside(view.properties, view.pooled)
    for group in view.related:
        for link in group.links:
            link.iri = _href(link.iri, bases) or ""
    view.graphs = [g for g in lookups.graphs(node) if g != system]
    facts: dict[str, list[Value]] = {}
    for graph in view.graphs:
        for quad in lookups.in_graph(ox.NamedNode(graph), system):
            facts.setdefault(quad.predicate.value, []).append(_provenance(quad.object, labeller, lookups, bases))
            if "warning" in quad.predicate.value.lower() or "finding" in quad.predicate.value.lower():
                view.warnings.append(_plain(quad.object))
    view.provenance = sorted(
        ((_property(p, labeller, bases), values) for p, values in facts.items()), key=_reading_order)
    return view


def _map_points(view: EntityView, lang: str) -> list[dict[str, object]]:
    """The map's one marker, in the shape static/regions.js reads (regionpages.py's points)."""
    if view.point is None:
        return []
    item = {"name": view.name, "kind": "places", "kind_label": t("server.regions.places", lang)}
    return [{"lat": view.point[0], "lon": view.point[1], "items": [item]}]


def _point(node: ox.NamedNode, lookups: Lookups) -> tuple[float, float] | None:
    """The entity's coordinates: its own (`schema:latitude`/`longitude`, directly or on its
    `schema:geo`), else those of its `schema:location` (an event's venue). A few lookups by
    subject; the first pair that reads as numbers in range wins."""
    places: list[Term] = [node]
    places += [q.object for p in LOCATION for q in lookups.objects(node, p, limit=3)]
    for place in places:
        if isinstance(place, (ox.Literal, ox.Triple)):
            continue
        for spot in [place, *(q.object for p in GEO for q in lookups.objects(place, p, limit=2))]:
            if isinstance(spot, (ox.Literal, ox.Triple)):
                continue
            found = _coordinates(lookups, spot)
            if found:
                return found
    return None


def _coordinates(lookups: Lookups, spot: ox.NamedNode | ox.BlankNode) -> tuple[float, float] | None:
    values = {}
    for axis, predicates in (("lat", LATITUDE), ("lon", LONGITUDE)):
        for predicate in predicates:
            for quad in lookups.objects(spot, predicate, limit=1):
                if isinstance(quad.object, ox.Literal):
                    with contextlib.suppress(ValueError):  # a value that is no number places nothing
                        values[axis] = float(quad.object.value)
    lat, lon = values.get("lat"), values.get("lon")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _provenance(term: Term, labeller: Labeller, lookups: Lookups, bases: tuple[str, str]) -> Value:
    """A provenance fact; where a record came from on the harvesting machine is its file name only
    (the path says nothing to a visitor and tells the world how the server's disks are laid out)."""
    if isinstance(term, ox.NamedNode) and term.value.lower().startswith("file:"):
        return Value(_file_name(unquote(urlsplit(term.value).path)))
    if isinstance(term, ox.Literal) and _is_local_path(term.value):
        return Value(_file_name(unquote(urlsplit(term.value).path) if term.value.lower().startswith("file:")
                                else term.value))
    return _term(term, labeller, lookups, bases, [])


def _is_local_path(text: str) -> bool:
    return text.lower().startswith("file:") or text.startswith(("/", "~")) or re.match(r"[A-Za-z]:[\\/]", text) is not None


def _file_name(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("/\\"))[-1] or path


def _property(iri: str, labeller: Labeller, bases: tuple[str, str]) -> Value:
    """A property by its name in the page's language, its CURIE on hover."""
    curie = compact(iri)
    label = labeller.label(iri)
    return Value(label[:1].upper() + label[1:] if label else curie, _href(iri, bases), iri=iri, title=curie)


def _reading_order(row: tuple[Value, list[Value]]) -> tuple[int, str]:
    curie = row[0].title or ""
    return (FIRST.index(curie) if curie in FIRST else len(FIRST), row[0].text.casefold())


def _term(
    term: Term, labeller: Labeller, lookups: Lookups, bases: tuple[str, str], triples: list[ox.Triple]
) -> Value:
    """A value as a visitor reads it: an IRI by its label (or, for an address, coordinates or an
    identifier that has none, by its own values), a literal as it is."""
    if not isinstance(term, ox.NamedNode):
        return _value(term, {}, bases, triples)
    curie = compact(term.value)
    label = labeller.label(term.value) or _summary(term, labeller, lookups)
    return Value(label or curie, _href(term.value, bases), iri=term.value, title=curie if label else None)


def _summary(node: ox.NamedNode, labeller: Labeller, lookups: Lookups) -> str | None:
    """The values of an unnamed structured node (an address, coordinates, an identifier), in one
    line, in the order they are read (street before town, latitude before longitude); unnamed IRIs
    left out."""
    parts: list[tuple[int, str]] = []
    for quad in lookups.objects(node, limit=12):
        value = quad.object
        if quad.predicate.value == TYPE or isinstance(value, ox.BlankNode | ox.Triple):
            continue
        text = value.value if isinstance(value, ox.Literal) else labeller.label(value.value)
        if text:
            name = compact(quad.predicate.value)
            parts.append((SUMMARY_ORDER.index(name) if name in SUMMARY_ORDER else len(SUMMARY_ORDER), text))
    # A bare address beside the values (an identifier's scheme, a unit's IRI) tells a visitor nothing.
    shown = [text for _, text in sorted(parts, key=lambda part: part[0])]
    words = [text for text in shown if not text.startswith(("http://", "https://"))]
    return ", ".join(words or shown) or None


def _image(term: Term, labeller: Labeller, lookups: Lookups, triples: list[ox.Triple], lang: str) -> Image | None:
    """The image an `schema:image` value names, with its credit and licence when the record gives them;
    None when there is nothing an <img> may load (the value stays in the table)."""
    if isinstance(term, ox.Literal):
        return Image(term.value, term.value) if _loadable(term.value) else None
    if isinstance(term, ox.Triple):
        return None
    facts = ([ox.Quad(t.subject, t.predicate, t.object) for t in triples if t.subject == term]
             if isinstance(term, ox.BlankNode) else lookups.objects(term, limit=50))
    by: dict[str, list[Term]] = {}
    for quad in facts:
        by.setdefault(quad.predicate.value, []).append(quad.object)
    files = [o.value for p in IMAGE_FILE for o in by.get(p.value, []) if not isinstance(o, ox.Triple)]
    if not files and isinstance(term, ox.NamedNode) and not facts:
        files = [term.value]  # the value is the image's own address
    src = next((f for f in files if _loadable(f)), None)
    if src is None:
        return None

    def text(name: str) -> str | None:
        return best_literal([o for p in schema(name) for o in by.get(p.value, []) if isinstance(o, ox.Literal)], lang)

    licence = next((o for p in schema("license") for o in by.get(p.value, [])), None)
    shown = None
    if isinstance(licence, ox.NamedNode):
        shown = Value(term_label(licence.value, lang) or licence.value, _href(licence.value, ("", "")),
                      iri=licence.value, title=licence.value)
    elif isinstance(licence, ox.Literal):
        shown = Value(licence.value)
    caption = text("caption") or text("name")
    return Image(src, caption or "", caption=caption, credit=text("creditText"), licence=shown)


def _loadable(url: str) -> bool:
    return url.partition(":")[0].lower() in IMAGE_SCHEMES


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

"""/reconcile: the W3C Entity Reconciliation Community Group's Reconciliation Service API v0.2
(https://reconciliation-api.github.io/specs/0.2/), as OpenRefine speaks it.

- `GET /reconcile` with no query: the service manifest;
- `queries` (JSON, in the query string or form-encoded in a POST): a batch of reconciliation
  queries, each with `query`, `type`, `limit` and `properties` (dates, locality, identifiers);
- `extend` (JSON, the same ways): data extension, with `/reconcile/propose_properties`;
- `/reconcile/suggest/{entity,type,property}?prefix=`, `/reconcile/preview?id=`.

Candidates come from the snapshot's search index (pooling/searchindex.py), any word of the
query; each is scored by pooling's own scoring (`pooling.score`: names, dates, places), 0 to 100.
A shared authority id is a certain match; two different ids of one authority are never one
(as pooling decides). Entity ids are the entities' IRIs, which dereference.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from culturedata import __version__
from culturedata.iris import entity_space
from culturedata.messages import t
from culturedata.pooling import (
    CONFLICT_CAP,
    Hit,
    SearchIndex,
    as_entity,
    canonical,
    local_name,
    query_entity,
    score,
    words,
)
from culturedata.server.headers import content_security_policy
from culturedata.server.rendering import environment, page_lang
from culturedata.server.search import with_index
from culturedata.server.sparql import problem

SCHEMA = "http://schema.org/"
QCP = "https://w3id.org/culturedata/ns/qcp#"
MAX_QUERIES = 50  # per batch (OpenRefine sends 10)
MAX_BODY = 256 * 1024  # characters of `queries` or `extend`
MAX_CANDIDATES = 25
DEFAULT_LIMIT = 5
MAX_EXTEND_IDS = 100
CONFLICT = 100 * CONFLICT_CAP  # pooling's cap when two ids of one authority differ, on the API's 0-100 scale
DEFAULT_TYPES = [(f"{SCHEMA}Person", "Person"), (f"{SCHEMA}Organization", "Organization"),
                 (f"{QCP}HeritageObject", "HeritageObject"), (f"{SCHEMA}Event", "Event"), (f"{SCHEMA}Place", "Place")]
AUTHORITY_PREFIX = {"wikidata": "http://www.wikidata.org/entity/", "ulan": "http://vocab.getty.edu/ulan/"}


@dataclass(frozen=True, slots=True)
class Property:
    id: str
    names: dict[str, str]


# The properties a query may constrain and data extension may fetch.
PROPERTIES = [
    Property("birthDate", {"en": "birth or founding year", "fr": "année de naissance ou de fondation"}),
    Property("deathDate", {"en": "death or dissolution year", "fr": "année de décès ou de dissolution"}),
    Property("locality", {"en": "place (municipality, birth or death place)", "fr": "lieu (municipalité, lieu de naissance ou de décès)"}),
    Property("wikidata", {"en": "Wikidata id", "fr": "identifiant Wikidata"}),
    Property("ulan", {"en": "ULAN id (Getty)", "fr": "identifiant ULAN (Getty)"}),
    Property("sameAs", {"en": "authority id (Wikidata, ULAN, VIAF, ISNI, GND, Artsdata)", "fr": "identifiant d'autorité (Wikidata, ULAN, VIAF, ISNI, GND, Artsdata)"}),
    Property("region", {"en": "administrative region", "fr": "région administrative"}),
    Property("institution", {"en": "institution (the source)", "fr": "institution (la source)"}),
    Property("pooled", {"en": "the same entity across sources", "fr": "la même entité d'une source à l'autre"}),
]
BY_ID = {p.id: p for p in PROPERTIES}
EXTENDABLE = ("birthDate", "deathDate", "wikidata", "ulan", "sameAs", "region", "institution", "pooled", "locality")


class BadRequest(ValueError):
    """A request the API cannot read; answered 400 with the message code."""


def origin(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def manifest(request: Request) -> dict[str, Any]:
    here, base = origin(request), request.app.state.settings.base_iri
    return {
        "versions": ["0.2"],
        "name": t("server.reconcile.name", page_lang(request), base=base),
        "identifierSpace": entity_space(base),
        "schemaSpace": SCHEMA,
        "documentation": f"{here}/search",
        "serviceVersion": __version__,
        "view": {"url": "{{id}}"},  # ids are the entities' IRIs, which dereference
        "defaultTypes": [{"id": iri, "name": name} for iri, name in DEFAULT_TYPES],
        "suggest": {kind: {"service_url": here, "service_path": f"/reconcile/suggest/{kind}"}
                    for kind in ("entity", "type", "property")},
        "preview": {"url": f"{here}/reconcile/preview?id={{{{id}}}}", "width": 420, "height": 120},
        "extend": {"propose_properties": {"service_url": here, "service_path": "/reconcile/propose_properties"},
                   "property_settings": []},
    }


async def _param(request: Request, name: str) -> str | None:
    """A parameter from the query string or a form-encoded body, as OpenRefine sends either."""
    if name in request.query_params:
        return request.query_params[name]
    if request.method == "POST" and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form(max_files=0, max_fields=20, max_part_size=MAX_BODY) as form:
            value = form.get(name)
            return value if isinstance(value, str) else None
    return None


def _json(text: str) -> Any:
    if len(text) > MAX_BODY:
        raise BadRequest("server.reconcile.too_big")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadRequest("server.reconcile.bad_json") from exc


async def reconcile(request: Request) -> Response:
    try:
        queries = await _param(request, "queries")
        extend = await _param(request, "extend") if queries is None else None
        if queries is not None:
            batch = _json(queries)
            if not isinstance(batch, dict) or len(batch) > MAX_QUERIES:
                raise BadRequest("server.reconcile.bad_queries")
            match = request.app.state.settings.reconcile_match
            answer = await with_index(request, lambda index: {str(key): {"result": candidates(index, q, match)}
                                                              for key, q in batch.items()})
        elif extend is not None:
            wanted = _json(extend)
            answer = await with_index(request, lambda index: extension(request, index, wanted))
        else:
            return JSONResponse(manifest(request))
    except BadRequest as exc:
        return problem(request, 400, str(exc))
    if answer is None:
        return problem(request, 503, "server.search.unavailable")
    return JSONResponse(answer)


# -- reconciliation ---------------------------------------------------------------------------


@dataclass
class _Wanted:
    born: int | None = None
    died: int | None = None
    places: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()


def _values(value: object) -> list[str]:
    """A property's values as text: a string, a number, an entity ({id, name}), or a list of them."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items[:20]:
        if isinstance(item, dict):
            item = item.get("id") or item.get("name")
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            found.append(str(item)[:200])
    return found


def _year(text: str) -> int | None:
    digits = text.strip().lstrip("-")[:4]
    return int(digits) if len(digits) == 4 and digits.isdigit() else None


def _wanted(properties: object) -> _Wanted:
    wanted = _Wanted()
    if not isinstance(properties, list):
        return wanted
    places: list[str] = []
    authorities: list[str] = []
    for constraint in properties[:20]:
        if not isinstance(constraint, dict):
            raise BadRequest("server.reconcile.bad_queries")
        pid, values = str(constraint.get("pid", "")), _values(constraint.get("v"))
        if pid == "birthDate" and values:
            wanted.born = _year(values[0])
        elif pid == "deathDate" and values:
            wanted.died = _year(values[0])
        elif pid == "locality":
            places += values
        elif pid in ("wikidata", "ulan", "sameAs"):
            only = None if pid == "sameAs" else pid
            authorities += [a for v in values if (a := canonical(v, only) or canonical(v))]
    wanted.places, wanted.authorities = tuple(places), tuple(authorities)
    return wanted


def candidates(index: SearchIndex, query: object, match: float) -> list[dict[str, Any]]:
    """One query's candidates, best first, as the result batch schema has them; the best is a
    match from the score `match` (0 to 1, `pooling.reconcile_match`), alone at that height."""
    if not isinstance(query, dict):
        raise BadRequest("server.reconcile.bad_queries")
    text = query.get("query", "")
    text = text if isinstance(text, str) else ""
    types = query.get("type") or []
    types = [types] if isinstance(types, str) else [t for t in types if isinstance(t, str)][:10]
    limit = query.get("limit", DEFAULT_LIMIT)
    finite = isinstance(limit, int | float) and not isinstance(limit, bool) and math.isfinite(limit)
    limit = max(1, min(int(limit), MAX_CANDIDATES)) if finite else DEFAULT_LIMIT
    wanted = _wanted(query.get("properties"))
    found: dict[str, Hit] = {}
    for authority in wanted.authorities:
        for hit in index.with_authority(authority):
            found.setdefault(hit.iri, hit)
    if words(text):
        filters = {"type": types} if types else {}
        for hit in index.search(text, filters, limit=max(4 * limit, 20), facets=False, any_word=True).hits:
            found.setdefault(hit.iri, hit)
    if types:
        found = {iri: hit for iri, hit in found.items() if set(hit.types) & set(types)}
    scored = sorted((_scored(hit, text, wanted) for hit in found.values()), key=lambda r: (-r[0], r[1].iri))[:limit]
    sure = round(100 * match, 6)  # on the API's 0-100 scale (100 * 0.92 is 92.00000000000001)
    certain = [s for s, _, _ in scored if s >= sure]
    results = []
    for position, (value, hit, name_score) in enumerate(scored):
        # A match when it is the only candidate this good (two of one cluster are one thing).
        alone = len(certain) == 1 or (certain and all(h.cluster and h.cluster == hit.cluster
                                                      for s, h, _ in scored if s >= sure))
        results.append({
            "id": hit.iri, "name": hit.name, "score": value, "match": bool(position == 0 and value >= sure and alone),
            "type": [{"id": iri, "name": local_name(iri)} for iri in hit.types],
            "description": _description(hit),
            "features": [{"id": "name", "value": name_score}],
        })
    return results


def _scored(hit: Hit, text: str, wanted: _Wanted) -> tuple[float, Hit, float]:
    shared = set(wanted.authorities) & set(hit.authorities)
    if shared:
        return 100.0, hit, 1.0
    names = (text,) if words(text) else ()
    query = query_entity("query", hit.types, names, wanted.born, wanted.died, wanted.places, wanted.authorities)
    result = score(query, as_entity(hit)) if names else None
    value = round(100 * result.value, 1) if result else 0.0
    # Two ids of one authority that differ: never the same (pooling's rule).
    authorities = {a.rsplit("/", 1)[0] for a in hit.authorities}
    if any(a.rsplit("/", 1)[0] in authorities for a in wanted.authorities):
        value = min(value, CONFLICT)
    return value, hit, round(result.name, 3) if result else 0.0


def _description(hit: Hit) -> str:
    parts = [", ".join(local_name(t) for t in hit.types)]
    if hit.born or hit.died:
        parts.append(f"{hit.born or ''}–{hit.died or ''}")
    if hit.institution:
        parts.append(hit.institution)
    return " · ".join(p for p in parts if p)


# -- data extension ---------------------------------------------------------------------------


def extension(request: Request, index: SearchIndex, wanted: object) -> dict[str, Any]:
    if not isinstance(wanted, dict) or not isinstance(wanted.get("ids"), list) or not isinstance(
            wanted.get("properties"), list):
        raise BadRequest("server.reconcile.bad_extend")
    ids = [i for i in wanted["ids"] if isinstance(i, str)][:MAX_EXTEND_IDS]
    asked = [p.get("id") for p in wanted["properties"] if isinstance(p, dict)][:20]
    properties = [BY_ID[p] for p in asked if isinstance(p, str) and p in EXTENDABLE]
    lang = page_lang(request)
    hits = {hit.iri: hit for hit in index.get(ids)}
    labels = {**index.labels("region"), **index.labels("institution")}
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for iri in ids:
        hit = hits.get(iri)
        rows[iri] = {p.id: _extended(hit, p.id, labels, lang) if hit else [] for p in properties}
    return {"meta": [{"id": p.id, "name": p.names.get(lang, p.names["en"])} for p in properties], "rows": rows}


def _extended(hit: Hit, pid: str, labels: dict[str, dict[str, str]], lang: str) -> list[dict[str, Any]]:
    def label(value: str | None) -> list[dict[str, Any]]:
        named = labels.get(value or "", {})
        text = named.get(lang) or named.get("fr") or value
        return [{"str": text}] if text else []

    if pid == "birthDate":
        return [{"int": hit.born}] if hit.born is not None else []
    if pid == "deathDate":
        return [{"int": hit.died}] if hit.died is not None else []
    if pid in AUTHORITY_PREFIX:
        prefix = AUTHORITY_PREFIX[pid]
        return [{"str": a.removeprefix(prefix)} for a in hit.authorities if a.startswith(prefix)]
    if pid == "sameAs":
        return [{"str": a} for a in hit.authorities if not a.startswith("urn:")]
    if pid == "region":
        return label(hit.region)
    if pid == "institution":
        return label(hit.institution)
    if pid == "pooled":
        return [{"id": hit.cluster, "name": hit.name}] if hit.cluster else []
    return [{"str": place} for place in hit.places]


async def propose_properties(request: Request) -> Response:
    lang = page_lang(request)
    kind = request.query_params.get("type", "")[:300]
    try:
        limit = max(1, min(int(request.query_params.get("limit", "20")), len(EXTENDABLE)))
    except ValueError:
        limit = len(EXTENDABLE)
    offered = [BY_ID[p] for p in EXTENDABLE][:limit]
    return JSONResponse({"type": kind, "limit": limit,
                         "properties": [{"id": p.id, "name": p.names.get(lang, p.names["en"])} for p in offered]})


# -- suggest and preview ----------------------------------------------------------------------


async def suggest(request: Request) -> Response:
    kind = request.path_params["kind"]
    prefix = request.query_params.get("prefix", "")[:200]
    lang = page_lang(request)
    if kind == "property":
        folded = prefix.casefold()
        return JSONResponse({"result": [
            {"id": p.id, "name": p.names.get(lang, p.names["en"])} for p in PROPERTIES
            if folded in p.id.casefold() or folded in p.names.get(lang, p.names["en"]).casefold()]})
    if kind == "type":
        counted = await with_index(request, lambda index: index.type_counts())
        if counted is None:
            return problem(request, 503, "server.search.unavailable")
        folded = prefix.casefold()
        return JSONResponse({"result": [{"id": iri, "name": local_name(iri)} for iri, _ in counted
                                        if local_name(iri).casefold().startswith(folded)][:20]})
    if kind != "entity":
        return problem(request, 404, "server.reconcile.no_suggest")
    found = await with_index(request, lambda index: index.search(prefix, limit=10, prefix=True, facets=False))
    if found is None:
        return problem(request, 503, "server.search.unavailable")
    return JSONResponse({"result": [
        {"id": h.iri, "name": h.label(lang), "description": _description(h),
         "notable": [{"id": iri, "name": local_name(iri)} for iri in h.types]} for h in found.hits]})


async def preview(request: Request) -> Response:
    iri = request.query_params.get("id", "")[:2000]
    found = await with_index(request, lambda index: index.get([iri]))
    if found is None:
        return problem(request, 503, "server.search.unavailable")
    if not found:
        return problem(request, 404, "server.reconcile.unknown")
    hit = found[0]
    lang = page_lang(request)
    base: str = request.app.state.settings.base_iri
    html = environment().get_template("reconcile_preview.html").render(
        hit=hit, lang=lang, href="/" + hit.iri[len(base):] if hit.iri.startswith(base) else hit.iri,
        description=_description(hit))
    # OpenRefine shows the preview in a frame of its own page: this answer, unlike the others, may be framed.
    policy = content_security_policy().replace("frame-ancestors 'none'", "frame-ancestors *")
    return HTMLResponse(html, headers={"Content-Security-Policy": policy, "Vary": "Accept-Language, Cookie"})


__all__ = ["preview", "propose_properties", "reconcile", "suggest"]

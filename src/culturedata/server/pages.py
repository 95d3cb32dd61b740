"""Pages for people: the query page, the validation page and the dashboard."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from culturedata.errors import CultureDataError
from culturedata.iris import entity_space
from culturedata.messages import t
from culturedata.server.dashboard import region_rows, source_histories
from culturedata.server.describe import dump_files
from culturedata.server.rendering import page_lang, render
from culturedata.server.terms import vocabulary_json

if TYPE_CHECKING:  # validation is imported on the first upload only (see _profiles)
    from culturedata.server.validation import Profile
    from culturedata.validate import ExportReport

# Example queries, grouped by who asks them (the page shows one row of buttons per audience).
EXAMPLES = {
    "quality_per_source": """PREFIX run: <https://w3id.org/culturedata/ns/run#>
# Stewards: each source's quality, as the run report and the dashboard give it: the share of its
# live records (published, quarantined or held) without a violation (run:violation)
SELECT ?source (COUNT(?record) AS ?live) (SUM(?broken) AS ?withViolation)
       ((COUNT(?record) - SUM(?broken)) / COUNT(?record) AS ?quality) WHERE {
  ?record run:source ?source ; run:status ?status .
  FILTER(?status IN (run:Published, run:Quarantined, run:Held))
  BIND(IF(EXISTS { ?record run:violation ?rule }, 1, 0) AS ?broken)
}
GROUP BY ?source ORDER BY ?source""",
    "quarantine_rules": """PREFIX run: <https://w3id.org/culturedata/ns/run#>
# Stewards: the rules that keep each source's records in quarantine, most frequent first
SELECT ?source ?rule (COUNT(?record) AS ?records) WHERE {
  ?record run:source ?source ; run:rule ?rule .
}
GROUP BY ?source ?rule ORDER BY DESC(?records)""",
    "my_objects": """PREFIX schema: <http://schema.org/>
PREFIX qcp: <https://w3id.org/culturedata/ns/qcp#>
PREFIX run: <https://w3id.org/culturedata/ns/run#>
# Museums: my objects as published (put your source's id in VALUES)
SELECT ?object (SAMPLE(?name) AS ?objectLabel) ?status WHERE {
  VALUES ?source { "musee-fjord-bleu" "musee-test" }
  ?record run:source ?source ; run:status ?status .
  GRAPH ?record { ?object a qcp:HeritageObject . OPTIONAL { ?object schema:name ?name } }
}
GROUP BY ?object ?status ORDER BY ?objectLabel""",
    "museums_without_geo": """PREFIX schema: <http://schema.org/>
# Museums and organisations with no geographic coordinates
SELECT ?org ?name WHERE {
  { ?org a schema:Museum } UNION { ?org a schema:Organization }
  OPTIONAL { ?org schema:name ?name }
  FILTER NOT EXISTS { ?org (schema:location|schema:geo)/schema:geo? ?g . ?g schema:latitude ?lat }
}
ORDER BY ?name LIMIT 200""",
    "artists_across_museums": """PREFIX schema: <http://schema.org/>
PREFIX qcp: <https://w3id.org/culturedata/ns/qcp#>
# Artists whose works are held by more than one museum
SELECT ?artist (SAMPLE(?name) AS ?artistLabel) (COUNT(DISTINCT ?museum) AS ?museums) WHERE {
  ?object schema:creator ?artist ; qcp:heldBy ?museum .
  OPTIONAL { ?artist schema:name ?name }
}
GROUP BY ?artist HAVING (COUNT(DISTINCT ?museum) > 1) ORDER BY DESC(?museums)""",
    "objects_per_region": """PREFIX schema: <http://schema.org/>
PREFIX qcp: <https://w3id.org/culturedata/ns/qcp#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# Developers: objects per administrative region (through the holding museum's place),
# with the region's name from the regions vocabulary
SELECT ?region (SAMPLE(?name) AS ?regionLabel) (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  ?object a qcp:HeritageObject ;
          (qcp:heldBy|schema:location|schema:containedInPlace)+ ?region .
  FILTER(STRSTARTS(STR(?region), "https://w3id.org/culturedata/vocab/regions/"))
  OPTIONAL { ?region skos:prefLabel ?name FILTER(LANG(?name) = "fr") }
}
GROUP BY ?region ORDER BY DESC(?objects)""",
    "types_per_region": """PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# Developers: organisations, places and events per region and kind, joined to the regions
# vocabulary and to the types vocabularies (schema:additionalType), by their French names
SELECT ?region (SAMPLE(?name) AS ?regionLabel) ?kind (SAMPLE(?kindName) AS ?kindLabel)
       (COUNT(DISTINCT ?entity) AS ?entities) WHERE {
  ?region skos:inScheme <https://w3id.org/culturedata/vocab/regions> .
  ?entity (schema:location|schema:containedInPlace)+ ?region .
  FILTER NOT EXISTS { ?entity skos:inScheme ?scheme }  # the vocabularies' own places
  { ?entity schema:additionalType ?kind .
    OPTIONAL { ?kind skos:prefLabel ?kindName FILTER(LANG(?kindName) = "fr") } }
  UNION { ?entity a ?kind FILTER NOT EXISTS { ?entity schema:additionalType ?other } }
  OPTIONAL { ?region skos:prefLabel ?name FILTER(LANG(?name) = "fr") }
}
GROUP BY ?region ?kind ORDER BY ?region DESC(?entities)""",
    "events_this_week": """PREFIX schema: <http://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
# Events starting in the next seven days
SELECT ?event ?name ?start WHERE {
  ?event a schema:Event ; schema:startDate ?start .
  OPTIONAL { ?event schema:name ?name }
  BIND(xsd:dateTime(?start) AS ?when)
  FILTER(?when >= NOW() && ?when < NOW() + "P7D"^^xsd:dayTimeDuration)
}
ORDER BY ?start""",
    "graphs": """# How many triples each record graph holds (the first 100)
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY DESC(?triples) LIMIT 100""",
}
AUDIENCES = {
    "stewards": ["quality_per_source", "quarantine_rules"],
    "museums": ["my_objects", "museums_without_geo", "artists_across_museums"],
    "developers": ["objects_per_region", "types_per_region", "events_this_week", "graphs"],
}


async def home(request: Request) -> Response:
    return RedirectResponse("/query" + (f"?{request.url.query}" if request.url.query else ""), status_code=303)


async def query_page(request: Request) -> Response:
    chosen = request.query_params.get("example", "graphs")
    query = request.query_params.get("query") or EXAMPLES.get(chosen, EXAMPLES["graphs"])
    return render(request, "query.html", examples=EXAMPLES, audiences=AUDIENCES, query=query,
                  entities=entity_space(request.app.state.settings.base_iri), dumps=dump_files(request))


async def query_terms(request: Request) -> Response:
    """The prefixes and profile terms the editor completes (terms.py), built once per process."""
    return Response(vocabulary_json(), media_type="application/json", headers={"Cache-Control": "max-age=3600"})


def _profiles(request: Request) -> list[Profile]:
    # validation pulls in pySHACL, the shapes and the mappings: loaded on the first upload only.
    from culturedata.server.validation import profiles

    return profiles(request.app.state.settings.config)


def _page(request: Request, choices: list[Profile], status: int = 200, **context: Any) -> Response:
    """The validation page, offering the files `culturedata validate` reads (the harvest's kinds)."""
    from culturedata.harvest import KINDS_BY_SUFFIX

    limit = request.app.state.settings.upload_limit
    return render(request, "validate.html", status=status, profiles=choices, accept=",".join(sorted(KINDS_BY_SUFFIX)),
                  upload_limit=limit, too_large=t("server.upload_too_large", page_lang(request), limit=limit // 1_000_000),
                  **context)


async def validate_page(request: Request) -> Response:
    choices = _profiles(request)
    if request.method == "GET":
        return _page(request, choices)
    outcome = await _validate(request, choices)
    if isinstance(outcome, Response):
        return outcome
    report, filename, profile = outcome
    from culturedata.server.reportview import report_view
    from culturedata.validate import summary_line

    # Seconds of work for a large export: off the event loop, as the check itself.
    loop, threads, keeper = asyncio.get_running_loop(), request.app.state.query_threads, request.app.state.reports
    lang = page_lang(request)
    token = await loop.run_in_executor(threads, keeper.keep, report, filename)
    view = await loop.run_in_executor(threads, report_view, report, filename, lang)
    return _page(request, choices, chosen=profile.key, token=token, keep_minutes=int(keeper.ttl // 60),
                 profile_label=profile.label[lang], headline=summary_line(report.summary, lang), **view)


async def validate_download(request: Request) -> Response:
    """The report as `culturedata validate --format FMT` writes it for the same file and
    language: the page's own, kept a short while (`?report=` its token, reportkeeper.py), or
    that of a file posted with the request."""
    from culturedata.server.validation import download
    from culturedata.validate import FORMATS

    fmt = request.path_params["fmt"]
    lang = page_lang(request)
    if fmt not in FORMATS:
        return Response(t("server.validate.no_format", lang, formats=", ".join(FORMATS)), status_code=404,
                        media_type="text/plain; charset=utf-8")
    if request.method == "GET":
        kept = request.app.state.reports.get(request.query_params.get("report", ""))
        if kept is None:
            return _page(request, _profiles(request), status=410, error=t("server.validate.expired", lang))
        report = await asyncio.get_running_loop().run_in_executor(request.app.state.query_threads, kept.report)
        filename = kept.filename
    else:
        outcome = await _validate(request, _profiles(request))
        if isinstance(outcome, Response):
            return outcome
        report, filename, _ = outcome
    chunks, media_type, name = download(report, fmt, lang, filename)
    return StreamingResponse(chunks, media_type=media_type,  # made in Starlette's threads as it is sent
                             headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


async def _validate(request: Request, choices: list[Profile]) -> tuple[ExportReport, str, Profile] | Response:
    """The posted export, streamed to disk under the upload limit (uploads.py) and checked as
    `culturedata validate` checks it; or the page with the reason it was not."""
    from culturedata.server.uploads import UploadRefused, received
    from culturedata.server.validation import validate_saved_upload

    settings = request.app.state.settings
    lang = page_lang(request)
    limit = settings.upload_limit
    profile = None
    try:
        async with received(request, limit) as upload:
            profile = next((p for p in choices if p.key == upload.fields.get("profile")), None)
            if profile is None:
                raise UploadRefused(400, "server.upload_missing")
            report = await asyncio.get_running_loop().run_in_executor(
                request.app.state.query_threads, validate_saved_upload, upload.path, profile, settings.base_iri,
                limit,  # a zip is decoded no further than a plain upload may be long
            )
            return report, upload.filename, profile
    except UploadRefused as refused:
        return _page(request, choices, status=refused.status, error=t(refused.code, lang, limit=limit // 1_000_000))
    except CultureDataError as exc:
        return _page(request, choices, status=422, error=t(exc.code, lang, **exc.params),
                     chosen=profile.key if profile else None)


async def dashboard(request: Request) -> Response:
    reader = request.app.state.reader
    lang = page_lang(request)
    histories = source_histories(reader.snapshots.root / "reports")
    try:
        regions = region_rows(reader.store(), lang)
    except (OSError, SyntaxError):
        regions = []
    if request.query_params.get("format") == "json":
        from starlette.responses import JSONResponse

        return JSONResponse({
            "sources": [{"source": h.source, "last": h.last, "quality": h.runs, "rules": h.rules} for h in histories],
            "regions": [{"region": r.region, "label": r.label, **r.counts} for r in regions],
        })
    peak = max((max(r.counts.values(), default=0) for r in regions), default=0)
    return render(request, "dashboard.html", histories=histories, regions=regions, peak=peak or 1)


__all__ = ["dashboard", "home", "query_page", "query_terms", "validate_download", "validate_page"]

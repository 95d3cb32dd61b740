"""`create_app(snapshots)`: the web face of the published snapshot."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from culturedata import __version__
from culturedata.iris import ENTITY_PATH
from culturedata.server import crawlers, describe, entities, health, pages, reconcile, regionpages, search
from culturedata.server.answers import AnswerCache
from culturedata.server.graphstore import graph_store
from culturedata.server.hotpath import Endpoint
from culturedata.server.inline import InlinePolicy
from culturedata.server.pagememo import PageMemos
from culturedata.server.reader import LiveStore, SnapshotReader
from culturedata.server.regions import RegionIndex
from culturedata.server.rendering import STATIC
from culturedata.server.reportkeeper import ReportKeeper
from culturedata.server.settings import ServerSettings
from culturedata.server.sparql import sparql_endpoint
from culturedata.server.workers import WorkerPool
from culturedata.store import Snapshots

GSP_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


async def versions(request: Request) -> JSONResponse:
    reader = request.app.state.reader
    return JSONResponse({"culturedata": __version__, "snapshot": reader.label, "writable": reader.writable})


def create_app(snapshots: Snapshots, settings: ServerSettings | None = None) -> Starlette:
    settings = settings or ServerSettings()
    # Visitors' queries go to worker processes (workers.py), which can be killed. The threads run
    # our own bounded queries (Graph Store reads, the sitemap, the validation page), and a
    # writable server's queries: its live store cannot be opened by another process.
    query_threads = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sparql")
    # One writer at a time: Oxigraph transactions are per call, and ordering keeps PUT-then-GET sane.
    update_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sparql-update")
    workers = None if settings.updates else WorkerPool(settings.query_workers)

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        if workers is not None:
            await workers.start()
        yield
        if workers is not None:
            await workers.close()
        query_threads.shutdown(wait=False, cancel_futures=True)
        update_thread.shutdown(wait=True)
        app.state.reports.close()

    app = Endpoint(
        routes=[
            Route("/", pages.home),
            Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
            Route("/store", graph_store, methods=GSP_METHODS),
            Route("/store/{path:path}", graph_store, methods=GSP_METHODS),
            Route(f"/{ENTITY_PATH}{{path:path}}", entities.entity),
            Route("/robots.txt", crawlers.robots),
            Route("/sitemap.xml", crawlers.sitemap),
            Route("/sitemaps/{number:int}.xml", crawlers.sitemap_page),
            Route("/healthz", health.healthz),
            Route("/metrics", health.metrics),
            Route("/.well-known/void", describe.void_description),
            Route("/catalog", describe.void_description),
            Route("/dumps/{name}", describe.dump),
            Route("/query", pages.query_page),
            Route("/query/terms.json", pages.query_terms),
            Route("/validate", pages.validate_page, methods=["GET", "POST"]),
            Route("/validate/report.{fmt}", pages.validate_download, methods=["GET", "POST"]),
            Route("/dashboard", pages.dashboard),
            Route("/search", search.search_page),
            Route("/reconcile", reconcile.reconcile, methods=["GET", "POST"]),
            Route("/reconcile/propose_properties", reconcile.propose_properties),
            Route("/reconcile/suggest/{kind}", reconcile.suggest),
            Route("/reconcile/preview", reconcile.preview),
            Route("/regions", regionpages.regions_page),
            Route("/regions/{code}", regionpages.region_page),
            Route("/-/versions", versions),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(
                CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "HEAD"] + GSP_METHODS,
                allow_headers=["Accept", "Content-Type", "Authorization"], expose_headers=["Location"],
            )
        ],
        lifespan=lifespan,
    )
    live = settings.updates
    app.state.reader = LiveStore(snapshots, settings.live_path(snapshots.root)) if live else SnapshotReader(snapshots)
    app.state.settings = settings
    app.state.query_threads = query_threads
    app.state.workers = workers
    app.state.update_thread = update_thread
    app.state.answers = AnswerCache(settings.response_cache_bytes)
    app.state.inline = InlinePolicy()
    app.state.entity_count = crawlers.EntityCount()
    app.state.page_memos = PageMemos()  # entity pages' answers, per snapshot
    app.state.region_index = RegionIndex()
    app.state.metrics = health.Metrics(app.state.reader)
    app.state.reports = ReportKeeper(settings.reports_folder)  # the validation page's, for their downloads
    return app

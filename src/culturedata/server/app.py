"""`create_app(snapshots)`: the web face of the published snapshot."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from culturedata import __version__
from culturedata.server.reader import SnapshotReader
from culturedata.server.sparql import sparql_endpoint
from culturedata.store import Snapshots


async def versions(request: Request) -> JSONResponse:
    reader: SnapshotReader = request.app.state.reader
    current = reader.snapshots.current()
    return JSONResponse({"culturedata": __version__, "snapshot": current.name if current else None})


def create_app(snapshots: Snapshots) -> Starlette:
    app = Starlette(
        routes=[
            Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
            Route("/-/versions", versions),
        ],
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"])],
    )
    app.state.reader = SnapshotReader(snapshots)
    return app

"""Serve: the published snapshot over the SPARQL 1.1 Protocol (Starlette + uvicorn)."""

from culturedata.server.app import create_app
from culturedata.server.processes import serve as serve_processes
from culturedata.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "serve_processes"]

"""Serve: the published snapshot over the SPARQL 1.1 Protocol (Starlette + uvicorn)."""

from culturedata.server.app import create_app

__all__ = ["create_app"]

"""What the server needs from `culturedata.toml` and the environment, read once at start."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from culturedata.config import Config
from culturedata.errors import ServerError
from culturedata.iris import system_graph
from culturedata.server.queryguard import QueryLimits

TOKEN_VARIABLE = "CULTUREDATA_UPDATE_TOKEN"


@dataclass(frozen=True)
class ServerSettings:
    base_iri: str = "http://127.0.0.1:8000/"
    query_timeout: float = 30.0
    max_result_bytes: int = 200_000_000
    upload_limit: int = 20_000_000
    response_cache_bytes: int = 64_000_000
    query_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    updates: bool = False
    publisher: str = "culturedata"
    licence: str = "https://creativecommons.org/publicdomain/zero/1.0/"
    query_limits: QueryLimits = field(default_factory=QueryLimits)
    map_tiles: str = ""  # the /regions map's tile URL; empty: no tiles (regionpages.py)
    reconcile_match: float = 0.92  # /reconcile's match flag from this score (pooling.reconcile_match)
    # The bearer token comes from the environment only, never from a file in the repository.
    update_token: str | None = None
    config: Config | None = None
    # Where the validation page keeps its reports for their downloads (reportkeeper.py): a
    # folder the serving processes share; None, a private one of this app's own.
    reports_folder: Path | None = None

    @property
    def system_graph(self) -> str:
        return system_graph(self.base_iri)

    @classmethod
    def from_config(cls, config: Config) -> ServerSettings:
        server = config.settings.server
        updates = server.updates
        token = os.environ.get(TOKEN_VARIABLE) or None
        if updates and not token:
            raise ServerError("server.no_token", variable=TOKEN_VARIABLE)
        return cls(
            base_iri=config.base_iri,
            query_timeout=float(server.query_timeout),
            max_result_bytes=server.max_result_bytes,
            upload_limit=server.upload_limit,
            response_cache_bytes=server.response_cache_mb * 1_000_000,
            query_workers=server.query_workers,
            updates=updates,
            publisher=config.settings.publish.publisher,
            licence=config.settings.publish.licence,
            query_limits=QueryLimits(
                max_bytes=server.max_query_bytes, max_depth=server.max_query_depth,
                max_chain=server.max_query_chain, services=frozenset(server.services.split()),
            ),
            map_tiles=server.map_tiles,
            reconcile_match=config.settings.pooling.reconcile_match,
            update_token=token,
            config=config,
        )

    def shared_by(self, processes: int) -> ServerSettings:
        """The settings of one of `processes` serving processes (processes.py): the query
        workers are shared out, so that N processes start about as many workers as one would."""
        return replace(self, query_workers=max(1, -(-self.query_workers // max(processes, 1))))

    def live_path(self, store_root: Path) -> Path:
        return store_root / "live"

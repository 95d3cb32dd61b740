"""What a supervisor asks: /healthz (is the snapshot open and answering?) and /metrics
(Prometheus text: requests, latencies, queries stopped and why, the snapshot served and its age).

Metrics live in a registry of this app's own, not prometheus_client's process-wide default, so
two apps in one process (the tests run many) never mix their counts. When several processes
serve (processes.py), prometheus_client's multiprocess mode keeps each process's counts in a file
of the shared directory, and /metrics answers with the sum over every process, whichever one
the scrape reached. Routes are labelled by
their first path segment among the app's known ones, everything else as "other": a visitor
inventing paths cannot grow the number of series.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Scope, Send

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
ROUTES = frozenset({
    "", "sparql", "store", "id", "static", "query", "validate", "dashboard", "sitemap.xml", "sitemaps",
    "robots.txt", "healthz", "metrics", ".well-known", "catalog", "dumps", "-",
})
# Point lookups answer in about a millisecond, runaway queries at the timeout (30 s by default).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Why a query got no answer (sparql.py): past server.query_timeout, refused by the query guard,
# no worker free before the deadline, or its worker died. Each series exists from the start, at 0.
STOP_REASONS = ("timeout", "guard", "busy", "crash")


class SnapshotCollector(Collector):
    """The snapshot served and how old it is, read when Prometheus scrapes."""

    def __init__(self, reader: object) -> None:
        self.reader = reader

    def collect(self) -> Iterator[Metric]:
        label = getattr(self.reader, "label", None)
        info = GaugeMetricFamily("culturedata_snapshot_info", "The snapshot being served.", labels=["snapshot"])
        if label:
            info.add_metric([str(label)], 1)
        yield info
        published = published_at(str(label)) if label else None
        if published is not None:
            yield GaugeMetricFamily("culturedata_snapshot_age_seconds", "Seconds since the served snapshot "
                                    "was published.", value=time.time() - published.timestamp())


def published_at(snapshot: str) -> datetime | None:
    """A snapshot's id is the instant its run began (`Snapshots.begin`), or None for another label."""
    try:
        return datetime.strptime(snapshot.split("-")[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


class Metrics:
    def __init__(self, reader: object) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("culturedata_http_requests", "HTTP requests answered, by route, method and "
                                "status.", ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("culturedata_http_request_duration_seconds", "Time to answer a request, by "
                                 "route.", ["route"], buckets=BUCKETS, registry=self.registry)
        self.timeouts = Counter("culturedata_query_timeouts", "SPARQL queries stopped at server.query_timeout.",
                                registry=self.registry)
        self.stopped = Counter("culturedata_queries_stopped", "SPARQL queries stopped without an answer, by reason: "
                               "timeout, guard (refused before parsing), busy (no worker free in time), crash.",
                               ["reason"], registry=self.registry)
        for reason in STOP_REASONS:
            self.stopped.labels(reason)
        self.registry.register(SnapshotCollector(reader))
        # Set by processes.py before this process started: prometheus_client then writes every
        # count to that directory (it reads the variable when first imported).
        shared = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        self.exposed = self.registry
        if shared:
            self.exposed = CollectorRegistry()
            MultiProcessCollector(self.exposed, shared)  # type: ignore[no-untyped-call]  # prometheus_client leaves it untyped
            self.exposed.register(SnapshotCollector(reader))
        self._children: dict[tuple[str, str, int], Any] = {}
        self._latencies: dict[str, Any] = {}

    def stop(self, reason: str) -> None:
        """Count a query that got no answer, `reason` being one of STOP_REASONS."""
        self.stopped.labels(reason).inc()
        if reason == "timeout":
            self.timeouts.inc()

    def observe(self, scope: Scope, send: Send, started: float | None = None) -> Send:
        """`send`, counting the response and timing it to its last byte (from `started`, a
        `time.perf_counter()` reading, or now)."""
        started = time.perf_counter() if started is None else started
        segment = scope["path"].lstrip("/").split("/", 1)[0]
        route = "/" + segment if segment in ROUTES else "other"
        method = scope["method"]
        status = 0

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.record(route, method, status, time.perf_counter() - started)

        return observed

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one response, which took `seconds` to its last byte."""
        self._counted(route, method, status).inc()
        self._timed(route).observe(seconds)

    def _counted(self, route: str, method: str, status: int) -> Any:
        # labels() costs more than inc() (a tenth of a point lookup's CPU, measured): keep the children
        key = (route, method, status)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self.requests.labels(route, method, str(status))
        return child

    def _timed(self, route: str) -> Any:
        child = self._latencies.get(route)
        if child is None:
            child = self._latencies[route] = self.latency.labels(route)
        return child


async def healthz(request: Request) -> Response:
    """Alive when the served snapshot is open and answers a query."""
    reader = request.app.state.reader
    store = reader.store()
    if store is None:
        return JSONResponse({"status": "no snapshot"}, status_code=503)
    try:
        store.query("ASK { GRAPH ?g { ?s ?p ?o } }")
    except (OSError, RuntimeError, ValueError) as exc:
        return JSONResponse({"status": "failing", "detail": type(exc).__name__}, status_code=503)
    label = reader.label
    published = published_at(str(label)) if label else None
    age = round(time.time() - published.timestamp()) if published else None
    return JSONResponse({"status": "ok", "snapshot": label, "age_seconds": age})


async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.exposed), media_type=PROMETHEUS_TEXT)

"""Fixtures of the server tests; the helpers they use are in harness.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from harness import BASE, demo_quads, demo_run, publish, running

from culturedata.server import create_app
from culturedata.server.settings import ServerSettings
from culturedata.store import Snapshots


@pytest.fixture
def demo_snapshots(tmp_path: Path) -> Snapshots:
    return publish(tmp_path / "store", demo_quads())


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """serve(snapshots, **settings) -> base URL of a running server; stopped after the test."""
    stack: list = []

    def start(snapshots: Snapshots, **settings: object) -> str:
        options = {"base_iri": BASE, **settings}
        context = running(create_app(snapshots, ServerSettings(**options)))  # type: ignore[arg-type]
        url = context.__enter__()
        stack.append(context)
        return url

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture
def demo_server(serve, demo_snapshots: Snapshots) -> str:  # type: ignore[no-untyped-def]
    return serve(demo_snapshots)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, trust_env=False) as c:
        yield c


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real demo run's snapshot (with its search index) served on 127.0.0.1, once per module."""
    with demo_run(tmp_path_factory.mktemp("site")) as url:
        yield url


@pytest.fixture(scope="module")
def web() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, trust_env=False) as c:
        yield c

"""Helpers of the server tests: a real uvicorn on 127.0.0.1 (port 0) in a thread, and real
published snapshots to serve."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import uvicorn

from culturedata.store import Snapshots

BASE = "http://127.0.0.1:8000/"
SCHEMA = "http://schema.org/"
QCP = "https://w3id.org/culturedata/ns/qcp#"
TOKEN = "s3cret-test-token"


@contextmanager
def running(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve `app` until the block ends; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def publish(root: Path, quads: Iterable[ox.Quad]) -> Snapshots:
    """Publish `quads` as a snapshot, the way a run does."""
    snapshots = Snapshots(root)
    staging = snapshots.begin()
    assert staging.store is not None
    staging.store.extend(quads)
    snapshots.publish(staging)
    return snapshots


def demo_quads() -> list[ox.Quad]:
    """Two museums' worth of records: objects, an organisation, a place in a region."""
    n = ox.NamedNode
    system = n(BASE + "graph/system")
    quads = []
    museum = n(BASE + "id/musee-test/organisation/musee-test")
    region = n("https://w3id.org/culturedata/vocab/regions/02")
    place = n(BASE + "id/musee-test/place/batiment")
    graph = n(BASE + "graph/musee-test/organisation")
    quads += [
        ox.Quad(museum, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(SCHEMA + "Organization"), graph),
        ox.Quad(museum, n(SCHEMA + "name"), ox.Literal("Musée d'essai", language="fr"), graph),
        ox.Quad(museum, n(SCHEMA + "location"), place, graph),
        ox.Quad(place, n(SCHEMA + "containedInPlace"), region, graph),
        ox.Quad(region, n("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("Saguenay–Lac-Saint-Jean", language="fr"), graph),
    ]
    for i in range(30):
        entity = n(f"{BASE}id/musee-test/objet/{i}")
        graph = n(f"{BASE}graph/musee-test/{i}")
        quads += [
            ox.Quad(entity, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(QCP + "HeritageObject"), graph),
            ox.Quad(entity, n(SCHEMA + "name"), ox.Literal(f"Objet {i}", language="fr"), graph),
            ox.Quad(entity, n(SCHEMA + "name"), ox.Literal(f"Object {i}", language="en"), graph),
            ox.Quad(entity, n(QCP + "heldBy"), museum, graph),
            ox.Quad(graph, n("http://purl.org/dc/terms/license"), n("https://creativecommons.org/publicdomain/zero/1.0/"), system),
            ox.Quad(graph, n("http://www.w3.org/ns/prov#wasDerivedFrom"), ox.Literal("collection.csv"), system),
        ]
    return quads


@contextmanager
def demo_run(folder: Path) -> Iterator[str]:
    """The demo project in `folder`, run once by the real `culturedata run`, then served; yields
    its base URL. For the pages that read what only a run writes (the search index)."""
    import shutil

    import pytest

    from culturedata.cli import main
    from culturedata.config import load_config
    from culturedata.server import create_app
    from culturedata.server.settings import ServerSettings

    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "culturedata.toml", folder / "culturedata.toml")
    shutil.copytree(root / "sample_inputs", folder / "sample_inputs")
    with pytest.raises(SystemExit) as ran:
        main(["--quiet", "--config", str(folder / "culturedata.toml"), "run"])
    assert ran.value.code in (0, 1)  # 1: the demo's deliberate defects
    config = load_config(folder / "culturedata.toml")
    with running(create_app(Snapshots(config.store_path), ServerSettings.from_config(config))) as url:
        yield url

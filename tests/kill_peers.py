"""Sources that change between runs, for the kill trials: one catalogue of records (id, version,
when it changed) served as OAI-PMH, a paginated REST API, a CSV export at a URL (ETag, 304) and
an events site (sitemap with lastmod, JSON-LD pages), on 127.0.0.1; and a `culturedata run`
killed at a seeded random moment after its first request."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent / "harvest"))
from harvest_peers import LIDO, Item, OAIRepository, oai_app  # noqa: E402

BASE = "http://127.0.0.1:8000/"
PAUSE = 0.02  # seconds each response waits, so that a harvest spans several moments to be killed at
HTTP = "backoff = 0.01, retries = 2, connect_timeout = 2, read_timeout = 5"
CONFIG = """[publish]
base_iri = "{base}"
[[sources]]
id = "kt"
name = "Kill trials"
kind = "{kind}"
url = "{url}"
mapping = "{mapping}"
quarantine = "never"
options = {{ {options}, {http} }}
"""
Environ = dict[str, Any]
StartResponse = Callable[..., Any]


@dataclass
class Catalogue:
    """What the source holds now: id → (version, when it last changed)."""

    records: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def change(self, rng: random.Random, new: int, updated: int) -> None:
        """A museum's day: a few records added, a few others edited."""
        now = datetime.now(UTC)
        with self.lock:
            for key in rng.sample(sorted(self.records), min(updated, len(self.records))):
                self.records[key] = (self.records[key][0] + 1, now)
            for _ in range(new):
                self.records[f"KT-{len(self.records) + 1:04d}"] = (1, now)

    def snapshot(self) -> list[tuple[str, int, datetime]]:
        with self.lock:
            return sorted((key, version, when) for key, (version, when) in self.records.items())

    def titles(self) -> set[str]:
        return {title(key, version) for key, version, _ in self.snapshot()}


def title(key: str, version: int) -> str:
    return f"Objet {key} v{version}"


class Peer:
    """A source kind's server over a catalogue; counts the requests it answers."""

    kind = ""
    mapping = ""
    options = ""
    path = "/"

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.requests = 0
        self.asked: list[float] = []  # when each request came

    def first_since(self, count: int) -> float:
        """When the first request after the `count`th came."""
        return self.asked[count]

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        self.requests += 1
        self.asked.append(time.monotonic())
        time.sleep(PAUSE)
        return self.answer(environ, start_response)

    def answer(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        raise NotImplementedError


def reply(start_response: StartResponse, body: bytes, media_type: str, *headers: tuple[str, str]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", media_type), ("Content-Length", str(len(body))), *headers])
    return [body]


def query(environ: Environ) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


class OAIPeer(Peer):
    """The `oaipmh` package's server, three records a page, datestamps to the second."""

    kind, mapping, options, path = "oai-pmh", "lido", 'metadata_prefix = "lido"', "/oai"

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__(catalogue)
        self.repository = OAIRepository()
        self.app = oai_app(self.repository, batch_size=3)

    def answer(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        self.repository.items = [
            Item(f"oai:kt:{key}", when.replace(tzinfo=None, microsecond=0), ["all"], False, lido(key, version))
            for key, version, when in self.catalogue.snapshot()
        ]
        body: Iterable[bytes] = self.app(environ, start_response)
        return body


def lido(key: str, version: int) -> etree._Element:
    return etree.fromstring(
        f'<lido:lido xmlns:lido="{LIDO}"><lido:lidoRecID>{key}</lido:lidoRecID>'
        "<lido:descriptiveMetadata><lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet>"
        f"<lido:appellationValue>{title(key, version)}</lido:appellationValue>"
        "</lido:titleSet></lido:titleWrap></lido:objectIdentificationWrap></lido:descriptiveMetadata></lido:lido>"
    )


class RestPeer(Peer):
    """A JSON API: numbered pages of three, `since` keeps what changed at or after that second."""

    kind, mapping, path = "rest", "organismes-json", "/api"
    options = ('pagination = "page", records = "items", page_size_param = "size", page_size = 3, '
               'since_param = "since"')

    def answer(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        asked = query(environ)
        since = datetime.fromisoformat(asked["since"]) if "since" in asked else None
        page, size = int(asked.get("page", "1")), int(asked.get("size", "3"))
        chosen = [
            {"id": key, "nom": title(key, version), "modifie": when.isoformat()}
            for key, version, when in self.catalogue.snapshot()
            if since is None or when.replace(microsecond=0) >= since
        ][(page - 1) * size : page * size]
        return reply(start_response, json.dumps({"items": chosen}).encode(), "application/json")


class CsvPeer(Peer):
    """A nightly CSV export at a URL, with ETag and Last-Modified, answering 304 when unchanged."""

    kind, mapping, options, path = "csv", "musee-csv", 'delimiter = ";"', "/export.csv"

    def answer(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        rows = self.catalogue.snapshot()
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(["id", "numero_accession", "titre_fr", "nom_objet"])
        writer.writerows([key, key, title(key, version), "objet"] for key, version, _ in rows)
        body = out.getvalue().encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = format_datetime(max(when for _, _, when in rows), usegmt=True)
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", [("ETag", etag)])
            return [b""]
        return reply(start_response, body, "text/csv; charset=utf-8", ("ETag", etag), ("Last-Modified", modified))


class PagesPeer(Peer):
    """An events site: a sitemap with each page's `lastmod`, one JSON-LD event per page."""

    kind, mapping, options, path = "jsonld-pages", "schema-events", 'sitemap = "/sitemap.xml", crawl_delay = 0', "/"

    def answer(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        host = f"http://{environ['HTTP_HOST']}"
        records = {key: (version, when) for key, version, when in self.catalogue.snapshot()}
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{host}/e/{key}.html</loc><lastmod>{when.isoformat()}</lastmod></url>"
                for key, (_, when) in records.items()
            )
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
            return reply(start_response, body, "application/xml")
        key = path.removeprefix("/e/").removesuffix(".html")
        if key not in records:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        event = {"@context": "https://schema.org", "@type": "Event", "name": title(key, records[key][0]),
                 "startDate": "2026-03-14T19:30:00-04:00", "url": f"{host}{path}"}
        body = (f'<html><head><script type="application/ld+json">{json.dumps(event)}</script></head>'
                f"<body><h1>{event['name']}</h1></body></html>").encode()
        return reply(start_response, body, "text/html; charset=utf-8")


PEERS = {peer.kind: peer for peer in (OAIPeer, RestPeer, CsvPeer, PagesPeer)}


def start_run(project: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CULTUREDATA_LANG": "en"}
    return subprocess.Popen([sys.executable, "-m", "culturedata", "run", *args], cwd=project, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def first_request(peer: Peer, before: int, process: subprocess.Popen[bytes]) -> float:
    """When the run asked its first question (or ended without asking)."""
    deadline = time.monotonic() + 60
    while peer.requests == before and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    return time.monotonic()


def kill_runs(project: Path, peer: Peer, rng: random.Random, span: float, *args: str) -> list[float]:
    """Change the source, start a run, kill it `rng`-randomly within `span` seconds of its first
    request; once, or (a quarter of the time) twice in a row. Returns the kills' delays."""
    kills = []
    for _ in range(2 if rng.random() < 0.25 else 1):
        peer.catalogue.change(rng, new=rng.randint(1, 4), updated=rng.randint(1, 3))
        before = peer.requests
        process = start_run(project, *args)
        asked = first_request(peer, before, process)
        delay = rng.uniform(0, span)
        time.sleep(max(0.0, asked + delay - time.monotonic()))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills.append(round(delay, 3))
    return kills


def write_config(project: Path, peer: Peer, url: str) -> None:
    (project / "culturedata.toml").write_text(CONFIG.format(
        base=BASE, kind=peer.kind, url=url + peer.path, mapping=peer.mapping, options=peer.options, http=HTTP,
    ), encoding="utf-8")

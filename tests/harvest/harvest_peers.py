"""Real peers for the harvest tests, all on 127.0.0.1 port 0, each in a thread.

- `OAIRepository` + `serve_oai`: the OAI-PMH server of the `oaipmh` package (not ours) over
  an in-memory repository of LIDO records that a test can change between harvests.
- `FaultProxy`: a raw TCP proxy between harvester and server that injects the faults of
  the network (timeouts, dropped connections, 503 + Retry-After, cut or truncated bodies,
  HTML error pages served with 200, a repeating resumption token).
- `serve_wsgi`: any WSGI app (static sites, paginated REST APIs) on a free port.
"""

from __future__ import annotations

import copy
import csv
import re
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from lxml import etree
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import BatchingServer

from culturedata.config import Source
from shareddata import SHARED_DATA
from shareddata import shared as shared  # the tests of this folder import it from here

LIDO = "http://www.lido-schema.org"

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inputs" / "musee-anse-aux-brumes"
SHARED = SHARED_DATA
SAMPLES = ROOT / "sample_inputs"

# Retries stay real but tiny, so that the suite stays fast.
FAST = {"backoff": 0.01, "connect_timeout": 2, "read_timeout": 2, "retries": 4}


def make_source(kind: str, *, url: str | None = None, path: Path | None = None, **options: Any) -> Source:
    return Source(
        id="test-source", name={"fr": "Essai", "en": "Test"}, kind=kind, mapping="none", url=url, path=path,
        options=options, where="culturedata.toml: sources[id=\"test-source\"]",
    )



def sample(*parts: str) -> Path:
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not on this branch yet")
    return path


@dataclass
class Item:
    identifier: str
    datestamp: datetime  # naive UTC, as the oaipmh package wants
    sets: list[str]
    deleted: bool = False
    element: etree._Element | None = None


@dataclass
class OAIRepository:
    """The IBatchingOAIPMH interface of the `oaipmh` package, over a list we can edit."""

    items: list[Item] = field(default_factory=list)
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    base_url: str = "http://127.0.0.1/oai"

    def identify(self) -> common.Identify:
        return common.Identify(
            "Musée maritime de l'Anse-aux-Brumes (test)", self.base_url, "2.0", ["oai@anse-aux-brumes.example"],
            datetime(2000, 1, 1), "persistent", self.granularity, ["identity"],
        )

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:  # noqa: N802
        return [("lido", "http://www.lido-schema.org/schema/v1.0/lido-v1.0.xsd", LIDO)]

    def listSets(self, cursor: int = 0, batch_size: int = 10) -> list[tuple[str, str, None]]:  # noqa: N802
        names = sorted({s for item in self.items for s in item.sets})
        return [(name, name.capitalize(), None) for name in names][cursor : cursor + batch_size]

    def _select(self, metadataPrefix: str, set: str | None, from_: datetime | None, until: datetime | None):  # noqa: N803, A002
        if metadataPrefix != "lido":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        chosen = [
            item for item in sorted(self.items, key=lambda i: (i.datestamp, i.identifier))
            if (set is None or set in item.sets)
            and (from_ is None or item.datestamp >= from_)
            and (until is None or item.datestamp <= until)
        ]
        return chosen

    def _header(self, item: Item) -> common.Header:
        return common.Header(None, item.identifier, item.datestamp, item.sets, item.deleted)

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None, cursor=0, batch_size=10):  # noqa: N802, N803, A002
        chosen = self._select(metadataPrefix, set, from_, until)[cursor : cursor + batch_size]
        return [(self._header(i), None if i.deleted else i.element, None) for i in chosen]

    def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None, cursor=0, batch_size=10):  # noqa: N802, N803, A002
        return [self._header(i) for i in self._select(metadataPrefix, set, from_, until)[cursor : cursor + batch_size]]

    def getRecord(self, metadataPrefix, identifier):  # noqa: N802, N803
        for item in self.items:
            if item.identifier == identifier:
                return self._header(item), None if item.deleted else item.element, None
        raise error.IdDoesNotExistError(identifier)

    def live(self) -> dict[str, Item]:
        return {i.identifier: i for i in self.items if not i.deleted}

    def touch(self, identifier: str, *, deleted: bool = False, title: str | None = None) -> None:
        """Change a record now, as a museum editing its catalogue would."""
        item = next(i for i in self.items if i.identifier == identifier)
        item.datestamp = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        item.deleted = deleted
        if title is not None and item.element is not None:
            item.element = copy.deepcopy(item.element)
            node = item.element.find(f".//{{{LIDO}}}appellationValue")
            node.text = title


def demo_repository() -> OAIRepository:
    """The Anse-aux-Brumes LIDO records with the datestamps, sets and deletions of datestamps.csv."""
    tree = etree.parse(str(SAMPLE / "lido.xml"))
    records = {
        rec.findtext(f"{{{LIDO}}}lidoRecID").strip(): rec for rec in tree.getroot().iterfind(f"{{{LIDO}}}lido")
    }
    items = []
    with (SAMPLE / "datestamps.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            local = row["oai_identifier"].rsplit(":", 1)[1]
            stamp = datetime.fromisoformat(row["datestamp"].replace("Z", "+00:00")).replace(tzinfo=None)
            deleted = row["deleted"] == "true"
            items.append(Item(row["oai_identifier"], stamp, [row["set"]], deleted, None if deleted else records[local]))
    return OAIRepository(items)


def synthetic_repository(count: int, payload_bytes: int = 200) -> OAIRepository:
    """`count` small LIDO records, for runs whose size matters more than their content."""
    filler = "x" * payload_bytes
    items = []
    for n in range(count):
        element = etree.fromstring(
            f'<lido:lido xmlns:lido="{LIDO}"><lido:lidoRecID>R{n:07d}</lido:lidoRecID>'
            f"<lido:descriptiveMetadata><lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet>"
            f"<lido:appellationValue>Objet {n} {filler}</lido:appellationValue>"
            f"</lido:titleSet></lido:titleWrap></lido:objectIdentificationWrap></lido:descriptiveMetadata>"
            f"</lido:lido>"
        )
        items.append(Item(f"oai:synthetic:R{n:07d}", datetime(2024, 1, 1, 0, 0, n % 60), ["all"], False, element))
    return OAIRepository(items)


def lido_writer(element: etree._Element, metadata: etree._Element) -> None:
    element.append(copy.deepcopy(metadata))


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextmanager
def serve_wsgi(app: Callable) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 on a free port; yields the base URL ("http://127.0.0.1:PORT")."""
    server = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def oai_app(repository: OAIRepository, batch_size: int) -> Callable:
    registry = MetadataRegistry()
    registry.registerWriter("lido", lido_writer)
    server = BatchingServer(repository, registry, resumption_batch_size=batch_size)

    def app(environ, start_response):
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
        body = server.handleRequest(params)
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    return app


@contextmanager
def serve_oai(repository: OAIRepository, batch_size: int = 5) -> Iterator[str]:
    with serve_wsgi(oai_app(repository, batch_size)) as base:
        repository.base_url = base + "/oai"
        yield repository.base_url


# ---------------------------------------------------------------------------------------
# Fault injection


@dataclass
class Fault:
    kind: str  # timeout, drop, 503, 503-date, cut, truncate, html200, repeat-token
    on: int  # the n-th matching request (1-based) gets it …
    times: int = 1  # … and so do the next times-1 ones


class FaultProxy:
    """A TCP proxy that breaks chosen requests (those whose query contains `match`)."""

    def __init__(self, upstream: str, match: str = "verb=ListRecords") -> None:
        host, port = upstream.split("//", 1)[1].split("/", 1)[0].split(":")
        self.upstream = (host, int(port))
        self.match = match
        self.faults: list[Fault] = []
        self.seen = 0
        self.log: list[tuple[int, str | None]] = []
        self.first_token: str | None = None
        self.hang = 3.0  # seconds a "timeout" keeps the client waiting
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy.handle(self.request)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str = "/oai") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def inject(self, kind: str, on: int = 1, times: int = 1) -> None:
        self.faults.append(Fault(kind, on, times))

    def _fault_for(self, request_line: str) -> str | None:
        if self.match not in request_line:
            return None
        self.seen += 1
        for fault in self.faults:
            if fault.on <= self.seen < fault.on + fault.times:
                self.log.append((self.seen, fault.kind))
                return fault.kind
        self.log.append((self.seen, None))
        return "repeat-token" if any(f.kind == "repeat-token" for f in self.faults) else None

    def handle(self, client: socket.socket) -> None:
        request = read_request(client)
        if not request:
            return
        request_line = request.split(b"\r\n", 1)[0].decode("latin-1")
        fault = self._fault_for(request_line)
        if fault == "drop":
            client.close()
            return
        if fault == "timeout":
            time.sleep(self.hang)
            client.close()
            return
        if fault in ("503", "503-date"):
            after = "1" if fault == "503" else formatdate(time.time() + 2, usegmt=True)  # whole seconds: 1 to 2 s away
            client.sendall(
                b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: " + after.encode()
                + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            client.close()
            return
        if fault == "html200":
            body = b"<html><head><title>Erreur</title></head><body><h1>Maintenance</h1></body></html>"
            client.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
            )
            client.close()
            return
        status, headers, body = forward(self.upstream, request)
        if fault == "repeat-token":
            body = self._repeat_token(body)
        if fault == "truncate":  # a whole response that holds half a document
            body = body[: len(body) // 2]
        length = len(body)
        if fault == "cut":  # the connection dies half-way through the announced body
            body = body[: length // 2]
        head = status + b"\r\n" + b"".join(
            h + b"\r\n" for h in headers if not h.lower().startswith((b"content-length", b"connection"))
        )
        head += b"Content-Length: " + str(length).encode() + b"\r\nConnection: close\r\n\r\n"
        client.sendall(head + body)
        client.close()

    def _repeat_token(self, body: bytes) -> bytes:
        found = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if not found:
            return body
        if self.first_token is None:
            self.first_token = found.group(1).decode()
            return body
        return body[: found.start(1)] + self.first_token.encode() + body[found.end(1) :]


def read_request(client: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return data
        data += chunk
    return data


def forward(upstream: tuple[str, int], request: bytes) -> tuple[bytes, list[bytes], bytes]:
    head, _, _ = request.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection")]
    with socket.create_connection(upstream) as conn:
        conn.sendall(b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *headers = head.split(b"\r\n")
    return status, headers, body

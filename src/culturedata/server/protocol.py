"""Reading a SPARQL 1.1 Protocol request: which operation, its text, and its dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request


class ProtocolError(Exception):
    """A request the protocol forbids; `code` is a message in messages/server.toml."""

    def __init__(self, status: int, code: str, **params: object) -> None:
        self.status = status
        self.code = code
        self.params = params
        super().__init__(code)


@dataclass
class Operation:
    kind: str  # "query" or "update"
    text: str
    params: dict[str, list[str]] = field(default_factory=dict)

    def graphs(self, name: str) -> list[str]:
        return self.params.get(name, [])


FORM = "application/x-www-form-urlencoded"
DIRECT = {"application/sparql-query": "query", "application/sparql-update": "update"}


async def read_operation(request: Request, body_limit: int) -> Operation | None:
    """The operation a request carries, or None when it carries none (service description)."""
    if request.method in ("GET", "HEAD"):  # HEAD answers as GET would, without the body
        return get_operation(request.url.query)
    params = _parse(request.url.query)
    header = request.headers.get("content-type", "")
    content_type = header.split(";")[0].strip().lower()
    charset = _charset(header)
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, "server.protocol.not_utf8_charset", charset=charset)
    body = await read_body(request, body_limit)
    if content_type == FORM:
        params_in_body = _parse(_utf8(body))
        for name, values in params_in_body.items():
            params.setdefault(name, []).extend(values)
        kinds = [k for k in ("query", "update") if k in params]
        if len(kinds) != 1:
            raise ProtocolError(400, "server.protocol.one_operation")
        return _single(params, kinds[0])
    kind = DIRECT.get(content_type)
    if kind is None:
        raise ProtocolError(415, "server.protocol.media_type", got=content_type or "-")
    if "query" in params or "update" in params:
        raise ProtocolError(400, "server.protocol.one_operation")
    return Operation(kind, _utf8(body), params)


def get_operation(query_string: str) -> Operation | None:
    """The query a GET request carries in its query string, or None (service description)."""
    if query_string.startswith("query=") and "&" not in query_string:
        # The usual request, one parameter: decoded as parse_qsl would, without its generality.
        try:
            text = unquote_plus(query_string[6:], errors="strict")
        except UnicodeDecodeError as exc:
            raise ProtocolError(400, "server.protocol.not_utf8", position=exc.start) from exc
        return Operation("query", text, {"query": [text]})
    params = _parse(query_string)
    if "update" in params:
        raise ProtocolError(405, "server.protocol.update_get")
    if "query" not in params:
        return None
    return _single(params, "query")


async def read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, "server.protocol.too_large", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, "server.protocol.not_utf8", position=exc.start) from exc


def _parse(text: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, "server.protocol.not_utf8", position=exc.start) from exc
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _single(params: dict[str, list[str]], kind: str) -> Operation:
    if len(params[kind]) != 1:
        raise ProtocolError(400, "server.protocol.one_operation")
    return Operation(kind, params[kind][0], params)


def _charset(header: str) -> str | None:
    for param in header.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None

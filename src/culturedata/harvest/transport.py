"""One HTTP session per harvest: a descriptive User-Agent, timeouts, and retries.

Retries are urllib3's `Retry` mounted through requests' `HTTPAdapter`: exponential backoff
on connection errors, read timeouts, 429 and 5xx, honouring `Retry-After` given as seconds
or as an HTTP-date. What `Retry` cannot see (a body cut off after the headers arrived) is
left to the harvester, which re-reads the whole page; see `oaipmh.py`.

requests and urllib3 decode gzip, deflate and brotli bodies transparently, so a 2 MB body can
become gigabytes. Every response (redirects too) is read through `BoundedBody`, set by a
response hook, which counts the decoded bytes as they come and stops at the source's
`max_decoded_bytes` or `max_ratio` (limits.py) with a `HarvestError`: the source fails, the
others go on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.utils import get_netrc_auth
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from culturedata import __version__
from culturedata.errors import HarvestError, SourceUnavailable
from culturedata.harvest.limits import DECODE_OPTIONS, MAX_DECODED, MAX_RATIO, Limits, Meter

USER_AGENT = f"culturedata/{__version__} (+https://github.com/culturedata/culturedata)"
RETRY_STATUSES = (429, 500, 502, 503, 504)
# Bytes per read of a compressed body. urllib3 reads this many compressed bytes at a time, so
# the meter's compressed count runs ahead of what was decoded by up to one chunk: at 1 MiB a
# bomb decoded 200 MiB (the ratio limit times one chunk) before it was refused.
READ_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Network behaviour of one source; all of it can be set in the source's options."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5
    backoff: float = 1.0  # seconds; waits grow as backoff * 2**n
    max_wait: float = 300.0  # a longer Retry-After (or backoff) is cut to this
    max_decoded_bytes: int = MAX_DECODED  # a body decoding to more fails the source (limits.py)
    max_ratio: float = MAX_RATIO

    @classmethod
    def from_options(cls, opts: dict[str, Any]) -> HttpSettings:
        defaults = cls()  # the options were checked by `read_options`, the limits' ranges too

        def number(key: str, default: float) -> float:
            return float(opts.get(key, default))

        return cls(
            connect_timeout=number("connect_timeout", defaults.connect_timeout),
            read_timeout=number("read_timeout", defaults.read_timeout),
            retries=int(opts.get("retries", defaults.retries)),
            backoff=number("backoff", defaults.backoff),
            max_wait=number("max_wait", defaults.max_wait),
            max_decoded_bytes=int(opts.get("max_decoded_bytes", defaults.max_decoded_bytes)),
            max_ratio=number("max_ratio", defaults.max_ratio),
        )

    @property
    def limits(self) -> Limits:
        return Limits(max_decoded_bytes=self.max_decoded_bytes, max_ratio=self.max_ratio)

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


# The option keys every network harvester accepts, for `read_options`.
HTTP_OPTIONS: dict[str, tuple[type | tuple[type, ...], Any]] = {
    "connect_timeout": ((int, float), 10.0),
    "read_timeout": ((int, float), 60.0),
    "retries": (int, 5),
    "backoff": ((int, float), 1.0),
    "max_wait": ((int, float), 300.0),
    **DECODE_OPTIONS,
}


class CappedRetry(Retry):
    """`Retry` whose Retry-After waits are capped, so one server cannot stall the night."""

    max_wait: float = 300.0

    def new(self, **kw: Any) -> CappedRetry:
        retry = super().new(**kw)
        retry.max_wait = self.max_wait
        return retry

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.max_wait)


class HarvestSession(requests.Session):
    """A `requests.Session` that applies the source's timeouts to every request."""

    def __init__(self, settings: HttpSettings) -> None:
        super().__init__()
        self.settings = settings
        self.headers["User-Agent"] = USER_AGENT
        self._netrc: dict[tuple[str, str], tuple[str, str] | _NoAuth] = {}
        retry = CappedRetry(
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            other=settings.retries,
            backoff_factor=settings.backoff,
            backoff_max=settings.max_wait,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD", "POST"}),  # POST only carries SPARQL queries
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.max_wait = settings.max_wait
        adapter = HTTPAdapter(max_retries=retry)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self.hooks["response"].append(self._bound)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.settings.timeout)
        if self.trust_env and not self.auth and not kwargs.get("auth"):
            kwargs["auth"] = self._netrc_auth(url if isinstance(url, str) else url.decode())
        return super().request(method, url, *args, **kwargs)

    def _netrc_auth(self, url: str) -> tuple[str, str] | _NoAuth:
        """The `.netrc` login for the URL's host, looked up once per host instead of on every
        request as requests does: its three `stat` calls each let other threads take the GIL,
        and an OAI-PMH harvest's fetching thread then waits to get it back."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._netrc:
            self._netrc[key] = get_netrc_auth(url) or _NoAuth()
        return self._netrc[key]

    def fetch(self, url: str, **kwargs: Any) -> requests.Response:
        """GET `url`; unreachable, or still failing after the retries, is `SourceUnavailable`."""
        method = kwargs.pop("method", "GET")
        try:
            response = self.request(method, url, **kwargs)
        except requests.RequestException as exc:
            raise SourceUnavailable("harvest.unreachable", url=url, detail=describe(exc)) from exc
        if response.status_code in RETRY_STATUSES or response.status_code >= 500:
            response.close()
            raise SourceUnavailable(
                "harvest.http_status", url=url, status=response.status_code, reason=response.reason or ""
            )
        return response

    def _bound(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        """The response hook: requests calls it before it reads any body, a redirect's included."""
        response.raw = BoundedBody(response.raw, Meter(self.settings.limits, response.url, HarvestError))
        return response


class BoundedBody:
    """A urllib3 response whose decoded bytes are counted by a `Meter` as they are read.

    Set on every response by the session's hook, before requests reads the body. requests
    reads through `stream`, `oaipmh.read_body` through `read()`; both stop with the meter's
    `HarvestError` once the body decodes past the source's limits, having decoded at most one
    more chunk. A plain body of known length is read in one piece, as before.
    """

    def __init__(self, raw: BaseHTTPResponse, meter: Meter) -> None:
        self.raw = raw
        self.meter = meter

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def read(self, amt: int | None = None, decode_content: bool | None = None, **kwargs: Any) -> bytes:
        if amt is not None:
            data = self.raw.read(amt, decode_content=decode_content, **kwargs)
            self.meter.add(len(data), self.raw.tell())
            return data
        length = self.raw.length_remaining
        if not self.raw.headers.get("Content-Encoding") and length is not None:
            self.meter.add(length, self.raw.tell() + length)  # refused before reading when too long
            return self.raw.read(decode_content=decode_content, **kwargs)
        pieces = []
        while data := self.raw.read(READ_CHUNK, decode_content=decode_content, **kwargs):
            self.meter.add(len(data), self.raw.tell())
            pieces.append(data)
        return b"".join(pieces)

    def stream(self, amt: int | None = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        for data in self.raw.stream(amt, decode_content=decode_content):
            self.meter.add(len(data), self.raw.tell())
            yield data


class _NoAuth(AuthBase):
    """No credentials: what `.netrc` gave for a host that it does not list."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


def describe(exc: BaseException) -> str:
    """The innermost useful reason of a requests/urllib3 error, for one line of a report."""
    reason: object = getattr(exc, "reason", None) or (exc.args[0] if exc.args else exc)
    while (inner := getattr(reason, "reason", None)) is not None:
        reason = inner
    return str(reason)[:300]

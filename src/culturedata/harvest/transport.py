"""One HTTP session per harvest: a descriptive User-Agent, timeouts, and retries.

Retries are urllib3's `Retry` mounted through requests' `HTTPAdapter`: exponential backoff
on connection errors, read timeouts, 429 and 5xx, honouring `Retry-After` given as seconds
or as an HTTP-date. What `Retry` cannot see (a body cut off after the headers arrived) is
left to the harvester, which re-reads the whole page; see `oaipmh.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.utils import get_netrc_auth
from urllib3.util.retry import Retry

from culturedata import __version__
from culturedata.errors import SourceUnavailable

USER_AGENT = f"culturedata/{__version__} (+https://github.com/culturedata/culturedata)"
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Network behaviour of one source; all of it can be set in the source's options."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5
    backoff: float = 1.0  # seconds; waits grow as backoff * 2**n
    max_wait: float = 300.0  # a longer Retry-After (or backoff) is cut to this

    @classmethod
    def from_options(cls, opts: dict[str, Any]) -> HttpSettings:
        given = cls()
        return cls(
            connect_timeout=float(opts.get("connect_timeout", given.connect_timeout)),
            read_timeout=float(opts.get("read_timeout", given.read_timeout)),
            retries=int(opts.get("retries", given.retries)),
            backoff=float(opts.get("backoff", given.backoff)),
            max_wait=float(opts.get("max_wait", given.max_wait)),
        )

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

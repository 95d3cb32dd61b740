"""Paginated JSON APIs: next-link, page-number and cursor pagination, declared per source.

    pagination = "next-link"   next = "meta.next" (a URL in the body) or "" (the Link header)
    pagination = "page"        page_param = "page", first_page = 1, page_size_param, page_size
    pagination = "cursor"      cursor_param = "cursor", cursor_path = "meta.next_cursor"
    pagination = "none"        one response

`records` is the dotted path to the list of records in each response ("" when the response
is the list). With `since_param`, the API is asked only for what changed since the watermark
of the last complete run (or `--from`), as an ISO 8601 instant. The run ends on a page without records or without a next page; a next page
that was already fetched stops it with an error instead of a loop.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from culturedata.errors import ConfigError, HarvestError
from culturedata.harvest.checkpoint import Checkpoint
from culturedata.harvest.jsonfile import lookup, to_record
from culturedata.harvest.options import read_options, require_choice
from culturedata.harvest.transport import HTTP_OPTIONS, HarvestSession, HttpSettings

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions
    from culturedata.records import SourceRecord

log = logging.getLogger(__name__)

PAGINATIONS = ("next-link", "page", "cursor", "none")
OPTIONS: dict[str, tuple[Any, Any]] = {
    "pagination": (str, "next-link"),
    "records": (str, ""),
    "id_field": ((str, list), "id"),  # a dotted path, or several: ["url", "startDate"] (records.composite_id)
    "next": (str, ""),
    "page_param": (str, "page"),
    "first_page": (int, 1),
    "page_size_param": (str, ""),
    "page_size": (int, 0),
    "cursor_param": (str, "cursor"),
    "cursor_path": (str, ""),
    "params": (dict, {}),
    "headers": (dict, {}),
    "max_pages": (int, 0),  # 0: no limit
    "since_param": (str, ""),  # query parameter for "changed since" (ISO 8601), for incremental runs
    **HTTP_OPTIONS,
}


def harvest_rest(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    if not source.url:
        raise ConfigError("harvest.needs_url", where=source.where)
    require_choice(source, "pagination", opts["pagination"], PAGINATIONS)
    checkpoint = Checkpoint.of(options, source.id)
    since = None if options.full else (options.since or checkpoint.watermark)
    started = datetime.now(UTC)
    with HarvestSession(HttpSettings.from_options(opts)) as session:
        session.headers.update({"Accept": "application/json", **{str(k): str(v) for k, v in opts["headers"].items()}})
        yield from Pager(source, session, opts, since).records()
    checkpoint.complete(started)


class Pager:
    def __init__(
        self, source: Source, session: HarvestSession, opts: dict[str, Any], since: datetime | None = None
    ) -> None:
        self.source = source
        self.session = session
        self.opts = opts
        self.since = since

    def records(self) -> Iterator[SourceRecord]:
        url: str | None = str(self.source.url)
        params: dict[str, Any] = {str(k): v for k, v in self.opts["params"].items()}
        mode = self.opts["pagination"]
        if mode == "page":
            params[self.opts["page_param"]] = self.opts["first_page"]
        if self.opts["page_size_param"] and self.opts["page_size"]:
            params[self.opts["page_size_param"]] = self.opts["page_size"]
        if self.opts["since_param"] and self.since is not None:
            since = self.since if self.since.tzinfo else self.since.replace(tzinfo=UTC)
            params[self.opts["since_param"]] = since.isoformat(timespec="seconds")
        seen: set[str] = set()
        number = 0
        while url is not None:
            number += 1
            body, response_url, link = self._get(url, params)
            if response_url in seen:
                raise HarvestError("harvest.rest_loop", url=response_url)
            seen.add(response_url)
            items = lookup(body, self.opts["records"]) if self.opts["records"] else body
            if not isinstance(items, list):
                raise HarvestError("harvest.rest_no_records", url=response_url, records=self.opts["records"] or "-")
            for index, item in enumerate(items):
                # Without an id, a record is named by its place in the harvest (`page-2#item-3`), not
                # by the page's URL, which may carry a cursor or a session that changes every run.
                record = to_record(self.source.id, response_url, f"page {number}, item {index + 1}", item,
                                   self.opts["id_field"], unnamed=f"page-{number}#item-{index + 1}")
                if record is not None:
                    yield record
            if not items or mode == "none" or number == self.opts["max_pages"]:
                return
            url, params = self._next(body, response_url, link, params)

    def _get(self, url: str, params: dict[str, Any]) -> tuple[Any, str, str | None]:
        response = self.session.fetch(url, params=params or None)
        with response:
            if response.status_code != 200:
                raise HarvestError("harvest.http_status", url=response.url, status=response.status_code,
                                   reason=response.reason or "")
            try:
                body = json.loads(response.content)
            except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep to parse
                raise HarvestError("harvest.rest_bad_json", url=response.url, detail=exc) from exc
            return body, response.url, response.links.get("next", {}).get("url")

    def _next(
        self, body: Any, url: str, link: str | None, params: dict[str, Any]
    ) -> tuple[str | None, dict[str, Any]]:
        mode = self.opts["pagination"]
        if mode == "next-link":
            target = lookup(body, self.opts["next"]) if self.opts["next"] else link
            return (urljoin(url, str(target)), {}) if target else (None, {})
        if mode == "page":
            return str(self.source.url), {**params, self.opts["page_param"]: int(params[self.opts["page_param"]]) + 1}
        cursor = lookup(body, self.opts["cursor_path"]) if isinstance(body, dict) else None
        if cursor in (None, ""):
            return None, {}
        return str(self.source.url), {**params, self.opts["cursor_param"]: cursor}

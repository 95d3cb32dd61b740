"""Web pages with schema.org JSON-LD, as theatres and festivals publish their events.

The pages come from a sitemap (`sitemap`, else the `Sitemap:` line of robots.txt, else
`<url>/sitemap.xml`) or a list (`urls`). robots.txt is obeyed (protego): a disallowed page
is never requested, and requests to one site are spaced by its `Crawl-delay`, or by the
source's `crawl_delay` when that is longer. Each page is decoded and its structured data read
as `webpage.py` explains (JSON-LD blocks repaired as `jsonrepair.py` explains, then microdata
and RDFa); it gives one record whose payload is the objects of its blocks (one object, or an
array of them), and whose `location` names the page and the kinds of blocks they came from.
A missing page, a page without structured data and an irreparable block are skipped with a
warning naming the URL; the harvest goes on. A page whose structured data nests deeper than
`max_depth` gives an empty record with a finding that quarantines it (limits.py).
With a watermark (or `--from`), pages whose sitemap `lastmod` is older are not fetched.
A `path` to a folder harvests a saved copy of the site instead (see `Site`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from protego import Protego

from culturedata.errors import ConfigError, InputError
from culturedata.harvest import safexml, webpage
from culturedata.harvest.checkpoint import Checkpoint
from culturedata.harvest.limits import DEPTH, DEPTH_OPTIONS, Limits, TooDeep, refused
from culturedata.harvest.options import read_options
from culturedata.harvest.timestamps import parse_datestamp
from culturedata.harvest.transport import HTTP_OPTIONS, HarvestSession, HttpSettings
from culturedata.messages import t
from culturedata.records import SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

log = logging.getLogger(__name__)

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
ROBOT_NAME = "culturedata"
MIRROR_BASE = "http://mirror.invalid/"  # a saved copy without `url`: only URL paths matter
OPTIONS: dict[str, tuple[Any, Any]] = {
    "sitemap": (str, ""),
    "urls": (list, []),
    "crawl_delay": ((int, float), 1.0),
    "max_pages": (int, 0),
    **DEPTH_OPTIONS,
    **HTTP_OPTIONS,
}


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    lastmod: datetime | None = None


class Site:
    """robots.txt rules and politeness for every origin the harvest touches.

    With a `mirror` folder (the source's `path`: a saved copy of the site, as `wget
    --mirror` makes), every URL is read from the file at its path instead of the network;
    robots.txt still decides what is read. URL paths are percent-decoded as `wget` decodes
    them when it saves a page (a link to `Salle%20%26%20Caf%C3%A9.html` is the file
    `Salle & Café.html`); a file saved under the encoded name is found too.
    """

    def __init__(self, session: HarvestSession, min_delay: float, mirror: Path | None = None) -> None:
        self.session = session
        self.min_delay = min_delay
        self.mirror = mirror
        self.robots: dict[str, Protego] = {}
        self.last: dict[str, float] = {}

    def rules(self, url: str) -> Protego:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        if origin not in self.robots:
            status, content, _ = self._read(origin + "/robots.txt")
            text = content.decode("utf-8", errors="replace") if status == 200 else ""
            self.robots[origin] = Protego.parse(text)
        return self.robots[origin]

    def allowed(self, url: str) -> bool:
        return self.rules(url).can_fetch(url, ROBOT_NAME)

    def get(self, url: str) -> tuple[int, bytes, str | None]:
        """(status, body, Content-Type) of `url`, once the site's crawl delay has passed since our
        last request. A saved copy has no Content-Type: None."""
        if self.mirror is None:
            origin = urlsplit(url).netloc
            delay = max(self.min_delay, float(self.rules(url).crawl_delay(ROBOT_NAME) or 0))
            wait = self.last.get(origin, 0.0) + delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        try:
            return self._read(url)
        finally:
            self.last[urlsplit(url).netloc] = time.monotonic()

    def _read(self, url: str) -> tuple[int, bytes, str | None]:
        if self.mirror is not None:
            return self._saved(urlsplit(url).path)
        response = self.session.fetch(url)
        with response:
            return response.status_code, response.content, response.headers.get("Content-Type")

    def _saved(self, path: str) -> tuple[int, bytes, str | None]:
        assert self.mirror is not None
        for name in dict.fromkeys((unquote(path), path)):  # decoded first, as wget saves it
            file = self.mirror / (name.lstrip("/") + ("index.html" if name.endswith("/") or not name else ""))
            if file.resolve().is_relative_to(self.mirror.resolve()) and file.is_file():
                return 200, file.read_bytes(), None
        return 404, b"", None


def harvest_jsonld_pages(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    if not source.url and not source.path and not opts["urls"] and not opts["sitemap"]:
        raise ConfigError("harvest.needs_url", where=source.where)
    checkpoint = Checkpoint.of(options, source.id)
    since = None if options.full else (options.since or checkpoint.watermark)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    started = datetime.now(UTC)
    with HarvestSession(HttpSettings.from_options(opts)) as session:
        session.headers["Accept"] = "text/html,application/xhtml+xml"
        mirror = source.path if source.path is not None and source.path.is_dir() else None
        site = Site(session, float(opts["crawl_delay"]), mirror)
        max_depth = Limits.from_options(opts, source.where).max_depth
        fetched = 0
        for page in pages(source, opts, site):
            if since is not None and page.lastmod is not None and page.lastmod < since:
                continue
            if not site.allowed(page.url):
                log.warning(t("harvest.jsonld.disallowed", url=page.url))
                continue
            if opts["max_pages"] and fetched >= opts["max_pages"]:
                break
            fetched += 1
            record = read_page(source.id, site, page, max_depth)
            if record is not None:
                yield record
    checkpoint.complete(started)


def pages(source: Source, opts: dict[str, Any], site: Site) -> Iterator[Page]:
    base = source.url or MIRROR_BASE
    if opts["urls"]:
        yield from (Page(urljoin(base, str(u))) for u in opts["urls"])
        return
    sitemap = opts["sitemap"]
    if sitemap:
        sitemap = urljoin(base, sitemap)
    else:
        declared = list(site.rules(base).sitemaps)
        sitemap = declared[0] if declared else urljoin(base, "/sitemap.xml")
        if declared and urlsplit(sitemap).netloc != urlsplit(base).netloc:
            sitemap = urljoin(base, urlsplit(sitemap).path)  # a mirror or a test copy of the site
    yield from read_sitemap(site, sitemap, base, depth=0)


def read_sitemap(site: Site, url: str, base: str, depth: int) -> Iterator[Page]:
    status, content, _ = site.get(url)
    if status != 200:
        raise InputError("harvest.jsonld.no_sitemap", path=url, detail=f"HTTP {status}")
    try:
        root = safexml.fromstring(content)
    except etree.XMLSyntaxError as exc:
        raise InputError("harvest.jsonld.no_sitemap", path=url, detail=exc) from exc
    if root.tag == f"{{{SITEMAP}}}sitemapindex" and depth == 0:
        for child in root.iterfind(f"{{{SITEMAP}}}sitemap/{{{SITEMAP}}}loc"):
            yield from read_sitemap(site, rebase((child.text or "").strip(), base), base, depth + 1)
        return
    for node in root.iterfind(f"{{{SITEMAP}}}url"):
        loc = (node.findtext(f"{{{SITEMAP}}}loc") or "").strip()
        if loc:
            yield Page(rebase(loc, base), parse_datestamp(node.findtext(f"{{{SITEMAP}}}lastmod")))


def rebase(url: str, base: str) -> str:
    """A sitemap URL, moved onto `base` when the site is served from elsewhere (a mirror, a test)."""
    if not base or urlsplit(url).netloc == urlsplit(base).netloc:
        return url
    parts = urlsplit(url)
    return urljoin(base, parts.path + (f"?{parts.query}" if parts.query else ""))


def read_page(source_id: str, site: Site, page: Page, max_depth: int = DEPTH) -> SourceRecord | None:
    status, content, content_type = site.get(page.url)
    if status != 200:
        log.warning(t("harvest.jsonld.page_status", url=page.url, status=status))
        return None
    try:
        extracted = webpage.extract(content, content_type, page.url, max_depth)
    except TooDeep:
        return refused(_page_record(source_id, page, b""), "harvest.limit.depth", "too-deep", limit=max_depth)
    for number in extracted.broken:
        log.warning(t("harvest.jsonld.irreparable", url=page.url, block=number))
    objects = extracted.objects()
    if not objects:
        log.warning(t("harvest.jsonld.none", url=page.url))
        return None
    payload = json.dumps(objects[0] if len(objects) == 1 else objects, ensure_ascii=False, sort_keys=True).encode()
    return _page_record(source_id, page, payload, extracted.kinds)


def _page_record(source_id: str, page: Page, payload: bytes, kinds: list[str] | None = None) -> SourceRecord:
    return SourceRecord(
        source_id=source_id,
        local_id=urlsplit(page.url).path.lstrip("/") or "index",
        payload=payload,
        media_type="application/ld+json",
        content_hash=content_hash(payload),
        datestamp=page.lastmod,
        origin=page.url,
        location=f"{page.url} ({', '.join(kinds)})" if kinds else page.url,
    )


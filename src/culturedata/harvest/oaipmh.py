"""OAI-PMH 2.0: `ListRecords` (or `ListIdentifiers` + `GetRecord`) with a checkpoint per page.

A run asks `Identify` for the granularity, then pages through the list with resumption
tokens. After the records of a page have been taken by the caller, the next token is saved
(`checkpoint.py`: the run's own, until its records are published), so a harvest interrupted
within a run resumes at the page where it stopped; a complete
run stores the server's `responseDate` of its first page as the watermark from which the
next incremental run starts (`from=`).

Faults: urllib3's `Retry` (in `transport.py`) handles timeouts, refused or dropped
connections, 429 and 5xx with `Retry-After`. A page whose body is cut off, is not XML or is
not an OAI-PMH response (an HTML error page served with status 200) is fetched again a few
times, then the run stops with a clear error; because records are only given out once the
whole page parsed, a re-read page never produces duplicates. A token that comes back, or
pages that bring nothing, stop the run with `ResumptionLoop` instead of looping forever.
`noRecordsMatch` is an empty harvest; `badResumptionToken` (an expired token) restarts the
window once. Any other OAI-PMH error document is the server's answer, never retried, whatever
status or content type it came with and even after blank lines before `<?xml`: the run stops
(exit 3) with the server's code, what the protocol says it means, and the server's message.

Speed: while the records of a `ListRecords` page are read, the next pages are already being
fetched on another thread (see `OAIClient`, at most two pages ahead); a page fetched ahead
counts as that page's first attempt, so retries, errors and checkpoints are those of a run
without it. A page in the regular shape most repositories write is read from its bytes
while lxml checks it, on a third thread and without building a tree (`oaislice.py`); any
other page is parsed whole and read from its tree. While a page is being fetched ahead, the
reading thread lets the fetching one take the GIL every few records (`OAIClient.let_fetch_run`)
instead of making it wait Python's switch interval (5 ms) each time it needs the GIL: no
setting of the process (such as `sys.setswitchinterval`) is changed for it.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import requests
import urllib3
from lxml import etree

from culturedata.errors import ConfigError, OAIProtocolError, ResumptionLoop, SourceUnavailable
from culturedata.harvest import oaislice, safexml, xmldepth
from culturedata.harvest.checkpoint import Checkpoint
from culturedata.harvest.limits import XML_DEPTH, refused
from culturedata.harvest.options import read_options, require_choice
from culturedata.harvest.timestamps import parse_datestamp
from culturedata.harvest.transport import HTTP_OPTIONS, HarvestSession, HttpSettings
from culturedata.records import SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

log = logging.getLogger(__name__)
T = TypeVar("T")

OAI = "http://www.openarchives.org/OAI/2.0/"
RECORD = f"{{{OAI}}}record"
HEADER = f"{{{OAI}}}header"
TOKEN = f"{{{OAI}}}resumptionToken"
ERROR = f"{{{OAI}}}error"
RESPONSE_DATE = f"{{{OAI}}}responseDate"
ROOT = f"{{{OAI}}}OAI-PMH"
METADATA = f"{{{OAI}}}metadata"
IDENTIFIER = f"{{{OAI}}}identifier"
DATESTAMP = f"{{{OAI}}}datestamp"
SET_SPEC = f"{{{OAI}}}setSpec"

OPTIONS: dict[str, tuple[Any, Any]] = {
    "metadata_prefix": (str, "oai_dc"),
    "sets": (list, []),
    "verb": (str, "ListRecords"),  # or "ListIdentifiers": headers, then GetRecord one by one
    "until": (str, ""),
    "page_attempts": (int, 3),  # reads of a page whose body is broken, before giving up
    "max_empty_pages": (int, 5),  # consecutive pages without records that mean "stuck"
    **HTTP_OPTIONS,
}
VERBS = ("ListRecords", "ListIdentifiers")
BOM = b"\xef\xbb\xbf"
ERROR_DOCUMENT = 64 * 1024  # an error document is a few lines; a bigger body is not read as one
# The protocol's error codes (OAI-PMH 2.0, section 3.6), each explained in the user's language.
OAI_ERRORS = {
    "badArgument": "harvest.oai.refused.bad_argument",
    "badResumptionToken": "harvest.oai.refused.bad_resumption_token",
    "badVerb": "harvest.oai.refused.bad_verb",
    "cannotDisseminateFormat": "harvest.oai.refused.cannot_disseminate_format",
    "idDoesNotExist": "harvest.oai.refused.id_does_not_exist",
    "noMetadataFormats": "harvest.oai.refused.no_metadata_formats",
    "noRecordsMatch": "harvest.oai.refused.no_records_match",
    "noSetHierarchy": "harvest.oai.refused.no_set_hierarchy",
}
WHOLE_PAGE = 16 * 1024 * 1024
RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT  # libxml2's code for a document nested too deep
TAIL_TOKEN = re.compile(
    rb"<(?:[\w.-]+:)?resumptionToken(?:\s[^>]*)?>\s*([^<&\s](?:[^<&]*[^<&\s])?)\s*</(?:[\w.-]+:)?resumptionToken\s*>"
    rb"\s*</(?:[\w.-]+:)?List(?:Records|Identifiers)\s*>\s*</(?:[\w.-]+:)?OAI-PMH\s*>\s*$"
)


@dataclass(frozen=True, slots=True)
class Identify:
    repository_name: str
    base_url: str
    granularity: str
    earliest_datestamp: str
    deleted_record: str


@dataclass(slots=True)
class Header:
    identifier: str
    datestamp: datetime | None
    deleted: bool
    sets: tuple[str, ...]


@dataclass(slots=True)
class Page:
    """One parsed response. `records` are (header, metadata bytes or None)."""

    url: str
    records: list[tuple[Header, bytes | None]] = field(default_factory=list)
    token: str | None = None
    response_date: datetime | None = None
    error: tuple[str, str] | None = None
    too_deep: frozenset[int] = frozenset()  # places (from 1) of the records emptied for their depth


class BadPage(Exception):
    """A response that is not a usable OAI-PMH page; worth reading again."""


@dataclass(slots=True)
class Ahead:
    """A page being fetched on the fetching thread before the caller asks for it."""

    params: dict[str, str]
    future: Future[Fetched] | None  # set as soon as submitted
    # May this fetch go on to the page after it? Only once the caller reads the page before
    # it, so that no more than two pages are ever ahead of the one being read.
    chain: bool


# The body, its URL, and the next page if the fetch went on to it.
Fetched = tuple[bytes, str, Ahead | None]


class OAIClient:
    """The six verbs over one `HarvestSession`, with page-level re-reads of broken bodies.

    With `ahead` (a one-thread pool), `page` fetches the next pages of a list while the caller
    reads this one: the resumption token is read from the end of the bytes before they are
    parsed, the request goes out on the fetching thread, which goes on to the page after, and
    the `page` call for each of them takes that response as its first attempt, exactly as if
    it had fetched it itself (same retries, same errors). A fetched page whose token the
    caller does not confirm is thrown away. The session is only used by one thread at a
    time: the caller waits for the pages ahead before its own requests. With `checker`
    (another one-thread pool), lxml checks a regular page there while the caller reads its
    records (see `parse_page`).

    Reading the records stays on the caller's thread: every thread that runs Python makes
    the others wait for the GIL, and the fetching thread, whose speed sets the harvest's
    (each page's token is in the page before), needs it at every step of a request. A thread
    that wants the GIL waits up to Python's switch interval (5 ms) for a busy one to let it
    go, so the reader lets it go itself every few records while a page is on its way
    (`let_fetch_run`).
    """

    def __init__(
        self, base_url: str, session: HarvestSession, page_attempts: int = 3, ahead: ThreadPoolExecutor | None = None,
        checker: ThreadPoolExecutor | None = None,
    ) -> None:
        self.base_url = base_url
        self.session = session
        self.page_attempts = max(1, page_attempts)
        self.ahead = ahead
        self.checker = checker
        self.fetching: Ahead | None = None

    def page(
        self, params: dict[str, str], item_tag: str = RECORD, follow: Callable[[str], bool] | None = None
    ) -> Page:
        """One page of a list. `follow(token)` says whether the next page may be fetched ahead."""
        fetched = self._fetched(params)

        def read() -> Page:
            nonlocal fetched
            if fetched is None:
                if self.fetching is not None:  # a re-read: the pages ahead were fetched from the bad one
                    self._drop(self.fetching)
                    self.fetching = None
                content, url = self._body(params)
            else:
                try:
                    content, url, chained = fetched.result()  # raises what the fetch raised, like `_body`
                finally:
                    fetched = None
                if chained is not None and self.fetching is None:
                    chained.chain = True  # read from now on: the one after it may be fetched
                    self.fetching = chained
            if follow is not None:
                self._fetch_next(content, params, follow)
            return parse_page(content, url, item_tag, self.checker, self.let_fetch_run)

        return self._attempts(read)

    def let_fetch_run(self) -> None:
        """While a page is being fetched ahead, let the GIL go for a moment.

        `time.sleep(0)` releases the GIL and asks for it again; a thread waiting for it (the
        fetching one) is woken by the release and mostly gets it then: on the shared test
        machine a thread waking from I/O beside one that does this every ~50 µs got the GIL
        within 0.2 ms nine times in ten, against 30 ms without. Without it the fetching thread
        waits out Python's switch interval (5 ms) at each step of its request, and fetches
        after the reading instead of beside it. Costs a microsecond when nobody waits.
        """
        fetching = self.fetching
        if fetching is not None and fetching.future is not None and not fetching.future.done():
            time.sleep(0)

    def _fetched(self, params: dict[str, str]) -> Future[Fetched] | None:
        """The response fetched ahead for `params`; those for other params are thrown away."""
        fetching, self.fetching = self.fetching, None
        if fetching is None:
            return None
        if fetching.params == params:
            return fetching.future
        self._drop(fetching)
        return None

    def _drop(self, fetching: Ahead) -> None:
        """Wait for a fetch ahead (never two requests at once on the session) and what it went on to."""
        fetching.chain = False
        future = fetching.future
        if future is not None and future.exception() is None:
            chained = future.result()[2]
            if chained is not None:
                self._drop(chained)

    def _fetch_next(self, content: bytes, params: dict[str, str], follow: Callable[[str], bool]) -> None:
        following = self._following(content, params, follow)
        if following is None or (self.fetching is not None and self.fetching.params == following):
            return
        if self.fetching is not None:
            self._drop(self.fetching)
        self.fetching = self._start(following, follow, chain=True)

    def _following(
        self, content: bytes, params: dict[str, str], follow: Callable[[str], bool]
    ) -> dict[str, str] | None:
        """The request for the page after `content`, if it may be fetched ahead."""
        token = tail_token(content)
        if self.ahead is None or token is None or not follow(token):
            return None
        if token == params.get("resumptionToken"):
            return None  # a repeating token: the caller stops at it
        return {"verb": params["verb"], "resumptionToken": token}

    def _start(self, params: dict[str, str], follow: Callable[[str], bool], chain: bool) -> Ahead:
        assert self.ahead is not None
        ahead = Ahead(params, None, chain)
        ahead.future = self.ahead.submit(self._body_ahead, ahead, follow)
        return ahead

    def _body_ahead(self, ahead: Ahead, follow: Callable[[str], bool]) -> Fetched:
        """`_body`, and maybe a fetch of the page after."""
        content, url = self._body(ahead.params)
        chained = None
        if ahead.chain:
            following = self._following(content, ahead.params, follow)
            if following is not None:
                chained = self._start(following, follow, chain=False)
        return content, url, chained

    def _attempts(self, read: Callable[[], T]) -> T:
        """`read()`, again after a pause while the body breaks or is no OAI-PMH document."""
        last: Exception | None = None
        for attempt in range(self.page_attempts):
            if attempt:
                time.sleep(min(self.session.settings.backoff * 2 ** (attempt - 1), self.session.settings.max_wait))
            try:
                return read()
            except requests.RequestException as exc:  # the body broke after the headers came
                last = exc
            except BadPage as exc:
                last = exc
            log.warning("%s: %s (attempt %d/%d)", self.base_url, last, attempt + 1, self.page_attempts)
        if isinstance(last, requests.RequestException):
            raise SourceUnavailable("harvest.unreachable", url=self.base_url, detail=str(last)[:300]) from last
        raise OAIProtocolError("harvest.oai.bad_response", url=self.base_url, detail=str(last)) from last

    def _body(self, params: dict[str, str]) -> tuple[bytes, str]:
        # stream=True: a body cut off after the headers fails here, inside `_attempts`
        response = self.session.fetch(self.base_url, params=params, stream=True)
        with response:
            content = read_body(response)
            # The server's own error document is its answer whatever the status or type it
            # came with (a 400, `text/html`): reading it again would only hide it.
            if response.status_code != 200 and error_document(content) is None:
                raise BadPage(f"HTTP {response.status_code}")
            if "html" in response.headers.get("Content-Type", "").lower() and error_document(content) is None:
                raise BadPage("HTML page instead of OAI-PMH XML")
            return content, response.url

    def identify(self) -> Identify:
        root = self._tree({"verb": "Identify"})
        node = root.find(f"{{{OAI}}}Identify")
        if node is None:
            raise OAIProtocolError("harvest.oai.bad_response", url=self.base_url, detail="no <Identify>")

        def text(name: str) -> str:
            return (node.findtext(f"{{{OAI}}}{name}") or "").strip()

        return Identify(
            text("repositoryName"), text("baseURL"), text("granularity") or "YYYY-MM-DD",
            text("earliestDatestamp"), text("deletedRecord"),
        )

    def list_metadata_formats(self) -> list[str]:
        root = self._tree({"verb": "ListMetadataFormats"})
        return [e.text.strip() for e in root.iter(f"{{{OAI}}}metadataPrefix") if e.text]

    def list_sets(self) -> list[tuple[str, str]]:
        """(setSpec, setName) of every set, following resumption tokens."""
        sets: list[tuple[str, str]] = []
        params = {"verb": "ListSets"}
        seen: set[str] = set()
        while True:
            root = self._tree(params)
            for node in root.iter(f"{{{OAI}}}set"):
                sets.append((node.findtext(f"{{{OAI}}}setSpec") or "", node.findtext(f"{{{OAI}}}setName") or ""))
            token = (root.findtext(f".//{TOKEN}") or "").strip()
            if not token:
                return sets
            if token in seen:
                raise ResumptionLoop("harvest.oai.token_loop", url=self.base_url, token=token)
            seen.add(token)
            params = {"verb": "ListSets", "resumptionToken": token}

    def get_record(self, identifier: str, prefix: str) -> Page:
        return self.page({"verb": "GetRecord", "identifier": identifier, "metadataPrefix": prefix})

    def _tree(self, params: dict[str, str]) -> etree._Element:
        root = self._attempts(lambda: parse_tree(self._body(params)[0]))
        error = root.find(ERROR)
        if error is not None:
            raise refusal(self.base_url, error.get("code", ""), (error.text or "").strip())
        return root


def read_body(response: requests.Response) -> bytes:
    """requests' `content` in one read of the known length (a third of the CPU of reading it
    in pieces, which mostly went to allocating them), with requests' translation of urllib3's
    errors, so that a body that breaks is the same `RequestException` as before."""
    try:
        return response.raw.read(decode_content=True)
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc) from exc
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc


def tail_token(content: bytes) -> str | None:
    """The resumption token as the page's last bytes write it, if plainly (no references)."""
    found = TAIL_TOKEN.search(content, max(0, len(content) - 4096))
    if found is None:
        return None
    try:
        return found.group(1).decode("utf-8")
    except UnicodeDecodeError:
        return None


def xml_start(content: bytes) -> bytes:
    """The document from its first `<`: servers that print a blank line (or a BOM and one)
    before `<?xml` make libxml2 refuse the declaration, which is no reason to refuse the page."""
    if content[:1].isspace() or content.startswith(BOM):
        return content.removeprefix(BOM).lstrip()
    return content


def error_document(content: bytes) -> tuple[str, str] | None:
    """(code, message) of the first `<error>` if `content` is an OAI-PMH error document."""
    content = xml_start(content)
    if len(content) > ERROR_DOCUMENT or b"error" not in content:
        return None
    try:
        root = safexml.fromstring(content)
    except etree.XMLSyntaxError:
        return None
    error = root.find(ERROR) if root.tag == ROOT else None
    return None if error is None else (error.get("code", ""), (error.text or "").strip())


def refusal(url: str, code: str, detail: str) -> OAIProtocolError:
    """The server's error, told with what its code means when it is one of the protocol's."""
    return OAIProtocolError(OAI_ERRORS.get(code, "harvest.oai.error"), url=url, oai_code=code, detail=detail)


def parse_tree(content: bytes) -> etree._Element:
    content = xml_start(content)
    try:
        root = safexml.fromstring(content)
    except etree.XMLSyntaxError as exc:
        raise BadPage(f"not well-formed XML: {exc}") from exc
    if root.tag != ROOT:
        raise BadPage(f"not an OAI-PMH response (root element {root.tag!r})")
    return root


def parse_page(
    content: bytes, url: str, item_tag: str = RECORD, checker: Executor | None = None,
    pause: Callable[[], None] | None = None,
) -> Page:
    """`read_page`, and a `ListRecords` page libxml2 refuses for its depth read again with its
    too-deep records emptied (`xmldepth.py`), for the harvester to refuse them alone."""
    try:
        return read_page(content, url, item_tag, checker, pause)
    except BadPage as exc:
        cause = exc.__cause__
        code = getattr(cause, "code", None)  # lxml-stubs lack ParseError.code
        if item_tag != RECORD or not isinstance(cause, etree.XMLSyntaxError) or code != RESOURCE_LIMIT:
            raise
        defused = xmldepth.defuse(content, XML_DEPTH)
        if defused is None:
            raise
        page = read_page(defused.content, url, item_tag, checker, pause)
        if len(page.records) != defused.items:  # the tags were not read as the parser reads them
            raise exc from cause
        page.too_deep = defused.too_deep
        return page


def read_page(
    content: bytes, url: str, item_tag: str = RECORD, checker: Executor | None = None,
    pause: Callable[[], None] | None = None,
) -> Page:
    """One response; anything but a whole OAI-PMH document is `BadPage`.

    A `ListRecords` page in the regular shape is read from its bytes (`oaislice.py`, calling
    `pause` every few records) while lxml checks that it is well-formed (on `checker`'s
    thread if given); any other page is parsed whole (its bytes are in memory already, and a
    tree costs less than iterparse's events), or streamed when it is bigger than
    `WHOLE_PAGE`, to bound the memory.
    """
    content = xml_start(content)
    if len(content) > WHOLE_PAGE:
        return stream_page(content, url, item_tag)
    frame = oaislice.Frame.of(content) if item_tag == RECORD else None
    checking = checker.submit(safexml.check, content) if frame is not None and checker is not None else None
    listing = frame.read(Header, pause) if frame is not None else None
    if listing is None:  # an irregular page: the tree (a check still running is left to end)
        return read_tree(parse_tree(content), url, item_tag)
    try:
        checking.result() if checking is not None else safexml.check(content)
    except etree.XMLSyntaxError as exc:
        raise BadPage(f"not well-formed XML: {exc}") from exc
    return Page(url, listing.records, listing.token, listing.response_date)


def read_tree(root: etree._Element, url: str, item_tag: str) -> Page:
    """The page in a parsed response: the root's children, and the items of its verb's element."""
    page = Page(url=url)
    for child in root:
        if child.tag in (RESPONSE_DATE, ERROR):
            read_top(page, child)
        else:
            for element in child:
                read_listed(page, element, item_tag)
    return page


def stream_page(content: bytes, url: str, item_tag: str = RECORD) -> Page:
    """`read_tree` with iterparse, each record freed once read."""
    page = Page(url=url)
    events = safexml.iterparse(io.BytesIO(content), tag=(item_tag, TOKEN, ERROR, RESPONSE_DATE))
    try:
        for _, element in events:
            parent = element.getparent()
            above = parent.getparent() if parent is not None else None
            if parent is not None and above is None:  # a child of the root
                read_top(page, element)
            elif above is not None and above.getparent() is None and read_listed(page, element, item_tag):
                element.clear(keep_tail=True)  # type: ignore[call-arg]  # lxml-stubs lack keep_tail
        root = events.root
    except etree.XMLSyntaxError as exc:
        raise BadPage(f"not well-formed XML: {exc}") from exc
    if root is None or root.tag != ROOT:
        raise BadPage(f"not an OAI-PMH response (root element {getattr(root, 'tag', None)!r})")
    return page


def read_top(page: Page, element: etree._Element) -> None:
    """A child of the root: the response date or an error."""
    if element.tag == ERROR:
        page.error = (element.get("code", ""), (element.text or "").strip())
    elif element.tag == RESPONSE_DATE:
        page.response_date = parse_datestamp(element.text)


def read_listed(page: Page, element: etree._Element, item_tag: str) -> bool:
    """A child of the verb's element: an item or the resumption token. True for an item
    (which the caller may free); elements deeper down (inside a payload) are not the list's."""
    if element.tag == item_tag:
        page.records.append(read_item(element))
        return True
    if element.tag == TOKEN:
        page.token = (element.text or "").strip() or None
    return False


def read_item(element: etree._Element) -> tuple[Header, bytes | None]:
    # One pass over the children instead of find() per field: this loop runs per record.
    header_element: etree._Element | None = element if element.tag == HEADER else None
    metadata: etree._Element | None = None
    if header_element is None:
        for child in element:
            if child.tag == HEADER:
                header_element = child
            elif child.tag == METADATA:
                metadata = child
    if header_element is None:
        raise BadPage("a <record> without <header>")
    identifier, stamp, sets = "", None, []
    for child in header_element:
        tag = child.tag
        if tag == IDENTIFIER:
            identifier = (child.text or "").strip()
        elif tag == DATESTAMP:
            stamp = parse_datestamp(child.text)
        elif tag == SET_SPEC:
            sets.append((child.text or "").strip())
    header = Header(identifier, stamp, header_element.get("status") == "deleted", tuple(sets))
    if element.tag == HEADER or header.deleted:
        return header, None
    content = next(metadata.iterchildren("*"), None) if metadata is not None else None  # elements only
    if content is None:
        return header, b""  # the mapper reports an empty record; the harvest goes on
    return header, etree.tostring(content, encoding="utf-8", with_tail=False)


def format_datestamp(value: datetime, granularity: str) -> str:
    value = value.astimezone(UTC) if value.tzinfo else value
    if granularity == "YYYY-MM-DD":
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def harvest_oaipmh(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    if not source.url:
        raise ConfigError("harvest.needs_url", where=source.where)
    require_choice(source, "verb", opts["verb"], VERBS)
    ahead = ThreadPoolExecutor(1, thread_name_prefix="oai-ahead")
    checker = ThreadPoolExecutor(1, thread_name_prefix="oai-check")
    try:
        with HarvestSession(HttpSettings.from_options(opts)) as session:
            client = OAIClient(source.url, session, opts["page_attempts"], ahead, checker)
            run = OAIRun(source, client, Checkpoint.of(options, source.id), opts, options)
            yield from run.records()
    finally:
        ahead.shutdown(wait=False, cancel_futures=True)
        checker.shutdown(wait=False, cancel_futures=True)


class OAIRun:
    """One harvest of one repository, resumable from its checkpoint."""

    def __init__(
        self, source: Source, client: OAIClient, checkpoint: Checkpoint, opts: dict[str, Any],
        options: HarvestOptions,
    ) -> None:
        self.source = source
        self.client = client
        self.checkpoint = checkpoint
        self.opts = opts
        self.options = options

    def records(self) -> Iterator[SourceRecord]:
        if self.options.full:
            self.checkpoint.reset()
        granularity = self.client.identify().granularity
        state = self._resumable() or self._fresh(granularity)
        sets: list[str] = [str(s) for s in self.opts["sets"]] or [""]
        while state["set_index"] < len(sets):
            yield from self._list(state, sets[state["set_index"]])
            state["set_index"] += 1
            state["token"] = None
            self.checkpoint.save_run(state)
        started = datetime.fromisoformat(state["started"]) if state.get("started") else None
        self.checkpoint.complete(started)
        log.info("%s: %d records in %d pages", self.source.id, state["records"], state["pages"])

    def _signature(self) -> dict[str, Any]:
        return {"prefix": self.opts["metadata_prefix"], "sets": list(self.opts["sets"]), "verb": self.opts["verb"]}

    def _resumable(self) -> dict[str, Any] | None:
        run = self.checkpoint.run
        if run is None or self.options.since is not None or run.get("signature") != self._signature():
            return None
        log.info("%s: resuming at page %d", self.source.id, run["pages"] + 1)
        return run

    def _fresh(self, granularity: str) -> dict[str, Any]:
        since = None if self.options.full else (self.options.since or self.checkpoint.watermark)
        return {
            "signature": self._signature(),
            "from": format_datestamp(since, granularity) if since else None,
            "until": self.opts["until"] or None,
            "set_index": 0,
            "token": None,
            "pages": 0,
            "records": 0,
            "started": None,
        }

    def _first_request(self, state: dict[str, Any], set_spec: str) -> dict[str, str]:
        params = {"verb": self.opts["verb"], "metadataPrefix": self.opts["metadata_prefix"]}
        for key in ("from", "until"):
            if state.get(key):
                params[key] = state[key]
        if set_spec:
            params["set"] = set_spec
        return params

    def _list(self, state: dict[str, Any], set_spec: str) -> Iterator[SourceRecord]:
        seen: set[str] = {state["token"]} if state["token"] else set()
        restarted = False
        empty_pages = 0
        item_tag = HEADER if self.opts["verb"] == "ListIdentifiers" else RECORD

        def follow(token: str) -> bool:  # the page after this one will be asked for
            return token not in seen and token != state["token"]

        while True:
            token = state["token"]
            params = {"verb": self.opts["verb"], "resumptionToken": token} if token else self._first_request(
                state, set_spec
            )
            page = self.client.page(params, item_tag, follow if item_tag == RECORD else None)
            if page.error:
                code, message = page.error
                if code == "noRecordsMatch" and not token:
                    return
                if code == "badResumptionToken" and token and not restarted:
                    log.warning("%s: resumption token refused, restarting the window", self.source.id)
                    restarted, state["token"] = True, None
                    seen.clear()
                    continue
                raise refusal(self.client.base_url, code, message)
            if state["started"] is None:
                state["started"] = (page.response_date or datetime.now(UTC)).isoformat()
            state["pages"] += 1
            state["records"] += yield from self._records(page, state["pages"])
            if not page.token:
                return
            if page.token in seen:
                raise ResumptionLoop("harvest.oai.token_loop", url=self.client.base_url, token=page.token)
            empty_pages = 0 if page.records else empty_pages + 1
            if empty_pages >= self.opts["max_empty_pages"]:
                raise ResumptionLoop("harvest.oai.no_progress", url=self.client.base_url, pages=empty_pages)
            seen.add(page.token)
            state["token"] = page.token
            self.checkpoint.save_run(state)

    def _records(self, page: Page, number: int) -> Generator[SourceRecord, None, int]:
        """The records of page `number`; returns how many it gave."""
        source_id, url, given, pause = self.source.id, page.url, 0, self.client.let_fetch_run
        too_deep = page.too_deep
        for index, (header, payload) in enumerate(page.records, start=1):
            if not index % oaislice.PAUSE_EVERY:  # the caller's work between records may be long
                pause()
            if not header.identifier or (payload is None and not header.deleted):
                found = self._odd(header, number, index)
                if found is None:
                    continue
                header, payload = found
            body = payload or b""
            # source_id, local_id, payload, media_type, content_hash, datestamp, deleted, origin,
            # location: positional, a third cheaper than by name, and this runs for every record
            record = SourceRecord(
                source_id, header.identifier, body, "application/xml", content_hash(body), header.datestamp,
                header.deleted, url, f"page {number}, record {index}",
            )
            if too_deep and index in too_deep:
                record = refused(record, "harvest.limit.depth_xml", "too-deep", limit=XML_DEPTH)
            yield record
            given += 1
        return given

    def _odd(self, header: Header, number: int, index: int) -> tuple[Header, bytes | None] | None:
        """A listed record without identifier (skipped: None), or a header alone (ListIdentifiers):
        the record fetched with GetRecord."""
        if not header.identifier:
            log.warning("%s: page %d, record %d has no identifier; skipped", self.source.id, number, index)
            return None
        fetched = self.client.get_record(header.identifier, self.opts["metadata_prefix"])
        if fetched.error or not fetched.records:
            code = fetched.error[0] if fetched.error else "empty"
            log.warning("%s: GetRecord %s failed (%s); skipped", self.source.id, header.identifier, code)
            return None
        return fetched.records[0]

"""The SPARQL endpoint under load, beside the Oxigraph server on the same snapshot.

The snapshot: 100,000 objects run through the pipeline (about 3.5 M quads with the merged
default graph), built once and kept under bench/out/server/. Workloads: point lookups (one
entity's description, CONSTRUCT as Turtle), DESCRIBE (Turtle) and a 10,000-row SELECT (SPARQL
JSON), each with 1 and 4 connections, in requests/s, kB/s and the 99th percentile of latency.
The clients are processes (one per connection, a plain socket with keep-alive), not threads:
a Python client sharing one GIL could not keep four connections busy.
Servers: ours (`culturedata serve`, a subprocess, one serving process per core) with its answer
cache off (the figure the goal is about: >= 0.8 of Oxigraph's rate, p99 <= 1.5x Oxigraph's), the
same with one process (what the extra processes buy), ours as configured by default (answer cache
on, fed entities other than the ones measured before, so hits come only from what random traffic
repeats), bench/_bare_server.py (uvicorn + pyoxigraph and nothing else, one process: the most one
Python process built on them can reach) and `oxigraph serve-read-only`. CPU per request is each
server's whole process tree's. Then our servers' memory (RSS of the process tree) over many point
lookups.

Then the entity pages, on this snapshot and on a small one built the same way (100 records, about
35k quads): the page's CPU time (its Server-Timing header), the serving process's CPU per page
and the pages/s one client gets, beside DESCRIBE of the same entities (in-process, and over
HTTP from one client).

    python -m bench server                      # BENCH_SERVER_QUERIES=100000 by default
    BENCH_SERVER_RECORDS=20000 python -m bench server   # a smaller snapshot (built once too)
    BENCH_SERVER_QUERIES=20000 BENCH_SERVER_SECONDS=3 python -m bench server
    BENCH_SERVER_ONLY=pages python -m bench server   # the entity page figures alone (both snapshots)
    BENCH_SERVER_ONLY=endpoint BENCH_SERVER_WORKLOADS=DESCRIBE python -m bench server   # one workload alone
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import requests

from bench.report import compare

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "server"
BASE = "http://127.0.0.1:8000/"
SCHEMA = "http://schema.org/"
RECORDS = int(os.environ.get("BENCH_SERVER_RECORDS", "100000"))  # 100k objects: about 3.5 M quads
ENTITIES = 20_000  # the objects asked for, drawn at random
ENTITY_LIST: list[str] = []
SECONDS = float(os.environ.get("BENCH_SERVER_SECONDS", "5"))
MEMORY_QUERIES = int(os.environ.get("BENCH_SERVER_QUERIES", "100000"))
SELECT_10K = f"SELECT ?s ?name WHERE {{ GRAPH ?g {{ ?s <{SCHEMA}name> ?name }} }} LIMIT 10000"
LOOKUP = "CONSTRUCT {{ <{e}> ?p ?o }} WHERE {{ GRAPH ?g {{ <{e}> ?p ?o }} }}"
DESCRIBE = "DESCRIBE <{e}>"


def build_snapshot() -> Path:
    """A snapshot built by the pipeline from a CSV of RECORDS objects (bench/store.py's columns and
    mapping), with its merged default graph, as a night publishes it; built once, kept under
    bench/out/server/. ENTITY_LIST gets a sample of its objects' IRIs, the entities asked for."""
    current, ENTITY_LIST[:] = built(RECORDS)
    return current


def built(records: int) -> tuple[Path, list[str]]:
    """The pipeline's snapshot of `records` objects (built the first time) and its entities' IRIs."""
    from bench.store import CONFIG, write_collection
    from culturedata.config import load_config
    from culturedata.pipeline import RunOptions, run
    from culturedata.store import Snapshots

    work = OUT / f"pipeline-{records}"
    snapshots = Snapshots(work / "var" / "store")
    current = snapshots.current()
    if current is None or not (work / "entities.txt").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "culturedata.toml").write_text(CONFIG, encoding="utf-8")
        write_collection(work / "collection.csv", records)
        started = time.perf_counter()
        config = load_config(work / "culturedata.toml")
        run(config, config.select(()), options=RunOptions())
        current = snapshots.current()
        assert current is not None, "the pipeline published nothing"
        store = ox.Store.read_only(str(current))
        found = [str(row[0].value) for row in store.query(  # type: ignore[union-attr]
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s <{SCHEMA}name> ?n }} FILTER(STRSTARTS(STR(?s), '{BASE}id/')) }}"
            f" LIMIT {ENTITIES}")]
        (work / "entities.txt").write_text("\n".join(found) + "\n", encoding="utf-8")
        print(f"snapshot built by the pipeline in {time.perf_counter() - started:.0f} s: {len(store):,} quads")
    return current, (work / "entities.txt").read_text(encoding="utf-8").split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> set[int]:
    """`pid` and every living process under it (a server's serving processes and query workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = {pid}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@dataclass
class Server:
    name: str
    url: str  # the SPARQL endpoint
    process: subprocess.Popen

    def cpu_seconds(self) -> float:
        """User + system CPU time the server's processes have used so far (those that ended
        and were waited for included, through their parent's cutime/cstime)."""
        total = 0
        for pid in tree(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(f) for f in fields[11:15])
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        total = 0
        for pid in tree(self.process.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        return total / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(name: str, command: list[str], url: str) -> Server:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=2)
            return Server(name, url, process)
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{name} did not start: {' '.join(command)}")


def ours(snapshot_root: Path, cache: bool, processes: int | None = None) -> Server:
    """`culturedata serve` as it runs in production, over a configuration naming the store."""
    port = free_port()
    # One file per snapshot: the entity pages' figures serve two snapshots side by side.
    config = OUT / f"{snapshot_root.parent.parent.name}{'' if cache else '-nocache'}.toml"
    text = f'[publish]\nbase_iri = "{BASE}"\n[store]\npath = "{snapshot_root.relative_to(OUT)}"\n'
    config.write_text(text + ("" if cache else "[server]\nresponse_cache_mb = 0\n"), encoding="utf-8")
    command = [sys.executable, "-m", "culturedata", "--config", str(config), "serve", "--port", str(port)]
    if processes is not None:
        command += ["--processes", str(processes)]
    name = "culturedata" + ("" if cache else " (no answer cache)") + (f", {processes} process" if processes else "")
    return start(name, command, f"http://127.0.0.1:{port}/sparql")


def oxigraph(snapshot: Path) -> Server:
    port = free_port()
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
    command = [binary, "serve-read-only", "--location", str(snapshot), "--bind", f"127.0.0.1:{port}"]
    return start("oxigraph", command, f"http://127.0.0.1:{port}/query")


def bare(snapshot: Path) -> Server:
    """bench/_bare_server.py: uvicorn + pyoxigraph and nothing else, the yardstick of what is ours."""
    port = free_port()
    os.environ["BENCH_BARE_STORE"] = str(snapshot)
    command = [sys.executable, "-m", "uvicorn", "bench._bare_server:app", "--port", str(port),
               "--log-level", "warning", "--no-access-log", "--lifespan", "off", "--app-dir", str(ROOT)]
    return start("bare", command, f"http://127.0.0.1:{port}/")


@dataclass
class Load:
    requests: int
    bytes: int
    seconds: float
    errors: int
    latencies: list[float]  # seconds, one per answered request

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def kb_per_s(self) -> float:
        return self.bytes / self.seconds / 1e3

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000 if ordered else float("nan")


Maker = Callable[[random.Random], tuple[str, str]]


def hammer(url: str, make: Maker, clients: int, seconds: float, seed: int = 0, count: int | None = None) -> Load:
    """`clients` processes, each with its own keep-alive connection, sending requests for
    `seconds` (or `count` requests in all); client i draws its entities from `random.Random(seed + i)`."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.monotonic() + 0.5  # every client connected and ready before the clock starts
    shares = [None] * clients if count is None else [count // clients + (i < count % clients) for i in range(clients)]
    processes = [context.Process(target=_client, args=(url, make, seed + i, start_at, start_at + seconds, share,
                                                       results)) for i, share in enumerate(shares)]
    for process in processes:
        process.start()
    answers = [results.get() for _ in processes]
    for process in processes:
        process.join()
    done, size, errors = (sum(a[i] for a in answers) for i in range(3))
    elapsed = max(a[3] for a in answers)
    for message in {a[5] for a in answers if a[5]}:
        print(f"  first failure from {url}: {message}")
    return Load(done, size, elapsed, errors, [x for a in answers for x in a[4]])


def _client(url: str, make: Maker, seed: int, start_at: float, stop_at: float, share: int | None,
            results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    rng = random.Random(seed)
    parts = urlsplit(url)
    head = f"GET {parts.path}?"
    tail = f" HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    connection = socket.create_connection((parts.hostname, parts.port))
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = connection.makefile("rb")
    done = size = errors = 0
    failure = ""
    latencies = []
    time.sleep(max(0.0, start_at - time.monotonic()))
    started = time.monotonic()
    while (time.monotonic() < stop_at) if share is None else (done + errors < share):
        # Drawn afresh each time (a few µs): a repeating list would feed the answer cache.
        query, accept = make(rng)
        request = f"{head}{urlencode({'query': query})}{tail}Accept: {accept}\r\n\r\n".encode()
        sent = time.perf_counter()
        connection.sendall(request)
        status, body = _response(reader)
        if status != 200:
            errors += 1
            failure = failure or f"{status} {body[:200]!r}"
            continue
        latencies.append(time.perf_counter() - sent)
        done += 1
        size += len(body)
    elapsed = time.monotonic() - started
    connection.close()
    results.put((done, size, errors, elapsed, latencies, failure))


def _response(reader) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    """One HTTP/1.1 response's status and body (Content-Length or chunked)."""
    status = int(reader.readline().split()[1])
    length, chunked = None, False
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        chunks = []
        while (n := int(reader.readline().split(b";")[0], 16)) > 0:
            chunks.append(reader.read(n))
            reader.readline()
        while reader.readline() not in (b"\r\n", b""):  # trailers
            pass
        return status, b"".join(chunks)
    return status, reader.read(length) if length else b""


def lookup(rng: random.Random) -> tuple[str, str]:
    return LOOKUP.format(e=rng.choice(ENTITY_LIST)), "text/turtle"


def describe(rng: random.Random) -> tuple[str, str]:
    return DESCRIBE.format(e=rng.choice(ENTITY_LIST)), "text/turtle"


def select(_: random.Random) -> tuple[str, str]:
    return SELECT_10K, "application/sparql-results+json"


WORKLOADS = {"point lookup": lookup, "DESCRIBE": describe, "10k-row SELECT": select}
CLIENTS = (1, 4)


def main() -> None:
    snapshot = build_snapshot()
    if os.environ.get("BENCH_SERVER_ONLY") == "pages":
        entity_pages(snapshot)
        return
    cores = os.cpu_count() or 1
    quads = len(ox.Store.read_only(str(snapshot)))
    print(f"data: {RECORDS:,} records through the pipeline, {quads:,} quads (the merged default graph included); "
          f"{SECONDS:.0f} s per measurement; {cores} cores; machine shared with other work, figures are noisy")
    root = snapshot.parent.parent
    single, one, cached = ours(root, cache=False), ours(root, cache=False, processes=1), ours(root, cache=True)
    oxi, yardstick = oxigraph(snapshot), bare(snapshot)
    servers = [single, one, cached, oxi, yardstick]
    try:
        chosen = os.environ.get("BENCH_SERVER_WORKLOADS")  # e.g. "DESCRIBE,point lookup"
        for round_, (workload, make) in enumerate(WORKLOADS.items()):
            if chosen and workload not in chosen.split(","):
                continue
            for clients in CLIENTS:
                measure(f"{workload}, {clients} connection{'s' if clients > 1 else ''}", make, clients, round_,
                        oxi, single, one, cached, yardstick)
        if os.environ.get("BENCH_SERVER_ONLY") == "endpoint":  # the workloads alone
            return
        in_process(snapshot, hammer(oxi.url, select, 1, SECONDS))
        memory(single)
        memory(cached)
    finally:
        for server in servers:
            server.stop()
    entity_pages(snapshot)


def measure(label: str, make: Maker, clients: int, round_: int, oxi: Server, single: Server, one: Server,
            cached: Server, yardstick: Server) -> None:
    """One workload at one concurrency on every server, Oxigraph first; CPU per request beside.
    Each server first answers a few hundred requests of the workload (other entities): ours learn
    per process which query shapes are quick enough for the event loop (server/inline.py), and
    every server's caches warm up, before the clock starts."""
    for server in (oxi, single, one, cached, yardstick):
        hammer(server.url, make, clients, 0, seed=10_000 + round_, count=150 * clients)
    cpu = {server.name: server.cpu_seconds() for server in (oxi, single, one, yardstick)}
    reference = hammer(oxi.url, make, clients, SECONDS)
    cpu[oxi.name] = oxi.cpu_seconds() - cpu[oxi.name]
    load = hammer(single.url, make, clients, SECONDS)
    cpu[single.name] = single.cpu_seconds() - cpu[single.name]
    compare(f"{label} (req/s)", "req/s", load.rate, reference.rate, "oxigraph", goal=0.8)
    compare(f"{label} (kB/s)", "kB/s ", load.kb_per_s, reference.kb_per_s, "oxigraph")
    ratio = load.p99_ms / reference.p99_ms
    print(f"{label + ' (p99)':<44} {load.p99_ms:>12.2f} ms      oxigraph: {reference.p99_ms:>12.2f} ms      "
          f"ratio {ratio:5.2f}x  goal <= 1.50x: {'met' if ratio <= 1.5 else 'NOT met'}")
    alone = hammer(one.url, make, clients, SECONDS)
    cpu[one.name] = one.cpu_seconds() - cpu[one.name]
    compare(f"{label}, one serving process", "req/s", alone.rate, reference.rate, "oxigraph")
    # Entities the measurements above did not ask for: hits only where random traffic repeats.
    warm = hammer(cached.url, make, clients, SECONDS, seed=1000 * (1 + 2 * round_ + clients))
    compare(f"{label}, answer cache on", "req/s", warm.rate, reference.rate, "oxigraph")
    least = hammer(yardstick.url, make, clients, SECONDS)
    cpu[yardstick.name] = yardstick.cpu_seconds() - cpu[yardstick.name]
    compare(f"{label}, bare app (1 process)", "req/s", least.rate, reference.rate, "oxigraph")
    # Server CPU per request: steadier than rates on a shared machine.
    spent = [("oxigraph", oxi, reference), ("ours", single, load), ("ours, 1 process", one, alone),
             ("bare app", yardstick, least)]
    print(f"{label}: server CPU per request " + ", ".join(
        f"{name} {cpu[server.name] / max(done.requests, 1) * 1e6:,.0f} µs" for name, server, done in spent))


def in_process(snapshot: Path, oxi: Load) -> None:
    """pyoxigraph alone, no HTTP: evaluating and serialising the 10k-row SELECT in-process.
    When this is already slower than the Oxigraph server's whole request, the gap is the
    binding's, not the web layer's."""
    store = ox.Store.read_only(str(snapshot))
    count, started = 0, time.monotonic()
    while time.monotonic() - started < SECONDS:
        store.query(SELECT_10K).serialize(format=ox.QueryResultsFormat.JSON)
        count += 1
    compare("10k-row SELECT, pyoxigraph in-process, no HTTP", "req/s", count / (time.monotonic() - started),
            oxi.rate, "oxigraph server, 1 client")


SMALL_RECORDS = int(os.environ.get("BENCH_SERVER_SMALL_RECORDS", "100"))  # about 35k quads, the vocabularies included
SAME_COST = 1.2  # the big snapshot's CPU per page within 20 % of the small one's


@dataclass
class PageFigures:
    quads: int
    page_ms: float  # the page's own CPU, median of the server's Server-Timing
    process_ms: float  # the serving process's CPU per page, HTTP and all
    rate: float  # pages/s from one client


def entity_pages(snapshot: Path) -> None:
    """HTML entity pages from one serving process (answer cache off), on the big snapshot and on
    a small one built the same way (SMALL_RECORDS objects): the goal is >= 300 pages/s on one core
    whatever the size. Beside each, DESCRIBE of the same entities: in-process, and over HTTP
    from one client to the same server. The small snapshot has only SMALL_RECORDS + 1 entities,
    so its pages repeat (and find Oxigraph's caches warm): the big one is measured both over its
    whole sample of entities (what visitors cost) and over as few as the small one has (the same
    access pattern: what the size of the store alone costs)."""
    small, small_entities = built(SMALL_RECORDS)
    few = random.Random(5).sample(ENTITY_LIST, len(small_entities))
    entity_pages_at(snapshot, ENTITY_LIST, RECORDS)
    big = entity_pages_at(snapshot, few, RECORDS)
    little = entity_pages_at(small, small_entities, SMALL_RECORDS)
    ratio = big.page_ms / little.page_ms
    print(f"entity page CPU over {len(few)} entities at {big.quads:,} quads / at {little.quads:,}: {big.page_ms:.2f} /"
          f" {little.page_ms:.2f} ms (whole process {big.process_ms:.2f} / {little.process_ms:.2f} ms)   ratio"
          f" {ratio:4.2f}x  goal <= {SAME_COST:.2f}x: {'met' if ratio <= SAME_COST else 'NOT met'}")


def entity_pages_at(snapshot: Path, entities: list[str], records: int, pages: int = 300) -> PageFigures:
    import statistics

    quads = len(ox.Store.read_only(str(snapshot)))
    server = ours(snapshot.parent.parent, cache=False, processes=1)
    try:
        site = server.url.removesuffix("/sparql")
        rng = random.Random(7)
        page_rate(site, [rng.choice(entities) for _ in range(100)])  # the first pages of a snapshot fill its memo
        sample = [rng.choice(entities) for _ in range(pages)]
        with requests.Session() as session:
            page_ms = []
            for entity in sample:
                answer = session.get(site + "/" + entity.removeprefix(BASE), headers={"Accept": "text/html"},
                                     timeout=30)
                answer.raise_for_status()
                page_ms.append(float(answer.headers["Server-Timing"].split("dur=")[1].split(";")[0]))
        before = server.cpu_seconds()
        done, seconds = page_rate(site, entities, SECONDS, seed=11)
        process_ms = (server.cpu_seconds() - before) / done * 1000
        before = server.cpu_seconds()
        described = hammer(server.url, lambda r: (DESCRIBE.format(e=r.choice(entities)), "text/turtle"), 1, SECONDS,
                           seed=11)
        describe_process_ms = (server.cpu_seconds() - before) / max(described.requests, 1) * 1000
    finally:
        server.stop()
    store = ox.Store.read_only(str(snapshot))
    describe_ms = []
    for entity in sample:
        started = time.thread_time()
        list(store.query(f"DESCRIBE <{entity}>"))
        describe_ms.append((time.thread_time() - started) * 1000)
    page, in_process = statistics.median(page_ms), statistics.median(describe_ms)
    rate = done / seconds
    print(f"entity pages, {records:,} records, {quads:,} quads, random pages of {len(entities):,} entities,"
          f" one serving process, one client:")
    print(f"  page CPU (Server-Timing, median of {pages}) {page:.2f} ms = {1000 / page:,.0f} pages/s per core;"
          f" whole process {process_ms:.2f} ms = {1000 / process_ms:,.0f} pages/s per core"
          f"  goal >= 300: {'met' if 1000 / process_ms >= 300 else 'NOT met'}")
    print(f"  DESCRIBE of the same entities: in-process {in_process:.2f} ms CPU; over HTTP whole process"
          f" {describe_process_ms:.2f} ms")
    compare("  measured from one client, pages/s", "/s", rate, described.rate, "DESCRIBE")
    return PageFigures(quads, page, process_ms, rate)


def page_rate(site: str, entities: list[str], seconds: float | None = None, seed: int = 0) -> tuple[int, float]:
    """Pages asked one after another on one keep-alive connection: all of `entities`, or random
    ones for `seconds`. How many, in how many seconds."""
    rng = random.Random(seed)
    parts = urlsplit(site)
    connection = socket.create_connection((parts.hostname, parts.port))
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = connection.makefile("rb")
    done, started = 0, time.monotonic()
    while done < len(entities) if seconds is None else time.monotonic() - started < seconds:
        entity = entities[done] if seconds is None else rng.choice(entities)
        path = "/" + entity.removeprefix(BASE)
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: text/html\r\n\r\n".encode())
        status, body = _response(reader)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {body[:200]!r}")
        done += 1
    elapsed = time.monotonic() - started
    connection.close()
    return done, elapsed


def memory(server: Server) -> None:
    """RSS of our server's processes before and after MEMORY_QUERIES point lookups (4 connections)."""
    before = server.rss_mb()
    done = 0
    per_round = max(MEMORY_QUERIES // 10, 1)
    samples = [before]
    while done < MEMORY_QUERIES:
        done += hammer(server.url, lookup, 4, 0, seed=done, count=per_round).requests
        samples.append(server.rss_mb())
    after = server.rss_mb()
    growth = after / samples[1] - 1 if samples[1] else 0.0
    print(f"{server.name}: memory over {done:,} queries: RSS {before:.0f} MB -> {after:.0f} MB, "
          f"{growth:+.0%} after the first tenth (samples: {', '.join(f'{s:.0f}' for s in samples)})")

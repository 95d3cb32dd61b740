"""The SPARQL endpoint under load, beside the Oxigraph server on the same snapshot.

Workloads: point lookups (one entity's description, CONSTRUCT as Turtle) and a 10,000-row
SELECT (SPARQL JSON), each with 1 and 8 concurrent clients, in requests/s and MB/s.
Servers: ours (`culturedata serve`, a subprocess) with its answer cache off (the figure
the goal is about), ours again as configured by default (answer cache on, fed entities
other than the ones measured before, so hits come only from what random traffic repeats),
bench/_bare_server.py (uvicorn + pyoxigraph and nothing else: the most any Python server
built on them can reach), `oxigraph serve-read-only` (the goal: >= 0.8 of its throughput) and, when it can be
installed into a side virtualenv under bench/out/, rdflib-endpoint on the same data. Then
our servers' memory (RSS) before and after many point lookups.

Then the entity pages: the server's CPU time per HTML page (its Server-Timing header), beside
a SPARQL DESCRIBE of the same entity evaluated in-process.

    python -m bench server                      # BENCH_SERVER_QUERIES=100000 by default
    BENCH_SERVER_QUERIES=20000 BENCH_SERVER_SECONDS=3 python -m bench server
    BENCH_SERVER_ONLY=pages python -m bench server   # the entity page figure alone
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import requests

from bench.report import compare

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "server"
BASE = "http://127.0.0.1:8000/"
SCHEMA = "http://schema.org/"
ENTITIES = 20_000
SECONDS = float(os.environ.get("BENCH_SERVER_SECONDS", "5"))
MEMORY_QUERIES = int(os.environ.get("BENCH_SERVER_QUERIES", "100000"))
SELECT_10K = f"SELECT ?s ?name WHERE {{ GRAPH ?g {{ ?s <{SCHEMA}name> ?name }} }} LIMIT 10000"
LOOKUP = "CONSTRUCT {{ <{e}> ?p ?o }} WHERE {{ GRAPH ?g {{ <{e}> ?p ?o }} }}"


def build_snapshot() -> Path:
    """20,000 records of 8 triples each, one named graph per record, published like a run."""
    from culturedata.store import Snapshots

    root = OUT / "store"
    snapshots = Snapshots(root)
    current = snapshots.current()
    if current is not None:
        return current
    shutil.rmtree(root, ignore_errors=True)
    staging = snapshots.begin()
    assert staging.store is not None
    n = ox.NamedNode
    quads = []
    for i in range(ENTITIES):
        entity, graph = n(f"{BASE}id/bench/objet/{i}"), n(f"{BASE}graph/bench/{i}")
        quads += [
            ox.Quad(entity, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(SCHEMA + "CreativeWork"), graph),
            ox.Quad(entity, n(SCHEMA + "name"), ox.Literal(f"Objet numéro {i}", language="fr"), graph),
            ox.Quad(entity, n(SCHEMA + "name"), ox.Literal(f"Object number {i}", language="en"), graph),
            ox.Quad(entity, n(SCHEMA + "description"), ox.Literal("Une description assez longue " * 3, language="fr"), graph),
            ox.Quad(entity, n(SCHEMA + "identifier"), ox.Literal(f"1991.{i}"), graph),
            ox.Quad(entity, n(SCHEMA + "dateCreated"), ox.Literal(str(1800 + i % 200)), graph),
            ox.Quad(entity, n(SCHEMA + "url"), n(f"https://example.org/objet/{i}"), graph),
            ox.Quad(entity, n("https://w3id.org/culturedata/ns/qcp#heldBy"), n(f"{BASE}id/bench/organisation/{i % 10}"), graph),
        ]
    staging.store.bulk_extend(quads)
    snapshots.publish(staging)
    (OUT / "data.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return snapshots.current()  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    url: str  # the SPARQL endpoint
    process: subprocess.Popen

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
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


def ours(snapshot_root: Path, cache: bool) -> Server:
    """`culturedata serve` as it runs in production, over a configuration naming the store."""
    port = free_port()
    config = OUT / f"culturedata{'' if cache else '-nocache'}.toml"
    text = f'[publish]\nbase_iri = "{BASE}"\n[store]\npath = "{snapshot_root.name}"\n'
    config.write_text(text + ("" if cache else "[server]\nresponse_cache_mb = 0\n"), encoding="utf-8")
    command = [sys.executable, "-m", "culturedata", "--config", str(config), "serve", "--port", str(port)]
    return start("culturedata" if cache else "culturedata (no answer cache)", command, f"http://127.0.0.1:{port}/sparql")


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


def rdflib_endpoint() -> Server | None:
    """rdflib-endpoint in its own virtualenv (it pins FastAPI and rdflib versions of its own)."""
    venv = ROOT / "bench" / "out" / "rdflib-endpoint-venv"
    binary = venv / "bin" / "rdflib-endpoint"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        result = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "rdflib-endpoint[cli]", "uvicorn"],
                                capture_output=True, text=True)
        if result.returncode != 0 or not binary.exists():
            print(f"rdflib-endpoint could not be installed, skipped: {result.stderr.strip()[-300:]}")
            return None
    port = free_port()
    command = [str(binary), "serve", str(OUT / "data.nq"), "--host", "127.0.0.1", "--port", str(port)]
    try:
        return start("rdflib-endpoint", command, f"http://127.0.0.1:{port}/")
    except RuntimeError as exc:
        print(f"rdflib-endpoint did not start, skipped: {exc}")
        return None


@dataclass
class Load:
    requests: int
    bytes: int
    seconds: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def kb_per_s(self) -> float:
        return self.bytes / self.seconds / 1e3


def hammer(
    url: str, make: Callable[[random.Random], tuple[str, str]], clients: int, seconds: float, seed: int = 0
) -> Load:
    """`clients` threads, each with its own connection, sending requests for `seconds`
    (client i draws its entities from `random.Random(seed + i)`)."""
    totals = [0, 0, 0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        done = size = errors = 0
        while time.monotonic() < stop:
            query, accept = make(rng)
            try:
                response = session.get(url + "?" + urlencode({"query": query}), headers={"Accept": accept}, timeout=120)
            except requests.RequestException as exc:
                errors += 1
                print(f"  {url}: {exc.__class__.__name__}")
                continue
            if response.status_code != 200:
                errors += 1
                if errors == 1:
                    print(f"  first failure from {url}: {response.status_code} {response.text[:200]!r}")
                continue
            done += 1
            size += len(response.content)
        with lock:
            totals[0] += done
            totals[1] += size
            totals[2] += errors

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(seed + i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Load(totals[0], totals[1], time.monotonic() - started, totals[2])


def lookup(rng: random.Random) -> tuple[str, str]:
    return LOOKUP.format(e=f"{BASE}id/bench/objet/{rng.randrange(ENTITIES)}"), "text/turtle"


def select(_: random.Random) -> tuple[str, str]:
    return SELECT_10K, "application/sparql-results+json"


WORKLOADS = {"point lookup": lookup, "10k-row SELECT": select}


def main() -> None:
    snapshot = build_snapshot()
    if os.environ.get("BENCH_SERVER_ONLY") == "pages":
        single = ours(OUT / "store", cache=False)
        try:
            entity_pages(snapshot, single)
        finally:
            single.stop()
        return
    cores = os.cpu_count() or 1
    print(f"data: {ENTITIES:,} records, {ENTITIES * 8:,} triples; {SECONDS:.0f} s per measurement; {cores} cores; "
          "machine shared with other work, figures are noisy")
    single, cached, oxi = ours(OUT / "store", cache=False), ours(OUT / "store", cache=True), oxigraph(snapshot)
    yardstick = bare(snapshot)
    baseline = rdflib_endpoint() if os.environ.get("BENCH_SERVER_RDFLIB", "1") != "0" else None
    servers = [s for s in (single, cached, oxi, yardstick, baseline) if s is not None]
    try:
        for round_, (workload, make) in enumerate(WORKLOADS.items()):
            for clients in (1, 8):
                label = f"{workload}, {clients} client{'s' if clients > 1 else ''}"
                cpu = {server.name: server.cpu_seconds() for server in (oxi, single, yardstick)}
                reference = hammer(oxi.url, make, clients, SECONDS)
                cpu[oxi.name] = oxi.cpu_seconds() - cpu[oxi.name]
                load = hammer(single.url, make, clients, SECONDS)
                cpu[single.name] = single.cpu_seconds() - cpu[single.name]
                compare(f"{label} (req/s)", "req/s", load.rate, reference.rate, "oxigraph", goal=0.8)
                compare(f"{label} (kB/s)", "kB/s ", load.kb_per_s, reference.kb_per_s, "oxigraph")
                # Entities the measurements above did not ask for: hits only where random traffic repeats.
                warm = hammer(cached.url, make, clients, SECONDS, seed=1000 * (1 + 2 * round_ + clients))
                compare(f"{label}, answer cache on", "req/s", warm.rate, reference.rate, "oxigraph")
                least = hammer(yardstick.url, make, clients, SECONDS)
                cpu[yardstick.name] = yardstick.cpu_seconds() - cpu[yardstick.name]
                compare(f"{label}, bare app", "req/s", least.rate, reference.rate, "oxigraph")
                # Server CPU per request: steadier than rates on a shared machine.
                spent = [("oxigraph", oxi, reference), ("ours, no cache", single, load), ("bare app", yardstick, least)]
                print(f"{label}: server CPU per request " + ", ".join(
                    f"{name} {cpu[server.name] / max(done.requests, 1) * 1e6:,.0f} µs" for name, server, done in spent))
                if baseline is not None:
                    slow = hammer(baseline.url, make, clients, SECONDS)
                    compare(f"{label} (req/s)", "req/s", load.rate, slow.rate, "rdflib-endpoint")
        in_process(snapshot, hammer(oxi.url, select, 1, SECONDS))
        entity_pages(snapshot, single)
        memory(single)
        memory(cached)
    finally:
        for server in servers:
            server.stop()


def in_process(snapshot: Path, oxi: Load) -> None:
    """pyoxigraph alone, no HTTP: evaluating and serialising the 10k-row SELECT in-process.
    When this is already slower than the Oxigraph server's whole request, the gap is the
    binding's, not the web layer's."""
    store = ox.Store.read_only(str(snapshot))
    count, started = 0, time.monotonic()
    while time.monotonic() - started < SECONDS:
        store.query(SELECT_10K, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
        count += 1
    compare("10k-row SELECT, pyoxigraph in-process, no HTTP", "req/s", count / (time.monotonic() - started),
            oxi.rate, "oxigraph server, 1 client")


def entity_pages(snapshot: Path, server: Server, pages: int = 300) -> None:
    """CPU per entity page (median of the server's own Server-Timing figures, so neither HTTP nor
    the client is counted), beside `DESCRIBE <entity>` of the same entities, in-process."""
    import statistics

    rng = random.Random(7)
    entities = [f"{BASE}id/bench/objet/{rng.randrange(ENTITIES)}" for _ in range(pages)]
    site = server.url.removesuffix("/sparql")
    with requests.Session() as session:
        page_ms = []
        for entity in entities:
            answer = session.get(site + "/" + entity.removeprefix(BASE), headers={"Accept": "text/html"}, timeout=30)
            answer.raise_for_status()
            page_ms.append(float(answer.headers["Server-Timing"].split("dur=")[1].split(";")[0]))
    store = ox.Store.read_only(str(snapshot))
    describe_ms = []
    for entity in entities:
        started = time.thread_time()
        list(store.query(f"DESCRIBE <{entity}>", use_default_graph_as_union=True))
        describe_ms.append((time.thread_time() - started) * 1000)
    page, describe = statistics.median(page_ms), statistics.median(describe_ms)
    print(f"entity page CPU ms (HTML, median of {pages}): {page:.2f} ms   "
          f"DESCRIBE of the same entity, in-process: {describe:.2f} ms   ratio {page / describe:.1f}x")


def memory(server: Server) -> None:
    """RSS of our server before and after MEMORY_QUERIES point lookups (8 clients)."""
    before = server.rss_mb()
    done = 0
    per_round = max(MEMORY_QUERIES // 10, 1)
    samples = [before]
    while done < MEMORY_QUERIES:
        done += hammer_count(server.url, per_round)
        samples.append(server.rss_mb())
    after = server.rss_mb()
    print(f"{server.name}: memory over {done:,} queries: RSS {before:.0f} MB -> {after:.0f} MB "
          f"(samples: {', '.join(f'{s:.0f}' for s in samples)})")


def hammer_count(url: str, count: int, clients: int = 8) -> int:
    """Exactly `count` point lookups spread over `clients` threads."""
    def client(seed: int, n: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        for _ in range(n):
            query, accept = lookup(rng)
            session.get(url + "?" + urlencode({"query": query}), headers={"Accept": accept}, timeout=120)

    share = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]
    threads = [threading.Thread(target=client, args=(i, n)) for i, n in enumerate(share)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count

"""Harvest speed and memory: a ≥100 MB LIDO dump and a 100k-record OAI-PMH run on 127.0.0.1.

Baselines, measured in the same run on the same bytes:
- the dump: lxml's raw `iterparse` over the file (record elements cleared as they end);
- OAI-PMH: the same pages fetched over the same loopback with requests and run through raw
  `iterparse`, and raw `iterparse` over the page bytes already in memory (the physical limit).
The server serves pre-rendered pages (a static page per resumption token) so that it is not
what is measured. Each measurement runs in its own process, so peak memory
(`ru_maxrss`) is that harvest's alone. Inputs are generated once under bench/out/.

Beside the speed, the OAI-PMH harvest's CPU per record (all its threads; steadier than the
wall clock on a shared machine) and what it does to another thread of the same process: a
run harvests several sources and validates in threads, so the harvest is also run beside a
thread busy with Python, whose speed is compared with its speed alone.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LIDO = "http://www.lido-schema.org"
OAI = "http://www.openarchives.org/OAI/2.0/"
# Smaller runs while iterating: CULTUREDATA_BENCH_DUMP_MB=20 CULTUREDATA_BENCH_OAI_RECORDS=20000
DUMP_BYTES = int(os.environ.get("CULTUREDATA_BENCH_DUMP_MB", "100")) * 1024 * 1024
OAI_RECORDS = int(os.environ.get("CULTUREDATA_BENCH_OAI_RECORDS", "100000"))
OAI_PAGE = 500
MEMORY_GOAL_MB = 200
SPEED_GOAL = 0.8


# --- inputs --------------------------------------------------------------------------------

def lido_templates() -> list[bytes]:
    from lxml import etree

    tree = etree.parse(str(ROOT / "sample_inputs" / "musee-anse-aux-brumes" / "lido.xml"))
    return [etree.tostring(e, encoding="utf-8") for e in tree.getroot().iterfind(f"{{{LIDO}}}lido")]


def make_dump(path: Path) -> Path:
    if path.exists() and path.stat().st_size >= DUMP_BYTES:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    templates = lido_templates()
    written, n = 0, 0
    with path.open("wb") as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<lido:lidoWrap xmlns:lido="{LIDO}">\n'.encode())
        while written < DUMP_BYTES:
            record = re.sub(rb"MMAB-(\d{4})", f"BENCH-{n:07d}".encode(), templates[n % len(templates)], count=1)
            written += out.write(record + b"\n")
            n += 1
        out.write(b"</lido:lidoWrap>\n")
    return path


def make_oai_pages(folder: Path) -> Path:
    last = folder / f"page-{OAI_RECORDS // OAI_PAGE:05d}.xml"
    if last.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    pages = OAI_RECORDS // OAI_PAGE
    for page in range(1, pages + 1):
        parts = [
            f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI}">'
            f"<responseDate>2026-01-01T00:00:00Z</responseDate>"
            f'<request verb="ListRecords">http://127.0.0.1/oai</request><ListRecords>'
        ]
        for i in range((page - 1) * OAI_PAGE, page * OAI_PAGE):
            deleted = i % 50 == 49
            status = ' status="deleted"' if deleted else ""
            header = (
                f"<header{status}><identifier>oai:bench:{i:07d}</identifier>"
                f"<datestamp>2024-01-01T00:00:00Z</datestamp><setSpec>all</setSpec></header>"
            )
            metadata = "" if deleted else (
                f'<metadata><lido:lido xmlns:lido="{LIDO}"><lido:lidoRecID>B{i:07d}</lido:lidoRecID>'
                f"<lido:descriptiveMetadata xml:lang=\"fr\"><lido:objectIdentificationWrap><lido:titleWrap>"
                f"<lido:titleSet><lido:appellationValue>Objet de démonstration n° {i}</lido:appellationValue>"
                f"</lido:titleSet></lido:titleWrap><lido:objectDescriptionWrap><lido:objectDescriptionSet>"
                f"<lido:descriptiveNoteValue>{'Filet de pêche, chanvre et liège. ' * 8}</lido:descriptiveNoteValue>"
                f"</lido:objectDescriptionSet></lido:objectDescriptionWrap></lido:objectIdentificationWrap>"
                f"</lido:descriptiveMetadata></lido:lido></metadata>"
            )
            parts.append(f"<record>{header}{metadata}</record>")
        if page < pages:
            parts.append(f'<resumptionToken cursor="{(page - 1) * OAI_PAGE}">page-{page + 1:05d}.xml</resumptionToken>')
        parts.append("</ListRecords></OAI-PMH>")
        (folder / f"page-{page:05d}.xml").write_bytes("".join(parts).encode())
    return folder


# --- measurements, each run in a child process -------------------------------------------

def child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.harvest", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_raw_dump(path: str) -> dict:
    from lxml import etree

    started = time.perf_counter()
    count = 0
    for _, element in etree.iterparse(path, events=("end",), tag=f"{{{LIDO}}}lido"):
        count += 1
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return {"records": count, "seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def measure_raw_dump_serialized(path: str) -> dict:
    """iterparse plus the one thing a harvester cannot skip: each record's bytes."""
    from lxml import etree

    started = time.perf_counter()
    count = 0
    for _, element in etree.iterparse(path, events=("end",), tag=f"{{{LIDO}}}lido"):
        count += 1
        etree.tostring(element, encoding="utf-8", with_tail=False)
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return {"records": count, "seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def measure_dump(path: str) -> dict:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions, harvest

    source = Source(id="bench", name={"en": "bench"}, kind="xml", mapping="lido", path=Path(path))
    started = time.perf_counter()
    count = sum(1 for _ in harvest(source, HarvestOptions()))
    return {"records": count, "seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def measure_oai(url: str) -> dict:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions, harvest

    source = Source(id="bench", name={"en": "bench"}, kind="oai-pmh", mapping="lido", url=url,
                    options={"metadata_prefix": "lido"})
    started, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in harvest(source, HarvestOptions()))
    return {"records": count, "seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu,
            "peak_mb": peak_mb()}


def busy(stop: threading.Event, done: list[int]) -> None:
    """Another stage of a run: pure Python, counting its rounds until told to stop."""
    rounds = 0
    while not stop.is_set():
        sum(range(200))
        rounds += 1
    done.append(rounds)


def busy_rate(seconds: float) -> float:
    """Rounds per second of `busy` alone (on its thread, the main one waiting)."""
    stop, done = threading.Event(), []
    thread = threading.Thread(target=busy, args=(stop, done))
    started = time.perf_counter()
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    return done[0] / (time.perf_counter() - started)


def measure_oai_beside_busy(url: str) -> dict:
    """The harvest with a busy Python thread beside it, and that thread's speed against its speed alone."""
    alone_before = busy_rate(0.5)
    stop, done = threading.Event(), []
    thread = threading.Thread(target=busy, args=(stop, done))
    thread.start()
    result = measure_oai(url)
    stop.set()
    thread.join()
    alone = (alone_before + busy_rate(0.5)) / 2
    return {**result, "busy_share": done[0] / result["seconds"] / alone}


def measure_raw_oai(url: str) -> dict:
    import requests
    from lxml import etree

    started, cpu = time.perf_counter(), time.process_time()
    count, size, params = 0, 0, {"verb": "ListRecords", "metadataPrefix": "lido"}
    parse_seconds = 0.0
    with requests.Session() as session:
        while True:
            body = session.get(url, params=params, timeout=60).content
            size += len(body)
            parse_started = time.perf_counter()
            token = None
            for _, element in etree.iterparse(
                io.BytesIO(body), events=("end",), tag=(f"{{{OAI}}}record", f"{{{OAI}}}resumptionToken")
            ):
                if element.tag.endswith("resumptionToken"):
                    token = element.text
                else:
                    count += 1
                    element.clear(keep_tail=True)
            parse_seconds += time.perf_counter() - parse_started
            if not token:
                break
            params = {"verb": "ListRecords", "resumptionToken": token}
    return {"records": count, "seconds": time.perf_counter() - started, "parse_seconds": parse_seconds,
            "cpu_seconds": time.process_time() - cpu, "bytes": size, "peak_mb": peak_mb()}


class PageHandler(BaseHTTPRequestHandler):
    folder: Path

    def do_GET(self) -> None:  # noqa: N802
        params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        if params.get("verb") == "Identify":
            body = (
                f'<?xml version="1.0"?><OAI-PMH xmlns="{OAI}"><responseDate>2026-01-01T00:00:00Z</responseDate>'
                f"<Identify><repositoryName>bench</repositoryName><baseURL>http://127.0.0.1/</baseURL>"
                f"<protocolVersion>2.0</protocolVersion><earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp>"
                f"<deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
                f"</Identify></OAI-PMH>"
            ).encode()
        else:
            name = params.get("resumptionToken", "page-00001.xml")
            body = (self.folder / Path(name).name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(folder: str) -> None:
    PageHandler.folder = Path(folder)
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


# --- report --------------------------------------------------------------------------------

def best_of(*commands: tuple[str, str], repeat: int = 3) -> list[dict]:
    """Best of `repeat` runs of each command, interleaved so that a busy moment hits them all."""
    runs: list[list[dict]] = [[] for _ in commands]
    for _ in range(repeat):
        for results, command in zip(runs, commands, strict=True):
            results.append(child(*command))
    return [min(results, key=lambda r: r["seconds"]) for results in runs]


def line(label: str, ours: dict, base: dict, size: int, base_name: str) -> None:
    mb = size / 1e6
    ratio = base["seconds"] / ours["seconds"]
    print(f"{label:<34} {ours['records'] / ours['seconds']:>9,.0f} rec/s {mb / ours['seconds']:>7.1f} MB/s   "
          f"{base_name}: {base['records'] / base['seconds']:>9,.0f} rec/s {mb / base['seconds']:>7.1f} MB/s   "
          f"ratio {ratio:4.2f}x  goal >= {SPEED_GOAL}x: {'met' if ratio >= SPEED_GOAL else 'NOT met'}")


def memory(label: str, result: dict) -> None:
    verdict = "met" if result["peak_mb"] < MEMORY_GOAL_MB else "NOT met"
    print(f"{label:<34} peak memory {result['peak_mb']:6.0f} MB   goal < {MEMORY_GOAL_MB} MB: {verdict}")


def main() -> None:
    dump = make_dump(OUT / f"lido-{DUMP_BYTES >> 20}mb.xml")
    size = dump.stat().st_size
    raw, serialized, ours = best_of(("_raw_dump", str(dump)), ("_raw_dump_serialized", str(dump)), ("_dump", str(dump)))
    assert ours["records"] == raw["records"], (ours, raw)
    print(f"LIDO dump: {size / 1e6:.0f} MB, {raw['records']:,} records")
    line("xml dump (harvest kind xml)", ours, raw, size, "lxml iterparse")
    line("xml dump (harvest kind xml)", ours, serialized, size, "iterparse + tostring")
    memory("xml dump (harvest kind xml)", ours)

    folder = make_oai_pages(OUT / f"oai-{OAI_RECORDS // 1000}k")
    server = subprocess.Popen([sys.executable, "-m", "bench.harvest", "_serve", str(folder)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        url = f"http://127.0.0.1:{port}/oai"
        raw_oai, ours_oai, beside = best_of(("_raw_oai", url), ("_oai", url), ("_oai_beside_busy", url))
    finally:
        server.terminate()
        server.wait()
    assert ours_oai["records"] == raw_oai["records"] == OAI_RECORDS, (ours_oai, raw_oai)
    size = raw_oai["bytes"]
    in_memory = {"records": raw_oai["records"], "seconds": raw_oai["parse_seconds"]}
    print(f"OAI-PMH: {OAI_RECORDS:,} records in {OAI_RECORDS // OAI_PAGE} pages, {size / 1e6:.0f} MB")
    line("oai-pmh over loopback", ours_oai, raw_oai, size, "requests + iterparse")
    line("oai-pmh over loopback", ours_oai, in_memory, size, "iterparse alone")
    memory("oai-pmh over loopback", ours_oai)
    per_record = 1e6 / OAI_RECORDS
    print(f"{'oai-pmh over loopback':<34} CPU {ours_oai['cpu_seconds'] * per_record:5.1f} µs a record, all threads   "
          f"requests + iterparse: {raw_oai['cpu_seconds'] * per_record:5.1f} µs")
    print(f"{'oai-pmh beside a busy thread':<34} {beside['records'] / beside['seconds']:>9,.0f} rec/s   "
          f"the busy thread at {beside['busy_share']:.0%} of its speed alone")


def entry(argv: list[str]) -> None:
    command, arg = argv[0], argv[1]
    if command == "_serve":
        serve(arg)
        return
    measure = {
        "_raw_dump": measure_raw_dump, "_raw_dump_serialized": measure_raw_dump_serialized, "_dump": measure_dump,
        "_oai": measure_oai, "_raw_oai": measure_raw_oai, "_oai_beside_busy": measure_oai_beside_busy,
    }
    print(json.dumps(measure[command](arg)))


if __name__ == "__main__":
    os.environ.setdefault("NO_PROXY", "127.0.0.1")
    entry(sys.argv[1:]) if len(sys.argv) > 2 else main()

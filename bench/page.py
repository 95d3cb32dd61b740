"""A 100k-row export checked through the validation page beside `culturedata validate` (issue 18).

The export is the demo museum's (sample_inputs/musee-fjord-bleu/collection.csv) rows again and
again, each with an id of its own, as the museum sends it (Windows-1252, semicolons). The page:
`culturedata serve` in a subprocess (uvicorn on 127.0.0.1, `server.upload_limit` raised to
fit the file), the file POSTed as multipart form data to /validate as the page's form posts it,
streamed from disk; its figure is the request's wall time and the server process's CPU time
(from /proc), and the server's peak RSS (VmHWM) with its RSS before. The command:
`culturedata validate FILE --mapping musee-csv --format json` in a subprocess, its wall time,
CPU time and peak RSS from wait4. The goal: the page within 2x the command's time.

    python -m bench page                        # 100,000 rows
    BENCH_PAGE_ROWS=10000 python -m bench page
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.report import compare
from bench.server import Server, free_port

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "page"
DEMO = ROOT / "sample_inputs" / "musee-fjord-bleu" / "collection.csv"
ROWS = int(os.environ.get("BENCH_PAGE_ROWS", "100000"))


def export(rows: int) -> Path:
    """The demo's rows, `rows` of them, ids 100000 and up; written once per size."""
    path = OUT / f"collection-{rows}.csv"
    if path.exists():
        return path
    header, *demo = [row for row in csv.reader(io.StringIO(DEMO.read_bytes().decode("cp1252"), newline=""),
                                               delimiter=";") if any(row)]
    OUT.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp1252", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([str(100000 + n), *demo[n % len(demo)][1:]] for n in range(rows))
    return path


def serve(limit: int) -> Server:
    """`culturedata serve` over an empty store, the upload limit raised to `limit` bytes."""
    port = free_port()
    config = OUT / "culturedata.toml"
    config.write_text(f'[publish]\nbase_iri = "http://127.0.0.1:8000/"\n[store]\npath = "store"\n'
                      f"[server]\nupload_limit = {limit}\n", encoding="utf-8")
    command = [sys.executable, "-m", "culturedata", "--config", str(config), "serve", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/validate", timeout=5)
            return Server("culturedata", url, process)
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("culturedata serve did not start")


def peak_rss_mb(server: Server) -> float:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def through_page(path: Path) -> tuple[float, float, float, float, str]:
    """Wall and server CPU seconds for one check through the page; RSS before, peak RSS; the summary line."""
    server = serve(path.stat().st_size + 1_000_000)
    try:
        # The page itself first (a visitor opens it before choosing a file): its templates are loaded.
        httpx.get(server.url + "/validate", timeout=30)
        before, cpu = server.rss_mb(), server.cpu_seconds()
        started = time.perf_counter()
        with path.open("rb") as file, httpx.Client(timeout=3600, trust_env=False) as client:
            answer = client.post(server.url + "/validate?lang=en", data={"profile": "mapping:musee-csv"},
                                 files={"file": (path.name, file, "text/csv")})
        wall = time.perf_counter() - started
        assert answer.status_code == 200, answer.text[:500]
        summary = answer.text.split('<p class="summary">', 1)[1].split("</p>", 1)[0].strip()
        return wall, server.cpu_seconds() - cpu, before, peak_rss_mb(server), summary
    finally:
        server.stop()


def through_command(path: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds of `culturedata validate`, workers included; its peak RSS."""
    command = [sys.executable, "-m", "culturedata", "validate", path.name, "--mapping", "musee-csv",
               "--format", "json", "--out", os.devnull]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=path.parent, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode in (0, 1), f"culturedata validate exited {process.returncode}"
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    path = export(ROWS)
    print(f"{ROWS:,} rows, {path.stat().st_size / 1e6:.1f} MB: {path.relative_to(ROOT)}")
    cli_wall, cli_cpu, cli_rss = through_command(path)
    page_wall, page_cpu, rss_before, page_rss, summary = through_page(path)
    print(f"page: {summary}")
    compare(f"validate a {ROWS:,}-row export (page)", "rows/s", ROWS / page_wall, ROWS / cli_wall,
            "culturedata validate", goal=0.5)
    print(f"wall: page {page_wall:.1f} s, command {cli_wall:.1f} s (page/command {page_wall / cli_wall:.2f}x, "
          f"goal <= 2x: {'met' if page_wall <= 2 * cli_wall else 'NOT met'}); CPU: page's server {page_cpu:.1f} s, "
          f"command {cli_cpu:.1f} s (workers included)")
    print(f"memory: page's server {rss_before:.0f} MB before the upload, peak {page_rss:.0f} MB; "
          f"command peak {cli_rss:.0f} MB (its largest process)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

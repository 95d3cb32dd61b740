"""Linear runs (issue 20): a first run at each size of BENCH_LINEAR_RECORDS (default "10000,100000"),
each in its own process, and the scaling table: CPU per record and its ratio to the smallest size's,
peak RSS, bytes written, the most the project took on disk, the snapshot's size, and how much of
`run()`'s CPU the run report's stages account for.

    python -m bench linear
    BENCH_LINEAR_RECORDS=10000,100000,300000 python -m bench linear
    BENCH_LINEAR_SRC=../main/src BENCH_LINEAR_OUT=bench/out/linear-main python -m bench linear   # a baseline

Goals: CPU per record at the largest size within 15 % of the smallest's (the issue: 1M vs 10k), peak
RSS < 1 GB, and a run that fits the disk: the largest run's peak disk use, and what it extrapolates to
at 1M records beside the free space. The CSV is bench/store.py's (the demo museum's columns).

The stages' share is printed twice: without `store` (the store's threads, which the report counts
as the rest of the process's CPU) and with it; beside it, the CPU that /proc/self/task gives RocksDB's
own threads, sampled during the run, as a check on that rest.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.store import ROOT
from bench.store import project as store_project

OUT = Path(os.environ.get("BENCH_LINEAR_OUT", ROOT / "bench" / "out" / "linear")).resolve()
MILLION = 1_000_000
GB = 1e9

CHILD = """
import json, os, sys, threading, time
from pathlib import Path
from culturedata.config import load_config
from culturedata.pipeline import RunOptions, run

TICK, THREADS = os.sysconf("SC_CLK_TCK"), {}
def sample():  # CPU seconds of each of RocksDB's threads (they live as long as the process)
    for task in Path("/proc/self/task").iterdir():
        try:
            if task.joinpath("comm").read_text().startswith("rocksdb"):
                fields = task.joinpath("stat").read_text().rsplit(")", 1)[1].split()
                THREADS[task.name] = (int(fields[11]) + int(fields[12])) / TICK
        except OSError:
            pass
def watch():
    while True:
        sample()
        time.sleep(0.5)
threading.Thread(target=watch, daemon=True).start()
config = load_config(Path(sys.argv[1]) / "culturedata.toml")
sample()
rocksdb = sum(THREADS.values())
cpu, wall = time.process_time(), time.perf_counter()
report = run(config, config.select(()), options=RunOptions())
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
sample()
io = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
current = (Path(sys.argv[1]) / "var" / "store" / "current").resolve()
print(json.dumps({"cpu": cpu, "wall": wall, "written": int(io["write_bytes"]),
                  "records": sum(s.harvested for s in report.sources), "run": report.timings,
                  "sources": [s.timings for s in report.sources], "rocksdb": sum(THREADS.values()) - rocksdb,
                  "snapshot": sum(p.stat().st_size for p in current.rglob("*") if p.is_file())}))
"""


def on_disk(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):  # removed while we looked (a staging folder, a compacted file)
            total += path.lstat().st_blocks * 512 if path.is_file() else 0
    return total


def first_run(count: int) -> dict[str, float]:
    """A first run in a fresh process, sampling the project's disk use every few seconds."""
    work = store_project(count, OUT)
    src = os.environ.get("BENCH_LINEAR_SRC", str(ROOT / "src"))
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{ROOT}"}
    before = on_disk(work)
    with open(work / "child.out", "w+", encoding="utf-8") as out:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(work)], cwd=work, env=env, stdout=out)
        peak = before
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, on_disk(work))
            time.sleep(3)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().strip().splitlines()
    if child.returncode not in (0, 1) or not lines:
        raise SystemExit(f"run failed ({child.returncode}) in {work}")
    figures = json.loads(lines[-1])
    run, sources = figures.pop("run"), figures.pop("sources")
    stages = sum(s["cpu"] for name, s in run.items() if name != "store")
    stages += sum(s["cpu"] for timings in sources for s in timings.values())
    figures.update(stages=stages, store=run.get("store", {}).get("cpu", 0.0), peak_disk=peak - before,
                   rss_mib=usage.ru_maxrss / 1024, run_stages={k: v["cpu"] for k, v in run.items()},
                   source_stages={k: sum(t.get(k, {}).get("cpu", 0.0) for t in sources)
                                  for k in ("harvest", "map", "validate", "load")})
    return figures


def main() -> None:
    sizes = sorted(int(n) for n in os.environ.get("BENCH_LINEAR_RECORDS", "10000,100000").split(","))
    print(f"first runs of {', '.join(f'{n:,}' for n in sizes)} records (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU seconds are steadier than wall)")
    rows = []
    for count in sizes:
        started = time.perf_counter()
        rows.append((count, first_run(count)))
        print(f"  {count:,} records done in {time.perf_counter() - started:.0f} s "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    base = rows[0][1]["cpu"] / rows[0][0]
    print(f"  {'records':>9} {'run() CPU s':>11} {'ms/record':>9} {'vs ' + f'{sizes[0]:,}':>9} "
          f"{'stages %':>8} {'+store %':>8} {'store s':>7} {'RocksDB s':>9} {'RSS MiB':>7} {'written GB':>10} "
          f"{'KB/rec':>6} {'peak disk GB':>12} {'snapshot MB':>11} {'KB/rec':>6} {'wall s':>7}")
    for count, f in rows:
        per = f["cpu"] / count
        print(f"  {count:>9,} {f['cpu']:>11.2f} {per * 1e3:>9.3f} {per / base:>8.2f}x "
              f"{f['stages'] / f['cpu']:>8.1%} {(f['stages'] + f['store']) / f['cpu']:>8.1%} {f['store']:>7.2f} "
              f"{f['rocksdb']:>9.2f} {f['rss_mib']:>7.0f} {f['written'] / GB:>10.2f} {f['written'] / count / 1e3:>6.0f} "
              f"{f['peak_disk'] / GB:>12.2f} {f['snapshot'] / 1e6:>11.0f} {f['snapshot'] / count / 1e3:>6.1f} "
              f"{f['wall']:>7.0f}")
    for count, f in rows:
        run = ", ".join(f"{k} {v:.2f}" for k, v in f["run_stages"].items())
        source = ", ".join(f"{k} {v:.2f}" for k, v in f["source_stages"].items())
        print(f"  {count:>9,} stages, CPU s: {source}; run: {run}")
    count, largest = rows[-1]
    ratio = largest["cpu"] / count / base
    print(f"  {'CPU per record, ' + f'{count:,} vs {sizes[0]:,}':<44} {ratio:>7.2f}x   baseline: {sizes[0]:,} records "
          f"= 1.00x   goal <= 1.15x (1M vs 10k): {'met' if ratio <= 1.15 else 'NOT met'}")
    rss = max(f["rss_mib"] for _, f in rows) * 2**20
    print(f"  {'peak RSS, largest run':<44} {rss / 1e6:>7.0f} MB   goal < 1,000 MB at 1M: "
          f"{'met at this size' if rss < GB else 'NOT met'}")
    free = shutil.disk_usage(OUT).free
    at_million = largest["peak_disk"] / count * MILLION
    print(f"  {'peak disk use, extrapolated to 1M records':<44} {at_million / GB:>7.1f} GB   "
          f"(written {largest['written'] / count * MILLION / GB:.0f} GB; free now {free / GB:.0f} GB): "
          f"{'fits' if at_million < free / 2 else 'does NOT fit with room to spare'}")


if __name__ == "__main__":
    main()

"""Cheap nights (issue 20): a first run, an unchanged rerun and a rerun where 1 % changed, each in
its own process, at each size of BENCH_NIGHTS_RECORDS (default "10000,100000").

    python -m bench nights
    BENCH_NIGHTS_RECORDS=10000 python -m bench nights
    BENCH_NIGHTS_SRC=../main/src BENCH_NIGHTS_OUT=bench/out/nights-main python -m bench nights   # a baseline

Per run: the CPU seconds of `run()` and of the whole process (its start, imports and shapes
included), each rerun's as a share of the first run's (goals: unchanged <= 2 %, 1 % changed
<= 5 %), peak RSS (goal: a rerun's <= the first run's), bytes written (/proc/self/io), and the
run's own per-stage timings. The CSV is bench/store.py's (the demo museum's columns).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.store import ROOT, write_collection
from bench.store import project as store_project

OUT = Path(os.environ.get("BENCH_NIGHTS_OUT", ROOT / "bench" / "out" / "nights")).resolve()

CHILD = """
import json, sys, time
from pathlib import Path
from culturedata.config import load_config
from culturedata.pipeline import RunOptions, run
config = load_config(Path(sys.argv[1]) / "culturedata.toml")
cpu, wall = time.process_time(), time.perf_counter()
report = run(config, config.select(()), options=RunOptions())
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
io = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
print(json.dumps({"cpu": cpu, "wall": wall, "written": int(io["write_bytes"]),
                  "records": sum(s.harvested for s in report.sources),
                  "changed": sum(s.new + s.changed for s in report.sources),
                  "timings": getattr(report.sources[0], "timings", {}), "publish": getattr(report, "timings", {})}))
"""


def measured(work: Path) -> dict[str, object]:
    """One run in a fresh process: what it says of itself, with the process's CPU and peak RSS."""
    # BENCH_NIGHTS_SRC: another checkout's src/, to measure it with the same runs (a baseline).
    src = os.environ.get("BENCH_NIGHTS_SRC", str(ROOT / "src"))
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{ROOT}"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(work)], cwd=work, env=env,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"run failed ({child.returncode}) in {work}")
    figures: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    figures["process_cpu"] = usage.ru_utime + usage.ru_stime
    figures["rss_mib"] = usage.ru_maxrss / 1024
    return figures


def project(count: int) -> Path:
    return store_project(count, OUT)


def stages(figures: dict[str, object]) -> str:
    timings = {**figures["timings"], **figures["publish"]}  # type: ignore[dict-item]
    return ", ".join(f"{name} {spent['cpu']:.2f}" for name, spent in timings.items())


def night(count: int) -> None:
    work = project(count)
    runs = {"first run": measured(work), "unchanged rerun": measured(work)}
    write_collection(work / "collection.csv", count, changed_every=100)
    runs["1 % changed rerun"] = measured(work)
    first = runs["first run"]
    print(f"{count:,} records (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  {'':<18} {'run() CPU s':>11} {'share':>7} {'process CPU s':>13} {'share':>7} {'wall s':>7} "
          f"{'peak RSS MiB':>12} {'written MB':>10}   stages, CPU s")
    for name, figures in runs.items():
        share = float(figures["cpu"]) / float(first["cpu"])  # type: ignore[arg-type]
        process_share = float(figures["process_cpu"]) / float(first["process_cpu"])  # type: ignore[arg-type]
        print(f"  {name:<18} {figures['cpu']:>11.2f} {share:>7.1%} {figures['process_cpu']:>13.2f} "
              f"{process_share:>7.1%} {figures['wall']:>7.1f} {figures['rss_mib']:>12.0f} "
              f"{int(figures['written']) / 1e6:>10.1f}   {stages(figures)}")  # type: ignore[call-overload]
    for name, goal in (("unchanged rerun", 0.02), ("1 % changed rerun", 0.05)):
        share = float(runs[name]["cpu"]) / float(first["cpu"])  # type: ignore[arg-type]
        rss = float(runs[name]["rss_mib"]) <= float(first["rss_mib"])  # type: ignore[arg-type]
        print(f"  {name + ', CPU vs the first run':<44} {share:>7.1%}   baseline: the first run = 100 %   "
              f"goal <= {goal:.0%}: {'met' if share <= goal else 'NOT met'}; "
              f"peak RSS <= the first run's: {'met' if rss else 'NOT met'}")


def main() -> None:
    sizes = [int(n) for n in os.environ.get("BENCH_NIGHTS_RECORDS", "10000,100000").split(",")]
    for count in sizes:
        started = time.perf_counter()
        night(count)
        print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()

"""Both cores in a run (issue 20): a first run of one big CSV source with `run.processes = 1`
(everything in the run's process) and `= 2` (mapping and validation in two worker processes),
each in a fresh process, alternating rounds.

    python -m bench cores
    BENCH_CORES_RECORDS=20000 BENCH_CORES_ROUNDS=1 python -m bench cores

Per run: records/s over the whole `run()` and over the source's own part (harvest to load, the
part the workers share), the CPU seconds of the process and its children, and the CPU seconds
the workers report. On a machine other jobs share, wall time understates what a second core
gives; so it also prints the work done in the workers against the rest, and the speedup that
split allows on two cores (Amdahl: the run's process cannot go faster than its own share).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from statistics import median

from bench.store import ROOT
from bench.store import project as store_project

OUT = Path(os.environ.get("BENCH_CORES_OUT", ROOT / "bench" / "out" / "cores")).resolve()
GOAL = 1.6

CHILD = """
import json, sys, time
from pathlib import Path
from culturedata.config import load_config
from culturedata.pipeline import RunOptions, run
config = load_config(Path(sys.argv[1]) / "culturedata.toml")
cpu, wall = time.process_time(), time.perf_counter()
report = run(config, config.select(()), options=RunOptions())
source = report.sources[0]
print(json.dumps({"wall": time.perf_counter() - wall, "records": source.harvested, "source_wall": source.seconds,
                  "workers_cpu": sum(s.get("workers_cpu", 0.0) for s in source.timings.values()),
                  "timings": source.timings}))
"""


def measured(work: Path, processes: int) -> dict[str, float]:
    """A first run in a fresh process (its store removed first), with its children's CPU."""
    for folder in ("var",):
        subprocess.run(["rm", "-rf", str(work / folder)], check=True)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "CULTUREDATA_RUN_PROCESSES": str(processes)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(work)], cwd=work, env=env, stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"run failed in {work}")
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    figures["cpu"] = usage.ru_utime + usage.ru_stime  # the run's process and its workers
    return figures


def main() -> None:
    count = int(os.environ.get("BENCH_CORES_RECORDS", "100000"))
    rounds = int(os.environ.get("BENCH_CORES_ROUNDS", "2"))
    work = store_project(count, OUT)
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    for _ in range(rounds):  # alternating, so that both see the same neighbours
        for processes in (1, 2):
            runs[processes].append(measured(work, processes))
    print(f"{count:,} records, {rounds} round(s), median (load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores)")
    print(f"  {'run.processes':<14} {'records/s':>10} {'source rec/s':>12} {'CPU s':>8} {'workers CPU s':>13} {'wall s':>8}")
    figures = {}
    for processes, done in runs.items():
        wall = median(r["wall"] for r in done)
        source_wall = median(r["source_wall"] for r in done)
        cpu, workers = median(r["cpu"] for r in done), median(r["workers_cpu"] for r in done)
        figures[processes] = (count / wall, count / source_wall, cpu, workers)
        print(f"  {processes:<14} {count / wall:>10,.0f} {count / source_wall:>12,.0f} {cpu:>8.1f} {workers:>13.1f} "
              f"{wall:>8.1f}")
    one, two = figures[1], figures[2]
    ratio, source_ratio = two[0] / one[0], two[1] / one[1]
    # What the workers take over: the one-process run's own mapping and validation seconds.
    moved = median(sum(r["timings"].get(stage, {}).get("cpu", 0.0) for stage in ("map", "validate"))
                   for r in runs[1])
    bound = one[2] / max(one[2] - moved, moved)
    print(f"  end-to-end records/s, 2 workers vs 1 process: {ratio:.2f}x (source part {source_ratio:.2f}x)   "
          f"baseline: run.processes = 1   goal >= {GOAL}x: {'met' if ratio >= GOAL else 'NOT met'}")
    print(f"  work the workers take over: {moved:.1f} of {one[2]:.1f} CPU s ({moved / one[2]:.0%}); on two idle cores "
          f"the rest, left in the run's process, allows at most {bound:.2f}x (Amdahl)")
    print(f"  CPU the workers add (starting, sending, taking back): {two[2] / one[2] - 1:+.0%}")

if __name__ == "__main__":
    main()

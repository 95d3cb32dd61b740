"""`python -m bench.compare BEFORE_DIR TOPIC… [--rounds N]`: this checkout's benchmarks against another's.

BEFORE_DIR is another checkout of the project (a git worktree at the older commit, say). For each
topic, `python -m bench TOPIC` runs `--rounds` times in each checkout, alternating (before, after,
before, after, …) so that a busy moment on a shared machine hits both, each run in its own process
with that checkout's `src/` and `bench/` first on `PYTHONPATH` and the same environment (set the
bench's size variables before calling). Every number a bench prints becomes a figure; the table gives
the median and the best of each figure for both, and after/before of the medians. Beside the figures:
the wall and CPU seconds of each whole run (the bench and every process it waited for) and `uptime`'s
load average before and after it, since the CPU time is steadier than the wall clock when others share
the machine. Each run's output is kept, one JSON line a run, in bench/out/compare/runs.jsonl;
`--table FILE` prints the tables of such a file again without running anything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

AFTER = Path(__file__).resolve().parent.parent
RUNS = AFTER / "bench" / "out" / "compare" / "runs.jsonl"
# A number as the benches print them (thousands with commas), and the unit right after it.
NUMBER = re.compile(r"(?<![\w.])(-?\d[\d,]*(?:\.\d+)?)(\s?(?:[µm]?s|[kM]B/s|MiB|[MG]B|%|x|[a-z]+/s|[a-z]+ per CPU-second)\b|%)?")
# A goal's verdict is not a figure, and a line must keep its key when the verdict flips.
VERDICT = re.compile(r"(goal[^:]*:)\s*(?:NOT met|met)")
# A series printed for the eye (the server's memory samples): its ends are figures already.
SAMPLES = re.compile(r"\(samples:[^)]*\)")
HIGHER_IS_BETTER = re.compile(r"/s$|^x$|per CPU-second$")
LOWER_IS_BETTER = re.compile(r"^(?:[µm]?s|MiB|[MG]B)$")


@dataclass
class Run:
    topic: str
    variant: str  # "before" or "after"
    round: int
    started: str  # UTC, HH:MM:SS
    wall_s: float
    cpu_s: float
    load_before: float  # one-minute load average
    load_after: float
    returncode: int
    output: str


def environment(checkout: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{checkout / 'src'}{os.pathsep}{checkout}"
    return env


def check_imports(checkout: Path) -> None:
    """Refuse to measure a checkout whose own code is not the one Python imports."""
    probe = "import bench, culturedata; print(culturedata.__file__); print(bench.__file__)"
    found = subprocess.run([sys.executable, "-c", probe], cwd=checkout, env=environment(checkout),
                           capture_output=True, text=True, check=True).stdout.split()
    if not all(Path(path).is_relative_to(checkout) for path in found):
        raise SystemExit(f"{checkout} imports {', '.join(found)}, not its own code")


def run_once(topic: str, variant: str, checkout: Path, round_: int) -> Run:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before, started = os.getloadavg()[0], time.perf_counter()
    clock = time.strftime("%H:%M:%S", time.gmtime())
    done = subprocess.run([sys.executable, "-m", "bench", topic], cwd=checkout, env=environment(checkout),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return Run(topic, variant, round_, clock, wall, cpu, load_before, os.getloadavg()[0], done.returncode,
               done.stdout)


def figures(output: str) -> dict[tuple[str, str], float]:
    """Every number of a bench's output, keyed by its line (numbers masked) and its place in that line."""
    found: dict[tuple[str, str], float] = {}
    seen: dict[str, int] = {}
    for line in output.splitlines():
        if line.startswith("===") or "load average" in line:
            continue
        line = SAMPLES.sub("", VERDICT.sub(r"\1", line))
        # Padding differs with the numbers' widths: the same line must give the same key.
        template = re.sub(r"\s+", " ", NUMBER.sub(lambda m: "#" + (m.group(2) or ""), line)).strip()
        occurrence = seen[template] = seen.get(template, 0) + 1
        for place, match in enumerate(NUMBER.finditer(line)):
            key = f"{template}" + (f" ({occurrence})" if occurrence > 1 else "")
            found[(key, f"{place}|{(match.group(2) or '').strip()}")] = float(match.group(1).replace(",", ""))
    return found


def name(template: str, place: str) -> str:
    """The figure's line, its label shortened, with the figure shown as ▸ and the others as #."""
    index, unit = place.split("|")
    parts = template.split("#")
    head = "#".join(parts[: int(index) + 1])
    tail = "#".join(parts[int(index) + 1:])
    text = f"{head}▸{tail}"
    return text if len(text) <= 110 else text[:107] + "…"


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def direction(unit: str) -> str:
    if HIGHER_IS_BETTER.search(unit):
        return "↑"
    return "↓" if LOWER_IS_BETTER.match(unit) else "?"


def table(runs: list[Run], topic: str) -> None:
    mine = [run for run in runs if run.topic == topic]
    by_variant: dict[str, list[Run]] = {v: [r for r in mine if r.variant == v] for v in ("before", "after")}
    print(f"\n## {topic}: {len(by_variant['before'])} runs before, {len(by_variant['after'])} after")
    for run in mine:
        status = "" if run.returncode == 0 else f"  EXIT {run.returncode}"
        print(f"  {run.variant:<6} round {run.round}  {run.started} UTC  wall {run.wall_s:7.1f} s  CPU {run.cpu_s:7.1f} s"
              f"  load {run.load_before:5.2f} → {run.load_after:5.2f}{status}")
    values: dict[str, dict[tuple[str, str], list[float]]] = {v: {} for v in by_variant}
    for variant, group in by_variant.items():
        for run in group:
            found = figures(run.output) if run.returncode == 0 else {}
            found[("whole run: wall #s", "0|s")] = run.wall_s
            found[("whole run: CPU #s (all processes)", "0|s")] = run.cpu_s
            for key, value in found.items():
                values[variant].setdefault(key, []).append(value)
    keys = list(dict.fromkeys([*values["before"], *values["after"]]))
    print(f"  {'figure (▸)':<110} {'':1} {'before med':>11} {'best':>11} {'after med':>11} {'best':>11} {'after/before':>12}")
    for key in keys:
        before, after = values["before"].get(key, []), values["after"].get(key, [])
        if len(set(before + after)) <= 1:
            continue  # a constant (a count, a size, a goal): nothing to compare
        unit = key[1].split("|")[1]
        arrow = direction(unit)
        pick = min if arrow == "↓" else max
        cells = []
        for side in (before, after):
            cells += [f"{number(statistics.median(side)):>11}", f"{number(pick(side)):>11}"] if side else [f"{'—':>11}"] * 2
        ratio = f"{statistics.median(after) / statistics.median(before):>12.2f}" if before and after and statistics.median(before) else f"{'—':>12}"
        print(f"  {name(*key):<110} {arrow} {' '.join(cells)} {ratio}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, nargs="?", help="the other checkout (the code before)")
    parser.add_argument("topics", nargs="*", help="bench topics (python -m bench lists them)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each variant per topic (default 2)")
    parser.add_argument("--table", type=Path, help="print the tables of a runs.jsonl file and stop")
    args = parser.parse_args(argv)
    if args.table:
        recorded = [Run(**json.loads(line)) for line in args.table.read_text(encoding="utf-8").splitlines() if line]
        for topic in dict.fromkeys(run.topic for run in recorded):
            table(recorded, topic)
        return 0
    if args.before is None or not args.topics:
        parser.error("BEFORE_DIR and at least one topic are needed")
    before = args.before.resolve()
    for checkout in (before, AFTER):
        check_imports(checkout)
    RUNS.parent.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for topic in args.topics:
        for round_ in range(1, args.rounds + 1):
            for variant, checkout in (("before", before), ("after", AFTER)):
                run = run_once(topic, variant, checkout, round_)
                runs.append(run)
                with RUNS.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(asdict(run), ensure_ascii=False) + "\n")
                print(f"{topic} {variant} round {round_}: {run.wall_s:.1f} s, load {run.load_before:.2f} → "
                      f"{run.load_after:.2f}, exit {run.returncode}", flush=True)
        table(runs, topic)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The code of when issue 16 was filed, measured beside ours in the same run.

Issue 16 asks that mapping speed not be worse than it was then (commit `FILED`). A ratio kept as a
constant from an earlier day moves with the machine's load (±15 % between runs of the same code
here), so `make bench` measures the code of then itself: `git archive` of that commit (its src,
mappings, vocabularies, sample inputs and its own bench) under bench/out/, each side in a process
of its own with its own tree first on the path, alternating rounds, CPU seconds, best of each.

- CSV: each tree's `map_record` loop over the same generated rows (`bench.mapping.csv_rows`, the
  same function and sample file in both), ours with the watchers a pipeline run maps with
  (`Coverage`, `Identities`, which the code of then did not have); the figure is CPU per triple.
- LIDO: each tree's own `bench_lido` (its engine beside its own hand-written lxml mapper, on its
  own LIDO mapping: the shipped mapping has grown since, and the hand-written mapper with it);
  the figure is the engine's rate as a fraction of its hand-written mapper's.

A clone without that commit (a shallow one) prints why and goes on.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from bench.compare import environment

FILED = "98e031c"  # main when issue 16 was filed
ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "bench" / "out" / f"filed-{FILED}"
PARTS = ("src", "mappings", "ontologies", "shapes", "sample_inputs", "bench")

CSV_CHILD = """
import json, math, time
from bench.mapping import CONTEXT, csv_rows
from culturedata import mapping as m
from culturedata.records import SourceRecord
mapping = m.load_mapping("musee-csv")
records = [SourceRecord("bench", r["id"], r, "text/csv", "-") for r in csv_rows()]
watching = hasattr(m, "Identities")  # the code of then had no watchers
best, triples = math.inf, 0
for _ in range(3):
    watch = {"coverage": m.Coverage(mapping), "identities": m.Identities()} if watching else {}
    started, triples = time.process_time(), 0
    for record in records:
        triples += m.map_record(mapping, record, CONTEXT, **watch).triple_count
    best = min(best, time.process_time() - started)
print(json.dumps({"seconds": best, "triples": triples, "watching": watching}))
"""
LIDO_CHILD = "import bench.mapping as m; m.bench_lido()"
LIDO_RATIO = re.compile(r"^LIDO mapping \(engine, CPU time\).*ratio\s+([\d.]+)x", re.M)


def checkout() -> Path | None:
    """The tree of `FILED` under bench/out/ (extracted once), or None when git cannot give it."""
    if (TREE / "src").is_dir():
        return TREE
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", FILED, *PARTS], capture_output=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"  (the code of {FILED} is not in this clone, so it is not measured: {exc})")
        return None
    partial = TREE.with_name(TREE.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(partial, filter="data")
    partial.rename(TREE)
    return TREE


class ChildFailed(Exception):
    """A side's process failed: the comparison is skipped, the other benchmarks go on."""


def child(tree: Path, code: str) -> str:
    """`code` run by this interpreter in `tree` (its src and bench first on the path); its output."""
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env=environment(tree), capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:]
        raise ChildFailed(f"in {tree.name} (exit code {done.returncode}){': ' + last[0] if last else ''}")
    return done.stdout


def csv_per_triple(tree: Path) -> tuple[float, bool]:
    """CPU seconds a triple of the CSV mapping loop, best of three passes; whether it watched."""
    figures = json.loads(child(tree, CSV_CHILD).strip().splitlines()[-1])
    return figures["seconds"] / figures["triples"], figures["watching"]


def lido_ratio(tree: Path) -> float:
    """That tree's engine / its hand-written mapper on its LIDO dump, as its bench_lido prints it."""
    found = LIDO_RATIO.search(child(tree, LIDO_CHILD))
    if found is None:
        raise ChildFailed(f"bench_lido in {tree.name} printed no ratio")
    return float(found.group(1))


def compare(rounds: int = 3) -> None:
    """Both sides alternating (then, ours / ours, then …), the best of each, and the goal lines."""
    from bench.report import compare as line

    tree = checkout()
    if tree is None:
        return
    sides = {"then": tree, "ours": ROOT}
    csv = {name: float("inf") for name in sides}
    lido = {name: 0.0 for name in sides}
    try:
        for round_ in range(rounds):
            order = list(sides.items()) if round_ % 2 == 0 else list(sides.items())[::-1]
            for name, path in order:
                seconds, _ = csv_per_triple(path)
                csv[name] = min(csv[name], seconds)
                lido[name] = max(lido[name], lido_ratio(path))
    except ChildFailed as exc:
        print(f"  (issue 16's comparison with the code of {FILED} was not measured: a run failed {exc})")
        return
    print(f"issue 16, against the code of when it was filed ({FILED}), in this run: {rounds} alternating rounds, "
          f"best of each")
    line("CSV mapping, ours with the watchers (CPU)", "triples/s", 1 / csv["ours"], 1 / csv["then"],
         f"the code of {FILED}", goal=1.0)
    ratio = lido["ours"] / lido["then"]
    print(f"{'LIDO engine / its own hand-written mapper':<44} {lido['ours']:>12.2f}x   the code of {FILED}: "
          f"{lido['then']:>5.2f}x   ratio {ratio:5.2f}x  goal >= 1.00x: {'met' if ratio >= 1 else 'NOT met'}")

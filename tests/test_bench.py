"""The benchmarks' own helpers, outside what `make bench` measures: they must run where pytest does not."""

from __future__ import annotations

import os
import subprocess
import sys

from shareddata import ROOT


def test_the_shacl_bench_builds_its_records_outside_pytest() -> None:
    # bench/shacl.py borrows the fast engine's test helpers, which import `shareddata` as pytest
    # does (tests/ on the path); a plain `python -m bench shacl` has no such path.
    probe = "from bench.shacl import synthetic_records; print(len(synthetic_records(200)))"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 0


def test_compare_keys_a_figure_by_its_line_whatever_the_padding_or_the_verdict() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from bench.compare import figures
    finally:
        sys.path.remove(str(ROOT))
    before = figures("load, quads/s       32,299 q/s   bulk:   63,590 q/s   ratio  0.51x  goal >= 0.80x: NOT met\n"
                     "=== bench/store.py ===\nload average at the end: 7.5 on 2 cores\n")
    after = figures("load, quads/s  136,700 q/s   bulk: 51,314 q/s   ratio  2.66x  goal >= 0.80x: met\n")
    assert before.keys() == after.keys()
    assert sorted(before.values()) == [0.51, 0.8, 32299.0, 63590.0]
    assert sorted(after.values()) == [0.8, 2.66, 51314.0, 136700.0]


def test_the_filed_comparison_children_map_records_in_our_tree() -> None:
    # bench/_filed.py's children are code strings run in a tree of their own (ours, or the code of
    # when issue 16 was filed): a rename in our API breaks them only when `make bench` runs them.
    sys.path.insert(0, str(ROOT))
    try:
        from bench import _filed
    finally:
        sys.path.remove(str(ROOT))
    csv_mapping = str(ROOT / "mappings" / "musee-csv.yaml")
    seconds, triples = _filed.per_triple(ROOT, _filed.CSV_CHILD, csv_mapping, "watch", "40")
    assert triples > 40 and seconds > 0
    seconds, triples = _filed.per_triple(ROOT, _filed.LIDO_SAME_CHILD, str(ROOT / "mappings" / "lido.yaml"),
                                         str(ROOT / "sample_inputs" / "musee-anse-aux-brumes" / "lido.xml"), "5")
    assert triples > 5 and seconds > 0

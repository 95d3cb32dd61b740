"""SIGKILL a real `culturedata run` at random moments: the served snapshot is always the previous
one or the new one, complete, and the next run finishes the job with no duplicates and no losses."""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from culturedata import iris
from culturedata.reference import references

CSV = Path("sample_inputs/musee-fjord-bleu/collection.csv")
SYSTEM = ox.NamedNode("http://127.0.0.1:8000/graph/system")
STATUS = ox.NamedNode("https://w3id.org/culturedata/ns/run#status")
PUBLISHED = "https://w3id.org/culturedata/ns/run#Published"
TRIALS = 8
# Each source's provider graph (who holds its records) sits beside the record graphs.
PROVIDERS = {f"http://127.0.0.1:8000/graph/{source}" for source in (
    "musee-fjord-bleu", "musee-anse-aux-brumes", "theatre-deux-rives", "reseau-culture-laurentides")}
# And the shipped vocabularies and ontology (culturedata/reference.py).
PROVIDERS |= {iris.reference_graph("http://127.0.0.1:8000/", r.name) for r in references()}
POOLING = iris.pooling_graph("http://127.0.0.1:8000/")


def culturedata(project: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "culturedata", "run"]
    env = {**os.environ, "CULTUREDATA_LANG": "en"}
    return subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(project: Path) -> None:
    process = culturedata(project)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1, err.decode(errors="replace")  # 1: the demo's quarantined records


def served(project: Path) -> tuple[str, frozenset[str]]:
    """The served snapshot's id and its record quads, after checking it is whole: every
    published record has its graph and no graph is there without a published record."""
    pointer = project / "var/store/current"
    store = ox.Store.read_only(str(pointer))
    # The pooling graph holds links between records' entities, not a record (culturedata/pooling/).
    graphs = {g.value for g in store.named_graphs() if g != SYSTEM and g.value != POOLING}
    published = {q.subject.value for q in store.quads_for_pattern(None, STATUS, ox.NamedNode(PUBLISHED), SYSTEM)}
    assert graphs == published | PROVIDERS
    named = [q for q in store if isinstance(q.graph_name, ox.NamedNode)]
    # the default graph is exactly the merge of the named graphs (store/merged.py)
    assert {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())} == {str(q.triple) for q in named}
    return os.readlink(pointer), frozenset(str(q) for q in named if q.graph_name != SYSTEM)


def variant(project: Path, original: bytes, retitled: bool) -> None:
    """Two versions of the museum's export: as shipped, or with three titles changed."""
    if not retitled:
        (project / CSV).write_bytes(original)
        return
    rows = list(csv.reader(io.StringIO(original.decode("cp1252"), newline=""), delimiter=";"))
    for row in rows[1:4]:
        row[2] = row[2] + " (révisé)"
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    (project / CSV).write_bytes(out.getvalue().encode("cp1252"))


@pytest.mark.slow
def test_sigkill_at_random_points_never_breaks_the_served_snapshot(demo_project: Path) -> None:
    original = (demo_project / CSV).read_bytes()
    contents: dict[bool, frozenset[str]] = {}
    for retitled in (True, False):
        variant(demo_project, original, retitled)
        started = time.monotonic()
        finish(demo_project)
        duration = time.monotonic() - started
        contents[retitled] = served(demo_project)[1]
    assert contents[True] != contents[False]
    rng = random.Random(7)
    state = False
    for trial in range(TRIALS):
        before_id, before = served(demo_project)
        assert before == contents[state]
        state = not state
        variant(demo_project, original, state)
        process = culturedata(demo_project)
        time.sleep(rng.uniform(0.1, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after_id, after = served(demo_project)
        assert (after_id, after) == (before_id, before) or (after_id != before_id and after == contents[state]), trial
        finish(demo_project)  # clears the stale lock and the killed run's staging
        assert served(demo_project)[1] == contents[state], trial
        assert not any((demo_project / "var/store/staging").iterdir())
        assert not (demo_project / "var/store/run.lock").exists()

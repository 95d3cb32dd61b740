"""A big source on both cores (parallel.py): the same run with `run.processes` 1 and 2 gives the
same snapshot, report (its timings aside) and logs; a worker killed mid-run loses nothing."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from bench.store import write_collection

from culturedata.config import load_config
from culturedata.pipeline import RunOptions, RunReport, run
from culturedata.stagetimes import StageTimes
from shareddata import shared

RUN = "https://w3id.org/culturedata/ns/run#"
PROV = "http://www.w3.org/ns/prov#"
DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


def _run(project: Path, processes: int, batch: int, monkeypatch: pytest.MonkeyPatch) -> RunReport:
    monkeypatch.setenv("CULTUREDATA_RUN_PROCESSES", str(processes))
    monkeypatch.setenv("CULTUREDATA_VALIDATE_BATCH_SIZE", str(batch))
    config = load_config(project / "culturedata.toml")
    return run(config, config.select(()), options=RunOptions())


def _quads(project: Path) -> set[str]:
    """The snapshot's quads, less the run's IRIs and moments (and blank node labels, which a
    load draws anew)."""
    store = ox.Store.read_only(str(project / "var" / "store" / "current"))
    out = set()
    for quad in store:
        if "/run/" in str(quad.subject) or "/run/" in str(quad.object) or _moment(quad):
            continue
        text = " ".join("_:b" if isinstance(term, ox.BlankNode) else str(term)
                        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name))
        out.add(text.replace(project.as_uri(), "file:///project"))
    return out


def _moment(quad: ox.Quad) -> bool:
    """When the run did something (its provenance and bookkeeping): two runs differ in them."""
    term = quad.object
    return quad.predicate.value.startswith((RUN, PROV)) and isinstance(term, ox.Literal) \
        and term.datatype.value == DATETIME


def _report(report: RunReport) -> list[dict[str, Any]]:
    sources = report.to_dict()["sources"]
    for source in sources:
        source.pop("timings")
        source.pop("seconds")
    return sources


def _logs(project: Path) -> dict[str, str]:
    """The quarantine and warnings logs, their run stamps aside."""
    folder = project / "var" / "store"
    return {str(p.relative_to(folder)): _unstamped(p).replace(str(project), "PROJECT")
            for p in sorted(folder.rglob("*.jsonl"))}


def _unstamped(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if isinstance(entry, dict):
            entry = {k: v for k, v in entry.items() if k not in ("at", "run", "when", "time", "checked", "generation")}
        lines.append(json.dumps(entry, sort_keys=True))
    return "\n".join(lines)


def _both(project: Path, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `project` in one process and in two workers, from a fresh copy each time, and compare."""
    results = []
    for processes in (1, 2):
        work = project.parent / f"{project.name}-{processes}"
        shutil.copytree(project, work, ignore=shutil.ignore_patterns("var"))
        monkeypatch.chdir(work)
        report = _run(work, processes, batch, monkeypatch)
        results.append((_report(report), _quads(work), _logs(work), report))
    (one, quads_one, logs_one, _), (two, quads_two, logs_two, spread) = results
    assert one == two
    assert quads_one == quads_two
    assert logs_one == logs_two
    assert any("workers_cpu" in stage for source in spread.sources for stage in source.timings.values())


def test_the_demo_in_two_workers_is_the_demo_in_one_process(demo_project: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 2 records: the CSV and JSON sources pass the batches checked in this process.
    _both(demo_project, 2, monkeypatch)


def test_a_real_export_in_two_workers_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = shared("odcaf", "ODCAF_V1.0.csv")
    project = tmp_path / "odcaf"
    project.mkdir()
    (project / "culturedata.toml").write_text(f"""[publish]
base_iri = "http://127.0.0.1:8000/"
[pooling]
enabled = false
[[sources]]
id = "odcaf"
name = "ODCAF"
kind = "csv"
path = "{data}"
mapping = "odcaf"
options = {{ encoding = "utf-8-sig", id_column = "Index", sentinels = [".."] }}
""", encoding="utf-8")
    _both(project, 250, monkeypatch)


def test_a_killed_worker_loses_no_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL the first worker that starts: its batches are checked in the run's process."""
    project = tmp_path / "museum"
    project.mkdir()
    (project / "culturedata.toml").write_text("""[publish]
base_iri = "http://127.0.0.1:8000/"
[pooling]
enabled = false
[[sources]]
id = "grand-musee"
name = "Grand musée"
kind = "csv"
path = "collection.csv"
mapping = "musee-csv"
options = { encoding = "utf-8", delimiter = ";" }
""", encoding="utf-8")
    write_collection(project / "collection.csv", 3000)
    monkeypatch.chdir(project)
    killed: list[int] = []
    done = threading.Event()

    def kill_a_worker() -> None:
        while not done.is_set():
            workers = multiprocessing.active_children()
            if workers:
                time.sleep(0.5)  # let it take batches
                os.kill(workers[0].pid or 0, signal.SIGKILL)
                killed.append(workers[0].pid or 0)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        report = _run(project, 2, 50, monkeypatch)
    finally:
        done.set()
        killer.join()
    assert killed, "no worker started"
    source = report.sources[0]
    assert not source.failed
    assert source.harvested == source.published + source.quarantined == 3000
    assert len(_quads(project)) > 3000


def test_worker_cpu_is_counted_and_kept_apart() -> None:
    clock = StageTimes("load", clock=lambda: (0.0, 0.0))
    clock.elsewhere("map", 1.5)
    assert clock.as_dict() == {"map": {"cpu": 1.5, "wall": 0.0, "workers_cpu": 1.5}}


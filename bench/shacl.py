"""SHACL validation throughput: the fast engine against pySHACL, same records, same shapes.

Records are the demo sources, mapped, then copied with fresh IRIs until the batch holds
CULTUREDATA_BENCH_TRIPLES triples (default 1,000,000). Each engine runs in its own child
process so that peak memory (max RSS) is its own. pySHACL validates a sample of
CULTUREDATA_BENCH_PYSHACL_TRIPLES (default 100,000) and its time is extrapolated to the
full size, because its throughput is linear in the number of records and a full run takes
minutes. Both validate in batches of 500 records, as the pipeline does, on one core; the
fast engine is also run as two processes each validating half the records, for the issue's
"on 2 cores" figure (pySHACL would gain the same factor: the speed-up is one core to one core).

    python -m bench shacl
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from culturedata.records import MappedRecord

REPO = Path(__file__).resolve().parents[1]
BATCH = 500


def synthetic_records(triples: int) -> list[MappedRecord]:
    # The demo records come from the fast engine's test helpers, which import their siblings
    # (`shareddata`) as pytest does, with tests/ on the path; outside pytest it must be put there.
    if str(REPO / "tests") not in sys.path:
        sys.path.append(str(REPO / "tests"))
    from tests.validate_fast.conftest import demo_records

    demo = demo_records()
    records: list[MappedRecord] = []
    total, copy = 0, 0
    while total < triples:
        for record in demo:
            records.append(_copy(record, copy))
            total += len(record.triples)
            if total >= triples:
                break
        copy += 1
    return records


def _copy(record: MappedRecord, copy: int) -> MappedRecord:
    """The same record under new IRIs: the record's own entities get a suffix, shared ones do not."""
    prefix = record.graph.rsplit("/graph/", 1)[0] + "/id/"

    def fresh(term):
        if isinstance(term, ox.NamedNode) and term.value.startswith(prefix) and "/organisation/" not in term.value:
            return ox.NamedNode(f"{term.value}-{copy}")
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{term.value}x{copy}")
        return term

    triples = tuple(ox.Triple(fresh(t.subject), t.predicate, fresh(t.object)) for t in record.triples)
    return replace(record, local_id=f"{record.local_id}-{copy}", triples=triples)


def _run(engine: str, triples: int, barrier=None) -> tuple[int, int, float, int, float, float, float]:
    """In a child process: (records, triples, seconds, peak RSS in KiB, CPU seconds, start, end).

    CPU seconds are this process's own: on a shared machine they vary less than the wall clock.
    Start and end are wall-clock times, to see how far two children ran at the same time."""
    from culturedata.validate import PyshaclValidator, load_shapes
    from culturedata.validate.fast import FastValidator

    shapes_dir = os.environ.get("CULTUREDATA_BENCH_SHAPES")
    ontologies_dir = os.environ.get("CULTUREDATA_BENCH_ONTOLOGIES")
    shapes = load_shapes(Path(shapes_dir) if shapes_dir else None, Path(ontologies_dir) if ontologies_dir else None)
    records = synthetic_records(triples)
    # The pipeline streams records 500 at a time; holding a million in memory here would make every
    # garbage collection walk them all and measure the collector, not the engine.
    gc.freeze()
    validator = FastValidator(shapes) if engine == "fast" else PyshaclValidator(shapes)
    count = sum(len(r.triples) for r in records)
    if barrier is not None:
        barrier.wait()  # both halves validate at the same time, whoever built its records first
    begun, started, cpu = time.time(), time.perf_counter(), time.process_time()
    for start in range(0, len(records), BATCH):
        validator.validate(records[start:start + BATCH])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return len(records), count, seconds, rss, cpu, begun, begun + seconds


def measure(engine: str, triples: int) -> tuple[int, int, float, int, float, float, float]:
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(_run, engine, triples).result()


def measure_both_cores(engine: str, triples: int) -> tuple[int, float]:
    """Two processes, each validating its own half: (triples, wall seconds from the first start to the
    last end). Each builds its half itself, as a worker that maps and validates its own sources would."""
    with multiprocessing.Manager() as manager, ProcessPoolExecutor(max_workers=2) as pool:
        barrier = manager.Barrier(2)
        halves = [pool.submit(_run, engine, triples // 2, barrier) for _ in range(2)]
        results = [h.result() for h in halves]
    return sum(r[1] for r in results), max(r[6] for r in results) - min(r[5] for r in results)


def main() -> None:
    sys.path.insert(0, str(REPO))
    full = int(os.environ.get("CULTUREDATA_BENCH_TRIPLES", "1000000"))
    sample = min(full, int(os.environ.get("CULTUREDATA_BENCH_PYSHACL_TRIPLES", "100000")))
    print(f"machine: {os.cpu_count()} cores (shared with other work: figures are noisy)")
    records, fast_triples, fast_s, fast_rss, fast_cpu, _, _ = measure("fast", full)
    print(f"fast     {records:>7} records {fast_triples:>9} triples {fast_s:8.1f} s "
          f"{fast_triples / fast_s:>9,.0f} triples/s  peak RSS {fast_rss / 1024:,.0f} MiB  "
          f"({fast_triples / fast_cpu:,.0f} triples per CPU-second)")
    records, py_triples, py_s, py_rss, py_cpu, _, _ = measure("pyshacl", sample)
    rate = py_triples / py_s
    note = "" if py_triples >= fast_triples else f"  (measured on {py_triples:,} triples, extrapolated)"
    print(f"pyshacl  {records:>7} records {py_triples:>9} triples {py_s:8.1f} s "
          f"{rate:>9,.0f} triples/s  peak RSS {py_rss / 1024:,.0f} MiB  "
          f"({py_triples / py_cpu:,.0f} triples per CPU-second){note}")
    print(f"pyshacl on {fast_triples:,} triples: ~{fast_triples / rate:,.0f} s (extrapolated)")
    speedup = (fast_triples / fast_s) / rate
    print(f"speed-up: {speedup:.1f}x, per CPU-second {(fast_triples / fast_cpu) / (py_triples / py_cpu):.1f}x "
          f"(goal >= 10x, >= 300,000 triples/s)")
    both, both_s = measure_both_cores("fast", full)
    print(f"fast on both cores (2 processes, each its own half): {both:,} triples in {both_s:.1f} s, "
          f"{both / both_s:,.0f} triples/s")
    if py_triples < fast_triples:
        # Peak memory on the same input: the records themselves are most of it at full size.
        _, same_triples, same_s, same_rss, _, _, _ = measure("fast", sample)
        print(f"fast on the pySHACL sample: {same_triples / same_s:,.0f} triples/s, peak RSS {same_rss / 1024:,.0f} MiB")
    else:
        same_rss = fast_rss
    print(f"peak memory on {py_triples:,} triples: fast {same_rss / 1024:,.0f} MiB, pySHACL {py_rss / 1024:,.0f} MiB "
          f"({'not larger' if same_rss <= py_rss else 'LARGER'})")


if __name__ == "__main__":
    main()

"""SHACL validation throughput: the fast engine against pySHACL, same records, same shapes.

Records are the demo sources, mapped, then copied with fresh IRIs until the batch holds
CULTUREDATA_BENCH_TRIPLES triples (default 1,000,000). Each engine runs in its own child
process so that peak memory (max RSS) is its own. pySHACL validates a sample of
CULTUREDATA_BENCH_PYSHACL_TRIPLES (default 100,000) and its time is extrapolated to the
full size, because its throughput is linear in the number of records and a full run takes
minutes. Both validate in batches of 500 records, as the pipeline does.

    python -m bench shacl
"""

from __future__ import annotations

import gc
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


def _run(engine: str, triples: int) -> tuple[int, int, float, int]:
    """In a child process: (records, triples, seconds, peak RSS in KiB)."""
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
    started = time.perf_counter()
    for start in range(0, len(records), BATCH):
        validator.validate(records[start:start + BATCH])
    seconds = time.perf_counter() - started
    return len(records), count, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(engine: str, triples: int) -> tuple[int, int, float, int]:
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(_run, engine, triples).result()


def main() -> None:
    sys.path.insert(0, str(REPO))
    full = int(os.environ.get("CULTUREDATA_BENCH_TRIPLES", "1000000"))
    sample = min(full, int(os.environ.get("CULTUREDATA_BENCH_PYSHACL_TRIPLES", "100000")))
    print(f"machine: {os.cpu_count()} cores (shared with other work: figures are noisy)")
    records, fast_triples, fast_s, fast_rss = measure("fast", full)
    print(f"fast     {records:>7} records {fast_triples:>9} triples {fast_s:8.1f} s "
          f"{fast_triples / fast_s:>9,.0f} triples/s  peak RSS {fast_rss / 1024:,.0f} MiB")
    records, py_triples, py_s, py_rss = measure("pyshacl", sample)
    rate = py_triples / py_s
    note = "" if py_triples >= fast_triples else f"  (measured on {py_triples:,} triples, extrapolated)"
    print(f"pyshacl  {records:>7} records {py_triples:>9} triples {py_s:8.1f} s "
          f"{rate:>9,.0f} triples/s  peak RSS {py_rss / 1024:,.0f} MiB{note}")
    print(f"pyshacl on {fast_triples:,} triples: ~{fast_triples / rate:,.0f} s (extrapolated)")
    speedup = (fast_triples / fast_s) / rate
    print(f"speed-up: {speedup:.1f}x (goal >= 10x, >= 300,000 triples/s)")
    if py_triples < fast_triples:
        # Peak memory on the same input: the records themselves are most of it at full size.
        _, same_triples, same_s, same_rss = measure("fast", sample)
        print(f"fast on the pySHACL sample: {same_triples / same_s:,.0f} triples/s, peak RSS {same_rss / 1024:,.0f} MiB")
    else:
        same_rss = fast_rss
    print(f"peak memory on {py_triples:,} triples: fast {same_rss / 1024:,.0f} MiB, pySHACL {py_rss / 1024:,.0f} MiB "
          f"({'not larger' if same_rss <= py_rss else 'LARGER'})")


if __name__ == "__main__":
    main()

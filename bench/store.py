"""The nightly job at scale (issue 7): records/s end to end, load triples/s beside pyoxigraph's
own `bulk_load` of the same N-Quads, and a re-run where 1 % of the records changed.

    python -m bench store                      # 100,000 records (BENCH_STORE_RECORDS to change)
    BENCH_STORE_ONLY=load python -m bench store    # the load figures alone

The big CSV (the demo museum's columns, one row per object) is generated under bench/out/.
"""

from __future__ import annotations

import csv
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from bench.report import compare
from culturedata import iris
from culturedata.config import load_config
from culturedata.harvest import harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.pipeline import RunOptions, run
from culturedata.store import EmbeddedTarget, Loader, Provenance

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "store"
COLUMNS = ["id", "numero_accession", "titre_fr", "titre_en", "nom_objet", "description_fr", "date_affichage",
           "materiaux", "dimensions", "url_notice"]
CONFIG = """[publish]
base_iri = "http://127.0.0.1:8000/"
[store]
path = "var/store"
[validate]
batch_size = 1000
[[sources]]
id = "grand-musee"
name = "Grand musée (banc d'essai)"
kind = "csv"
path = "collection.csv"
mapping = "musee-csv"
licence = "https://creativecommons.org/publicdomain/zero/1.0/"
options = { encoding = "utf-8", delimiter = ";" }
"""


def write_collection(path: Path, count: int, changed_every: int = 0) -> None:
    """`count` objects; with `changed_every`, one object in that many gets a new title."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(COLUMNS)
        for n in range(count):
            title = f"Objet {n}" + (" (révisé)" if changed_every and n % changed_every == 0 else "")
            writer.writerow([
                str(100000 + n), f"2001.{n // 1000}.{n % 1000}", title, f"Object {n}", "outil",
                f"Description de l'objet {n}, en bois et en fer.", "vers 1900", "bois|fer",
                "12 x 30 cm", f"https://collections.example/objets/{n}",
            ])


def project(count: int, out: Path = OUT) -> Path:
    """A project folder under `out` whose one source is a generated CSV export of `count` rows."""
    work = out / f"n{count}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "culturedata.toml").write_text(CONFIG, encoding="utf-8")
    write_collection(work / "collection.csv", count)
    return work


def timed_run(work: Path) -> tuple[float, int]:
    config = load_config(work / "culturedata.toml")
    started = time.perf_counter()
    report = run(config, config.select(()), options=RunOptions())
    return time.perf_counter() - started, sum(s.harvested for s in report.sources)


def written_bytes() -> int:
    """Bytes this process has caused to be written to storage so far (/proc/self/io)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def load_rates(work: Path) -> tuple[float, float]:
    """Our loader writing already-mapped records, and bulk_load of the same quads: every quad
    our store holds, the merged default graph (store/merged.py) included, so both write as much.
    Beside the rates (quads written per CPU-second, steadier than the wall clock on a shared
    machine): our store's size as a publication leaves it (held back, bulk-loaded, and not
    optimised, having begun empty: `EmbeddedTarget.needs_optimising`) beside the bulk-loaded one
    optimised, and the bytes our load wrote per record (`/proc/self/io`, the spool's temporary
    files included) beside the snapshot's bytes per record."""
    config = load_config(work / "culturedata.toml")
    source = config.sources[0]
    context = MappingContext.for_source(config.base_iri, source.id, source.language)
    records = list(map_records(load_mapping(source.mapping), harvest(source), context))
    ours = ox.Store(str(work / "load-ours"))
    # as transaction() makes it for a run: additions held back until the store is read
    target = EmbeddedTarget(ours, iris.system_graph(config.base_iri), defer=True, spool_folder=work)
    prov = Provenance(target.system_graph, iris.run(config.base_iri, "bench"), source.id, source.licence)
    loader = Loader(target, prov, datetime.now(UTC))
    written, started, cpu = written_bytes(), time.perf_counter(), time.process_time()
    for record in records:
        loader.add(record)
    loader.flush()
    target.settle()
    if target.needs_optimising:  # as transaction() decides for Snapshots.publish
        ours.optimize()
    ours.flush()
    our_seconds, our_cpu, our_written = time.perf_counter() - started, time.process_time() - cpu, written_bytes() - written
    quads = len(ours)
    named = sum(1 for q in ours if isinstance(q.graph_name, ox.NamedNode))
    nquads = work / "records.nq"
    with nquads.open("wb") as out:
        ours.dump(out, ox.RdfFormat.N_QUADS)  # every quad, the default graph's too
    del ours
    theirs = ox.Store(str(work / "load-bulk"))
    started, cpu = time.perf_counter(), time.process_time()
    theirs.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    theirs.optimize()
    theirs.flush()
    bulk_seconds, bulk_cpu = time.perf_counter() - started, time.process_time() - cpu
    del theirs
    print(f"load: {quads:,} quads written ({named:,} in named graphs, {quads - named:,} in the merged default graph); "
          f"ours {our_seconds:.1f} s wall, {our_cpu:.1f} CPU-s; bulk_load of the same quads {bulk_seconds:.1f} s wall, "
          f"{bulk_cpu:.1f} CPU-s")
    compare("load, quads per CPU-second (same quads)", "q/CPU-s", quads / our_cpu, quads / bulk_cpu,
            "bulk_load", goal=0.8)
    ours_size, bulk_size = size_of(work / "load-ours"), size_of(work / "load-bulk")
    ratio = ours_size / bulk_size
    print(f"{'load, store size (as published)':<44} {ours_size / 1e6:>12,.0f} MB      bulk_load: {bulk_size / 1e6:>12,.0f} MB"
          f"      ratio {ratio:5.2f}x  goal <= 1.20x: {'met' if ratio <= 1.2 else 'NOT met'}")
    per_record, snapshot_per_record = our_written / len(records), ours_size / len(records)
    ratio = per_record / snapshot_per_record
    print(f"{'load, bytes written per record':<44} {per_record / 1e3:>12,.1f} kB      snapshot: "
          f"{snapshot_per_record / 1e3:>12,.1f} kB      ratio {ratio:5.2f}x  goal <= 2.00x: {'met' if ratio <= 2 else 'NOT met'}")
    return quads / our_seconds, quads / bulk_seconds


def main() -> None:
    count = int(os.environ.get("BENCH_STORE_RECORDS", "100000"))
    print(f"(records: {count}; the machine may be shared: figures are noisy)")
    if os.environ.get("BENCH_STORE_ONLY") == "load":  # the load figures alone, on a fresh project
        ours, bulk = load_rates(project(count))
        compare("load, quads/s (wall)", "q/s", ours, bulk, "bulk_load of the same quads")
        return
    demo = OUT / "demo"
    shutil.rmtree(demo, ignore_errors=True)
    demo.mkdir(parents=True)
    shutil.copy(ROOT / "culturedata.toml", demo / "culturedata.toml")
    shutil.copytree(ROOT / "sample_inputs", demo / "sample_inputs")
    demo_full, demo_records = timed_run(demo)
    demo_again, _ = timed_run(demo)
    compare("demo run, records/s (end to end, full)", "rec/s", demo_records / demo_full,
            demo_records / demo_again, "unchanged re-run")

    work = project(count)
    full_seconds, records = timed_run(work)
    write_collection(work / "collection.csv", count, changed_every=100)
    rerun_seconds, _ = timed_run(work)
    print(f"{count} records: full run {full_seconds:.1f} s ({records / full_seconds:,.0f} rec/s end to end); "
          f"1 % changed re-run {rerun_seconds:.1f} s")
    share = rerun_seconds / full_seconds
    verdict = "met" if share <= 0.05 else "NOT met"
    print(f"{'1 % changed re-run, cost vs the full run':<44} {share:>11.1%}   baseline: the full run = 100 %"
          f"   goal <= 5 %: {verdict}")
    ours, bulk = load_rates(work)
    compare("load, quads/s (wall)", "q/s", ours, bulk, "bulk_load of the same quads")


if __name__ == "__main__":
    main()

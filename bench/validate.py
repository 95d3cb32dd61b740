"""Validating 100k mapped records: our engine (batches of 500 in 2 worker processes) beside
one pySHACL call over the whole graph, the way most users would write it, in the same run.

The records are a synthetic museum export (the musee-csv columns, a tenth of the rows with
a problem) mapped by the shipped mapping, checked against the shipped shapes (the test
shapes until the profile's land). Both sides must find exactly the same findings.

    python -m bench validate                     # 100,000 records
    CULTUREDATA_BENCH_RECORDS=10000 python -m bench validate
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterable
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph

from bench.report import compare
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.records import MappedRecord, SourceRecord, content_hash
from culturedata.resources import ontologies_dir, shapes_dir
from culturedata.validate.batches import EngineSpec, validate_records
from culturedata.validate.shapes import load_shapes
from culturedata.validate.validator import findings_in, owners_of, to_rdflib

ROOT = Path(__file__).resolve().parent.parent
TEST_SHAPES = ROOT / "tests" / "validate" / "fixtures"
Key = tuple[str, str, str | None, str | None, str | None, str]


def shape_dirs() -> tuple[Path, Path]:
    if any(shapes_dir().glob("*.ttl")):
        return shapes_dir(), ontologies_dir()
    return TEST_SHAPES / "shapes", TEST_SHAPES / "vocab"


def rows(count: int) -> Iterable[SourceRecord]:
    for n in range(count):
        problem = n % 10
        row = {
            "id": str(100000 + n), "numero_accession": f"2024.{n}", "titre_fr": "" if problem == 1 else f"Objet {n}",
            "titre_en": f"Object {n}", "nom_objet": "tableau", "description_fr": "" if problem == 2 else "Une œuvre.",
            "date_affichage": "vers 1900", "materiaux": "huile | toile", "dimensions": "61 x 76 cm",
            "ligne_credit": "Don", "url_notice": f"{'http' if problem == 3 else 'https'}://m.example/objet/{n}",
            "image_url": f"https://m.example/img/{n}.jpg" if n % 2 else "",
            "image_licence": "Domaine public" if problem == 4 else "https://creativecommons.org/publicdomain/zero/1.0/",
            "image_credit": "Photo : musée",
        }
        yield SourceRecord("bench", row["id"], row, "text/csv", content_hash(row["id"].encode()),
                           location=f"line {n + 2}")


def mapped(count: int) -> list[MappedRecord]:
    context = MappingContext.for_source("http://127.0.0.1:8000/", "bench", "fr")
    return list(map_records(load_mapping("musee-csv"), rows(count), context))


def ours(records: list[MappedRecord], shapes: Path, vocab: Path, engine: str = "pyshacl",
         workers: int | None = 2) -> set[Key]:
    spec = EngineSpec(engine, shapes, vocab)
    return {_key(f) for _, report in validate_records(spec, records, 500, workers) for f in report.findings}


def baseline(records: list[MappedRecord], shapes: Path, vocab: Path) -> set[Key]:
    """One pySHACL call over every record and the vocabularies, pySHACL's defaults otherwise."""
    shapes_graph = load_shapes(shapes, vocab).shapes
    data = Graph()
    for record in records:
        for t in record.triples:
            data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    for path in sorted(vocab.rglob("*.ttl")):
        data.parse(path, format="turtle")
    _, results, _ = pyshacl_validate(data, shacl_graph=shapes_graph, allow_warnings=True, allow_infos=True)
    return {_key(f) for _, f in findings_in(results, owners_of(records))}


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _key(f) -> Key:  # type: ignore[no-untyped-def]
    return (f.local_id, f.rule, f.focus, f.path, f.value, f.severity.value)


def main() -> None:
    count = int(os.environ.get("CULTUREDATA_BENCH_RECORDS", "100000"))
    shapes, vocab = shape_dirs()
    started = time.perf_counter()
    records = mapped(count)
    triples = sum(len(r.triples) for r in records)
    print(f"{count:,} records, {triples:,} triples mapped in {time.perf_counter() - started:.1f} s; "
          f"shapes: {shapes.relative_to(ROOT) if shapes.is_relative_to(ROOT) else shapes}")

    started, cpu = time.perf_counter(), _cpu()
    found = ours(records, shapes, vocab)
    our_seconds, our_cpu = time.perf_counter() - started, _cpu() - cpu
    started, cpu = time.perf_counter(), _cpu()
    expected = baseline(records, shapes, vocab)
    base_seconds, base_cpu = time.perf_counter() - started, _cpu() - cpu

    compare("validate, records/s (batches, 2 workers)", "rec/s", count / our_seconds, count / base_seconds,
            "one pySHACL call", goal=2.0)
    compare("validate, triples/s (batches, 2 workers)", "tr/s", triples / our_seconds, triples / base_seconds,
            "one pySHACL call", goal=2.0)
    print(f"findings: ours {len(found):,}, baseline {len(expected):,}; wall: ours {our_seconds:.1f} s, "
          f"baseline {base_seconds:.1f} s; CPU (workers included): ours {our_cpu:.1f} s, baseline {base_cpu:.1f} s")
    # On a shared machine the wall ratio depends on the neighbours; the CPU figures do not.
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    assert found == expected, (
        f"findings differ: {len(found - expected)} only ours, {len(expected - found)} only the baseline's"
    )
    print("findings identical: yes")

    # The same batches with issue 9's engine (the default, `--engine fast`), as `culturedata validate`
    # runs it (in-process: its batches cost less than shipping them to workers), and through 2 workers.
    for workers, label in ((None, "in-process"), (2, "2 workers")):
        started = time.perf_counter()
        fast = ours(records, shapes, vocab, "fast", workers)
        fast_seconds = time.perf_counter() - started
        compare(f"validate, records/s (fast engine, {label})", "rec/s", count / fast_seconds, count / base_seconds,
                "one pySHACL call", goal=2.0)
        assert fast == expected, "the fast engine's findings differ from pySHACL's"
    print("fast engine findings identical: yes")


if __name__ == "__main__":
    main()

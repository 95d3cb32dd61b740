"""RDF ingest: the `rdf` kind's records from real RDF files, in triples a second, beside
pyoxigraph's own parse of the same files measured in the same run.

Inputs (../shared/data, see its README): Europeana's EDM records (RDF/XML, several with broken
IRIs that are repaired), CHIN's examples (JSON-LD with a remote context, and Turtle) and the
Artsdata-orion pages (expanded JSON-LD, a few MB). They are small, so each side reads the whole
set REPEAT times per round; rounds alternate between the two sides and the best round of each
is kept. Time is CPU time of this process (both sides run in its one thread), in triples per
CPU second: on a shared machine the wall clock measures the neighbours too.

- baselines: `pyoxigraph.parse(bytes, format, base_iri)`, every statement iterated, on the bytes
  already in memory, JSON-LD with its contexts already inlined (pyoxigraph alone cannot read a
  remote context): its default (strict) parse, which stops in seven EDM files, and its
  `lenient` parse, which stops in one and skips IRI checks, the faster of the two. In a file
  the parser stops in, the statements before the error count.
- ingest: `harvest()` of `rdf` sources over the same folders, as the nightly job runs it: files
  read, contexts inlined, IRIs checked and repaired, each record's N-Triples payload written and
  fingerprinted. Records are one per document (`auto`); the second figure splits the Artsdata
  pages into one record per subject tree (`records = "subject"`), the careful path.

Goal: ingest ≥ 0.5 of the baseline, in triples a second.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from culturedata.config import Source
from culturedata.harvest import Contexts, harvest, rdf_format

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CULTUREDATA_TEST_DATA") or ROOT.parent / "shared" / "data")
SETS = [("edm", "**/*.xml"), ("edm", "**/*.rdf"), ("chin", "**/*.json"), ("chin", "**/*.ttl"),
        ("artsdata-orion", "*.jsonld")]
REPEAT = int(os.environ.get("CULTUREDATA_BENCH_RDF_REPEAT", "5"))
ROUNDS = 5
GOAL = 0.5


def files(sets: list[tuple[str, str]]) -> list[Path]:
    return [p for folder, pattern in sets for p in sorted((SHARED / folder).glob(pattern)) if p.is_file()]


def baseline_inputs(paths: list[Path]) -> list[tuple[bytes, ox.RdfFormat, str]]:
    contexts = Contexts()
    inputs = []
    for path in paths:
        data = path.read_bytes()
        fmt = rdf_format(path.name, data[:8192])
        if fmt is None:
            continue
        if fmt == ox.RdfFormat.JSON_LD:
            data = contexts.inline(data, path.as_uri(), path.name)
        inputs.append((data, fmt, path.as_uri()))
    return inputs


def parse_all(inputs: list[tuple[bytes, ox.RdfFormat, str]], lenient: bool = True) -> int:
    count = 0
    for data, fmt, base in inputs:
        try:
            for _ in ox.parse(data, format=fmt, base_iri=base, lenient=lenient):
                count += 1
        except SyntaxError:  # a file the parser stops in: what came before counts
            pass
    return count


def ingest_all(sets: list[tuple[str, str]], **options: object) -> int:
    count = 0
    for folder, pattern in sets:
        source = Source(id="bench", name={"fr": "b", "en": "b"}, kind="rdf", mapping="sparql-graph",
                        path=SHARED / folder, options={"files": pattern, **options})
        for record in harvest(source):
            assert isinstance(record.payload, bytes)
            count += record.payload.count(b"\n")
    return count


def best(run: Callable[[], int]) -> tuple[int, float]:
    """Triples and CPU seconds of REPEAT passes (both sides run in this one thread: CPU time is
    what they cost, and it stays steady on a machine that other work keeps busy)."""
    started = time.process_time()
    triples = sum(run() for _ in range(REPEAT))
    return triples, time.process_time() - started


def compare(title: str, sides: dict[str, Callable[[], int]]) -> dict[str, float]:
    """Each side's best rate; the ratios of `ingest` to each baseline."""
    rates: dict[str, list[float]] = {name: [] for name in sides}
    counts: dict[str, int] = {}
    for _ in range(ROUNDS):
        for name, run in sides.items():
            triples, seconds = best(run)
            counts[name] = triples // REPEAT
            rates[name].append(triples / seconds)
    top = {name: max(values) for name, values in rates.items()}
    print(f"{title}")
    for name in sides:
        print(f"  {name:16} {counts[name]:>7} triples a pass   best {top[name]:>9,.0f} triples/CPU s"
              f"   median {statistics.median(rates[name]):>9,.0f}")
    ratios = {name: top["ingest"] / top[name] for name in sides if name != "ingest"}
    for name, ratio in ratios.items():
        verdict = "ok" if ratio >= GOAL else "below the goal"
        print(f"  ingest / {name}: {ratio:.2f} (goal >= {GOAL}: {verdict})")
    return ratios


def main() -> None:
    if not SHARED.is_dir():
        print(f"no third-party data at {SHARED}: nothing to measure (see ../shared/data/README.md)")
        return
    paths = files(SETS)
    inputs = baseline_inputs(paths)
    size = sum(len(data) for data, _, _ in inputs)
    print(f"{len(paths)} files, {size / 1e6:.1f} MB, read {REPEAT} times a round, best of {ROUNDS} rounds")
    compare("documents (records = auto): EDM, CHIN, Artsdata-orion", {
        "parse (default)": lambda: parse_all(inputs, lenient=False),
        "parse (lenient)": lambda: parse_all(inputs),
        "ingest": lambda: ingest_all(SETS),
    })
    pages = files([("artsdata-orion", "*.jsonld")])
    page_inputs = baseline_inputs(pages)
    compare("subject trees (records = subject): Artsdata-orion pages", {
        "parse (default)": lambda: parse_all(page_inputs, lenient=False),
        "ingest": lambda: ingest_all([("artsdata-orion", "*.jsonld")], records="subject"),
    })


if __name__ == "__main__":
    main()

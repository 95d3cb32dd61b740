"""The whole job: harvest → map → validate → load → publish, source by source.

Stages are called in this one place, in this order; no stage imports a later one. A record
with a violation is quarantined (kept out of the snapshot, listed in the report); a record
with only warnings is published. A source that fails is reported and the others go on.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from culturedata import __version__
from culturedata.config import Config, Source
from culturedata.errors import CultureDataError, UsageError
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.mapping.iris import graph_iri
from culturedata.mapping.language import Mapping
from culturedata.messages import both
from culturedata.records import Finding, MappedRecord, Severity
from culturedata.store import Loader, Snapshots
from culturedata.store.loader import DCTERMS
from culturedata.validate import RecordReport, Validator, load_shapes, validate_records
from culturedata.validate.fast import FastValidator

Progress = Callable[[str, int], None]


@dataclass
class SourceReport:
    source: str
    harvested: int = 0
    published: int = 0
    quarantined: int = 0
    removed: int = 0
    warnings: int = 0
    failed: bool = False
    error: str | None = None
    seconds: float = 0.0
    rules: Counter[str] = field(default_factory=Counter)
    quarantine: list[dict[str, str | None]] = field(default_factory=list)

    @property
    def quality(self) -> float:
        checked = self.published + self.quarantined
        return self.published / checked if checked else 1.0


@dataclass
class RunReport:
    snapshot: str | None
    version: str = __version__
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(s.failed for s in self.sources):
            return 3
        return 1 if any(s.quarantined for s in self.sources) else 0

    def to_json(self) -> str:
        data = asdict(self)
        for source, report in zip(data["sources"], self.sources, strict=True):
            # asdict rebuilds a Counter from its items, turning (rule, count) pairs into keys.
            source["rules"] = dict(report.rules.most_common())
            source["quality"] = round(report.quality, 4)
        return json.dumps(data, ensure_ascii=False, indent=2)


def prepare(config: Config, sources: list[Source]) -> dict[str, Mapping]:
    """Load every mapping before any record moves, so a bad definition stops the run at once."""
    return {source.id: load_mapping(source.mapping) for source in sources}


def run(config: Config, sources: list[Source], progress: Progress | None = None) -> RunReport:
    mappings = prepare(config, sources)
    validator = FastValidator(load_shapes())  # same findings as PyshaclValidator (tests/validate_fast)
    snapshots = Snapshots(config.store_path, keep=int(config.get("store.keep_snapshots")))
    staging = snapshots.begin()
    report = RunReport(snapshot=staging.id)
    try:
        for source in sources:
            assert staging.store is not None
            report.sources.append(
                _run_source(config, source, mappings[source.id], validator, staging.store, progress)
            )
        reports = config.store_path / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        (reports / f"run-{staging.id}.json").write_text(report.to_json(), encoding="utf-8")
        snapshots.publish(staging)
    except BaseException:
        snapshots.discard(staging)
        raise
    return report


def _run_source(
    config: Config,
    source: Source,
    mapping: Mapping,
    validator: Validator,
    store: ox.Store,
    progress: Progress | None,
) -> SourceReport:
    started = time.monotonic()
    report = SourceReport(source=source.id)
    loader = Loader(store, system_graph=f"{config.base_iri}graph/system", licence=source.licence)
    before = _graphs_of(store, loader.system_graph, source.id)
    seen: set[str] = set()
    context = MappingContext.for_source(config.base_iri, source.id, source.language)
    try:
        records = harvest(source, HarvestOptions())
        mapped = map_records(mapping, _count(records, report, progress, source.id), context)
        for record, checked in validate_records(validator, _unique(mapped, seen), config.get("validate.batch_size")):
            _keep(record, checked, loader, report)
    except UsageError:
        raise
    except CultureDataError as exc:
        report.failed, report.error = True, str(exc)
        report.seconds = time.monotonic() - started
        return report  # keep yesterday's graphs of a failed source untouched
    for graph in before - {graph_iri(config.base_iri, source.id, key) for key in seen}:
        loader.remove(graph)
        report.removed += 1
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _keep(record: MappedRecord, checked: RecordReport, loader: Loader, report: SourceReport) -> None:
    report.rules.update(f.rule for f in checked.findings)
    if checked.conforms:
        loader.add(record)
        report.published += 1
        report.warnings += any(f.severity is Severity.WARNING for f in checked.findings)
        return
    report.quarantined += 1
    loader.remove(record.graph)
    worst = [f for f in checked.findings if f.severity is Severity.VIOLATION]
    report.quarantine.append(
        {"record": record.local_id, "location": record.location, "rule": worst[0].rule, "message": worst[0].text("en")}
    )


def _count(records: Iterator, report: SourceReport, progress: Progress | None, source_id: str) -> Iterator:
    for record in records:
        report.harvested += 1
        if progress:
            progress(source_id, report.harvested)
        yield record


def _unique(records: Iterator[MappedRecord], seen: set[str]) -> Iterator[MappedRecord]:
    """A second record with an id already seen in this run is rejected, not merged."""
    for record in records:
        if record.local_id in seen:
            finding = Finding(
                stage="map", severity=Severity.VIOLATION, rule="duplicate-id",
                message=both("pipeline.duplicate_id", record=record.key), source_id=record.source_id,
                local_id=record.local_id, location=record.location,
            )
            yield MappedRecord(
                record.source_id, record.local_id, record.graph + "#duplicate", (), record.content_hash,
                record.origin, record.location, record.datestamp, False, (finding,),
            )
            continue
        seen.add(record.local_id)
        yield record


def _graphs_of(store: ox.Store, system_graph: str, source_id: str) -> set[str]:
    """The record graphs a source had before this run, from the system graph."""
    prefix = source_id + ":"
    quads = store.quads_for_pattern(None, ox.NamedNode(DCTERMS + "identifier"), None, ox.NamedNode(system_graph))
    return {q.subject.value for q in quads if q.object.value.startswith(prefix)}


def load_report(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))

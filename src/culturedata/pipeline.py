"""The whole job: harvest → [skip unchanged] → map → validate → load → publish.

Harvest → map → validate is `culturedata.checking`'s, as for `culturedata validate` and the
validation page; the pipeline plugs its triage (unchanged, withdrawn, deleted records) in before
mapping, and loads what comes out. No stage imports a later one. Sources
run in parallel threads (harvests wait on the network; pyoxigraph releases the GIL); all
writes go to one target through its lock. A record whose content hash did not change is
skipped before mapping. A record with a violation is quarantined (kept out of the snapshot,
listed in the report); a record with only warnings is published.

Per source, deletions (OAI-PMH deletions, and after a full harvest the records not seen any
more) are applied only at the end and only if the source did not fail and did not lose more
than `publish.max_drop` of its records; otherwise the source's graphs are put back as they
were in the published snapshot (the drop guard), and the report says so.

The harvesters' state (watermarks, checkpoints, HTTP validators) written during the run waits
in `var/state/pending/<run>/` and becomes the state the next run starts from only once the
snapshot is published (a remote store: once the run is written), for the sources that
published; so a run killed at any moment never makes a later one skip records.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from culturedata import __version__, iris, parallel
from culturedata.checking import DUPLICATE, SourceCheck, is_duplicate
from culturedata.config import Config, Source
from culturedata.errors import CultureDataError, StoreError, UsageError
from culturedata.harvest import KINDS, HarvestOptions, PendingState, harvest, is_file_record
from culturedata.mapping import (
    Identities,
    Mapping,
    Minted,
    PublishedIdentities,
    collision_finding,
    load_mapping,
)
from culturedata.messages import both
from culturedata.pooling import (
    PoolingReport,
    build_index,
    decisions_path,
    pool,
    read_decisions,
    remember_clusters,
)
from culturedata.providers import provider_description, provider_place
from culturedata.records import Finding, MappedRecord, Severity, SourceRecord, tuned
from culturedata.reference import write_references
from culturedata.stagetimes import RunTimes, StageTimes
from culturedata.store import (
    Batch,
    EmbeddedTarget,
    Endpoints,
    Loader,
    Provenance,
    RecordState,
    RunLock,
    RunReports,
    Snapshots,
    SourceFigures,
    SourceState,
    Takedown,
    Takedowns,
    Target,
    quarantine_reason,
    run_facts,
    source_quality,
    transaction,
)
from culturedata.validate import (
    DEFAULT_ENGINE,
    EngineSpec,
    Policy,
    QuarantineLog,
    RecordReport,
    Validator,
    configured_dirs,
    load_shapes,
    make_validator,
)

Progress = Callable[[str, int], None]
# A run report as its JSON file holds it (`RunReport.to_dict`), read back by later runs and `status`.
JsonReport = dict[str, Any]
Entry = dict[str, str | None]  # a line of a source report's quarantine list

# Kinds that send the whole source whenever they send anything (`Kind.whole`); the others harvest
# from their watermark, so a record not seen is a deletion only after a --full (or first) harvest.
WHOLE_KINDS = tuple(kind.name for kind in KINDS.values() if kind.whole)
LOADED = "Published"  # the loader's outcome of a record it published this run
OPTIMISE_AFTER = 0.05  # share of the records a run rewrote
COUNTS = (
    "harvested", "new", "changed", "unchanged", "deleted", "taken_down", "quarantined", "held", "published", "errors",
)


@dataclass
class SourceReport:
    source: str
    harvested: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    taken_down: int = 0
    quarantined: int = 0
    held: int = 0  # quarantined records whose previous version stays published
    published: int = 0  # the source's records in the snapshot after the run
    # The source's state after the run, untouched records included (`_finished`): its live
    # records (published, quarantined, held), those with a violation, and per rule those with
    # a finding of it (the open findings the dashboard shows).
    live: int = 0
    violating: int = 0
    open_rules: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    errors: int = 0
    full: bool = True
    failed: bool = False
    refused: bool = False  # the drop guard kept yesterday's data
    error: str | None = None
    seconds: float = 0.0
    rules: Counter[str] = field(default_factory=Counter)
    violated: Counter[str] = field(default_factory=Counter)  # rules of violations only
    quarantine: list[Entry] = field(default_factory=list)
    diff: dict[str, int] = field(default_factory=dict)
    # What the run found about the source as a whole (a mapping field no record has, two records
    # minting one IRI for different things): rule, severity, message (en and fr), record.
    findings: list[dict[str, str | None]] = field(default_factory=list)
    # CPU and wall seconds per stage (stagetimes.py): where the source's night went.
    timings: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def removed(self) -> int:
        return self.deleted

    @property
    def quality(self) -> float:
        """The share of the source's live records without a violation (docs/operations.md)."""
        return (self.live - self.violating) / self.live if self.live else 1.0

    @property
    def exit_code(self) -> int:
        if self.refused:
            return 4
        if self.failed:
            return 3
        return 1 if self.quarantined or self.errors else 0


@dataclass
class RunReport:
    snapshot: str | None
    version: str = __version__
    started: str = ""
    ended: str = ""
    store: str = ""
    previous: str | None = None
    sources: list[SourceReport] = field(default_factory=list)
    rebuilt_from: str | None = None  # the base IRI of the snapshot this run did not build on
    notes: list[dict[str, str]] = field(default_factory=list)  # what the run says of itself, in fr and en
    # The run's own stages (setup, pooling, index, report, publish) and the store's threads (stagetimes.py).
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    pooling: dict[str, Any] | None = None  # pooling's figures and review list (PoolingReport.to_dict)

    @property
    def exit_code(self) -> int:
        """0 all good, 1 data problems, 3 a source failed, 4 the drop guard refused a source."""
        return max((s.exit_code for s in self.sources), default=0)

    def to_dict(self) -> JsonReport:
        data = asdict(self)
        for source, report in zip(data["sources"], self.sources, strict=True):
            # asdict rebuilds a Counter from its items, turning (rule, count) pairs into keys.
            source["rules"] = dict(report.rules.most_common())
            source["quality"] = round(report.quality, 4)
            source["violated"] = dict(report.violated.most_common())
            source["most_violated"] = [rule for rule, _ in report.violated.most_common(5)]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


@dataclass
class RunOptions:
    full: bool = False
    allow_drop: tuple[str, ...] = ()  # sources whose loss the steward accepts this once
    store_url: str | None = None
    workers: int | None = None


def prepare(config: Config, sources: list[Source]) -> dict[str, Mapping]:
    """Load every mapping before any record moves, so a bad definition stops the run at once."""
    return {source.id: load_mapping(source.mapping) for source in sources}


def remote_endpoints(config: Config, url: str | None) -> Endpoints | None:
    url = url or config.settings.store.endpoint
    if not url:
        return None
    return Endpoints.guess(
        url, config.settings.store.update_endpoint, config.settings.store.graph_endpoint,
        config.settings.store.auth,
    )


def run(
    config: Config, sources: list[Source], progress: Progress | None = None, options: RunOptions | None = None
) -> RunReport:
    options = options or RunOptions()
    times = RunTimes()
    mappings = prepare(config, sources)
    for source in sources:
        provider_place(config, source)  # an unknown municipality stops the run before it starts
    if config.settings.pooling.enabled:
        read_decisions(decisions_path(config))  # a bad decisions file stops the run before it starts
    shapes = load_shapes(*configured_dirs(config))
    validator = _Serialised(make_validator(DEFAULT_ENGINE, shapes))
    fingerprints = {s.id: _fingerprint(config, mappings[s.id], shapes.files) for s in sources}
    takedowns = Takedowns(config.store_path / "takedowns.json").load()
    endpoints = remote_endpoints(config, options.store_url)
    started = datetime.now(UTC)
    with RunLock(config.store_path / "run.lock"):
        snapshots = Snapshots(config.store_path, keep=config.settings.store.keep_snapshots)
        catch_up = endpoints is None and snapshots.full_marker.exists()
        system = iris.system_graph(config.base_iri)
        # Served under another base IRI: copying it would keep every old graph beside the new ones.
        foreign = snapshots.foreign_system_graph(system) if endpoints is None else None
        if catch_up or foreign:
            options = replace(options, full=True)
        # A run's report waits to be named until its snapshot is published; a killed run's is
        # named if its snapshot got served, else dropped.
        reports = RunReports(config.store_path / "reports")
        served = snapshots.current() if endpoints is None else None
        reports.settle(lambda run_id: served is not None and served.name == run_id)
        # So do the harvesters' state writes of this run.
        pending = PendingState(state_dir(config), started.strftime("%Y%m%dT%H%M%S%fZ"))
        pending.begin()
        run_id: str | None = None
        try:
            with transaction(snapshots, endpoints, system, started, revertible=not foreign,
                             empty=bool(foreign)) as written:
                target = written.target
                run_id = written.id
                report = RunReport(
                    snapshot=written.id, started=started.isoformat(),
                    store=endpoints.query if endpoints else str(config.store_path),
                )
                if foreign:
                    report.rebuilt_from = foreign.removesuffix(system.removeprefix(config.base_iri))
                    report.notes.append(both("pipeline.rebuilt", previous=report.rebuilt_from, base=config.base_iri))
                job = _Job(config, target, iris.run(config.base_iri, written.id), started, validator, takedowns,
                           options, fingerprints, pending.run, progress)
                write_references(target, config.base_iri)  # the vocabularies the records point at
                workers = options.workers or config.settings.run.workers
                with times.waiting(), ThreadPoolExecutor(max_workers=max(1, workers),
                                                         thread_name_prefix="source") as pool:
                    report.sources = list(pool.map(lambda s: job.source(s, mappings[s.id]), sources))
                with times.stage("pooling"):
                    pooled = _pool(config, target, job.run_iri, report)
                if written.staging is not None and isinstance(target, EmbeddedTarget):
                    with times.stage("index"):
                        build_index(target.store, written.staging.path, config.base_iri)  # published with it
                with times.stage("report"):
                    previous = latest_report(config.store_path / "reports")
                    report.previous = previous.get("snapshot") if previous else None
                    _diff(report, previous)
                    ended = datetime.now(UTC)
                    report.ended = ended.isoformat()
                    target.apply(run_facts(target.system_graph, job.run_iri, started, ended, report.version,
                                           [_figures(s) for s in report.sources]))
                    reports.stage(written.id, report.to_json())
                written.optimize = _worth_optimising(report, len(job.known))
                times.publish_begins()  # leaving the block publishes
            times.published()
            report.timings = times.as_dict(s.timings for s in report.sources)
            reports.stage(written.id, report.to_json())  # again, with the publication's seconds
            reports.publish(written.id)
            # Published (or, remote, written to the end): only now may the harvesters' state
            # move past these records. A source kept as it was keeps its old state too.
            pending.promote(s.source for s in report.sources if not (s.failed or s.refused))
            if pooled is not None:
                remember_clusters(config, pooled)
            if catch_up:
                snapshots.full_marker.unlink(missing_ok=True)
        except OSError as exc:  # the report or the publication could not be written
            raise StoreError("store.unwritable", path=config.store_path, detail=exc.strerror or exc) from exc
        finally:
            pending.discard()
            if run_id is not None:
                reports.discard(run_id)  # published nothing (once published, there is nothing left to discard)
    return report


def _pool(config: Config, target: Target, run_iri: str, report: RunReport) -> PoolingReport | None:
    """Link the entities the sources share (pooling/), on the snapshot being built."""
    if not config.settings.pooling.enabled:
        return None
    if not isinstance(target, EmbeddedTarget):
        report.notes.append(both("pooling.remote"))
        return None
    pooled = pool(config, target.store, target.apply, target.system_graph, run_iri)
    report.pooling = pooled.to_dict()
    return pooled


def state_dir(config: Config) -> Path:
    """Where the harvesters keep their state between runs (`var/state` beside `var/store`)."""
    return config.store_path.parent / "state"


def _fingerprint(config: Config, mapping: Mapping, definitions: Sequence[Path]) -> str:
    """What a record's graph depends on besides its content: change any of it and every
    record of the source is mapped and validated again."""
    digest = hashlib.sha256(f"{__version__}|{config.base_iri}".encode())
    for path in (mapping.path, *definitions):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _worth_optimising(report: RunReport, known: int) -> bool:
    """Compacting a big snapshot costs seconds; after a night of few changes it buys nothing."""
    touched = sum(s.new + s.changed + s.deleted + s.taken_down for s in report.sources)
    return not known or touched > OPTIMISE_AFTER * known


class _Serialised:
    """Both engines lean on pySHACL, which is not known to be thread-safe; sources run in threads."""

    def __init__(self, validator: Validator) -> None:
        self.validator = validator
        self.lock = threading.Lock()

    def validate(self, records: Sequence[MappedRecord]) -> list[RecordReport]:
        with self.lock:
            return self.validator.validate(records)


@dataclass
class _Job:
    config: Config
    target: Target
    run_iri: str
    started: datetime
    validator: Validator
    takedowns: dict[str, Takedown]
    options: RunOptions
    fingerprints: dict[str, str]
    harvest_run: str | None = None  # whose pending state the harvesters write (PendingState)
    progress: Progress | None = None
    known: dict[str, RecordState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.known = self.target.records()

    def source(self, source: Source, mapping: Mapping) -> SourceReport:
        started = time.monotonic()
        report, clock = SourceReport(source=source.id), StageTimes("load")
        self.target.apply(provider_description(self.config, source))
        known = {g: s for g, s in self.known.items() if s.source == source.id}
        by_key = {s.key: s for s in known.values()}
        state = SourceState.read(self.target, iris.source_state(self.config.base_iri, source.id))
        # Never harvested into this snapshot: everything, ignoring the harvester's own state.
        full = self.options.full or state.watermark is None
        # After a failed or refused run the harvester's watermark may have moved on while the
        # snapshot kept yesterday's data: ask again for everything since the last publication.
        # Otherwise leave `since` to the harvester, which can then resume from its checkpoint.
        since = state.watermark if not full and state.outcome != "ok" else None
        prov = Provenance(
            self.target.system_graph, self.run_iri, source.id, source.licence,
            iris.institution(self.config.base_iri, source.id),
        )
        loader = Loader(self.target, prov, self.started, known, fingerprint=self.fingerprints[source.id])
        seen: set[str] = set()
        deletions: set[str] = set()
        harvest_started = datetime.now(UTC)
        policy, kept = Policy(source.quarantine), QuarantineLog(self.config.store_path, source.id)
        try:
            options = HarvestOptions(since=since, full=full, state_dir=state_dir(self.config), run=self.harvest_run)
            records = _count(harvest(source, options), report, self.progress, source.id)
            # What the triage says is let out in the order one process would (parallel.py reads ahead).
            said = parallel.Deferred(report.quarantine)
            check = SourceCheck(source, mapping, self.config.base_iri, self.validator,
                                self.config.settings.validate.batch_size, timed=clock.wrap,
                                between=lambda rows: self._triage(rows, source, report, loader, by_key, seen, deletions,
                                                                  said))
            keep_previous = self.config.settings.publish.keep_previous
            processes = parallel.Processes(self.config.settings.run.processes,
                                           EngineSpec(DEFAULT_ENGINE, *configured_dirs(self.config)))
            for record, record_report in parallel.checked(check, records, processes, clock, said):
                _keep(record, record_report, loader, report, policy, kept, keep_previous)
            _collided(self.config.base_iri, source, check.identities, loader, report, policy, kept)
            minted = PublishedIdentities(state_dir(self.config) / "identities" / f"{source.id}.json")
            _against_published(self.config.base_iri, source, check.identities, minted, loader, report, policy, kept,
                               by_key)
            # An incremental JSON/XML run maps a few records: a field they lack may be in the others.
            whole = mapping.format == "csv" or not report.unchanged
            _source_findings(report, source, [*check.findings(whole), *check.identities.findings(source.id)])
            loader.flush()
        except (UsageError, StoreError):
            kept.discard()
            raise  # a bad definition or a full disk stops the whole run, not one source
        except (CultureDataError, OSError, ValueError) as exc:
            kept.discard()
            report.failed, report.error, report.errors = True, str(exc), report.errors + 1
            self._keep_yesterday(loader, report)
            self.target.apply(state.kept(self.target.system_graph, "failed"))
            return _finished(report, self.target, started, clock)
        report.full = full or (source.kind in WHOLE_KINDS and (source.path is not None or report.harvested > 0))
        if report.full:
            deletions |= {s.key for s in known.values() if s.live} - seen
        if self._guard_trips(source, report, known, deletions):
            self._keep_yesterday(loader, report)
            kept.discard()
            self.target.apply(state.kept(self.target.system_graph, "refused"))
        else:
            for key in deletions:
                state_of = by_key.get(key)
                if state_of is not None and state_of.live:
                    loader.remove(state_of.graph, key)
                    report.deleted += 1
            loader.flush()
            kept.commit(gone={key.split(":", 1)[1] for key in deletions})
            _remember_minted(self.config.base_iri, source.id, minted, check.identities, loader, deletions)
            self.target.apply(state.published(self.target.system_graph, harvest_started, report.full, report.harvested))
        report.published, report.held = loader.published(), loader.held()
        return _finished(report, self.target, started, clock)

    def _triage(
        self, records: Iterator[SourceRecord], source: Source, report: SourceReport, loader: Loader,
        by_key: dict[str, RecordState], seen: set[str], deletions: set[str], said: parallel.Deferred[Entry],
    ) -> Iterator[SourceRecord]:
        """What needs mapping: not a duplicate, not withdrawn, not deleted, not unchanged."""
        for record in records:
            if is_duplicate(record):
                _duplicate(record, report, said)
                continue
            seen.add(record.key)
            before = by_key.get(record.key)
            if record.key in self.takedowns:
                graph = before.graph if before else iris.record_graph(self.config.base_iri, source.id, record.local_id)
                if before is None or not before.taken_down:
                    loader.take_down(graph, record.key, self.takedowns[record.key].reason)
                report.taken_down += 1
                continue
            if record.deleted:
                deletions.add(record.key)
                continue
            if before is not None and before.live and loader.unchanged(before, record.content_hash):
                report.unchanged += 1
                if before.quarantined:
                    self._still_quarantined(record, before, report, said)
                continue
            if before is not None and before.live:
                report.changed += 1
            else:
                report.new += 1
            yield record

    def _still_quarantined(self, record: SourceRecord, before: RecordState, report: SourceReport,
                           said: parallel.Deferred[Entry]) -> None:
        """An unchanged record stays out; the morning report still lists it, with the reason
        stored when it was checked."""
        reason = quarantine_reason(self.target, before.graph)
        report.quarantined += 1
        said.append({
            "record": record.local_id, "location": record.location, "rule": reason.rule,
            "message": reason.message, "unchanged": "yes",
            **({"previous_kept": "yes"} if before.held else {}),
        })

    def _guard_trips(self, source: Source, report: SourceReport, known: dict[str, RecordState],
                     deletions: set[str]) -> bool:
        had = sum(1 for s in known.values() if s.published)
        lost = sum(1 for s in known.values() if s.published and s.key in deletions)
        limit = self.config.settings.publish.max_drop
        if not had or lost / had <= limit or source.id in self.options.allow_drop:
            return False
        report.refused = True
        report.error = both("pipeline.drop_guard", source=source.id, lost=lost, had=had,
                            share=f"{lost / had:.0%}", limit=f"{limit:.0%}")["en"]
        report.deleted = 0
        return True

    def _keep_yesterday(self, loader: Loader, report: SourceReport) -> None:
        loader.batch = Batch()  # what was not written yet is simply dropped
        if not self.target.revert(loader.outcome):
            report.error = (report.error or "") + " " + both("pipeline.partial_remote")["en"]
        else:
            loader.outcome = {}
        report.published, report.held = loader.published(), loader.held()


def _keep(
    record: MappedRecord, checked: RecordReport, loader: Loader, report: SourceReport,
    policy: Policy = Policy.VIOLATION, kept: QuarantineLog | None = None, keep_previous: bool = False,
) -> None:
    """Publish a record, or quarantine it as the source's policy says (validate/quarantine.py)."""
    report.rules.update(f.rule for f in checked.findings)
    report.violated.update(f.rule for f in checked.findings if f.severity is Severity.VIOLATION)
    quarantined = policy.quarantines(checked)
    if kept is not None:
        kept.add(record, checked, quarantined)
    if not quarantined:
        loader.add(record, checked.findings)
        report.warnings += any(f.severity is Severity.WARNING for f in checked.findings)
        return
    report.quarantined += 1
    worst = sorted(checked.findings, key=lambda f: -f.severity.rank)
    held = loader.quarantine(record, worst[0].rule, worst[0].message, keep_previous, checked.findings)
    entry: dict[str, str | None] = {
        "record": record.local_id, "location": record.location, "rule": worst[0].rule, "message": worst[0].text("en"),
    }
    if held:
        entry["previous_kept"] = "yes"
    report.quarantine.append(entry)


def _finished(report: SourceReport, target: Target, started: float, clock: StageTimes) -> SourceReport:
    """The source's report, whether it published or failed: its quality and open findings over
    what the source has once the run is written (records the run did not touch included, so that
    a run which fixed nothing reports what the last did), and where its time went."""
    live = source_quality(target, report.source)
    report.live, report.violating, report.open_rules = live.live, live.violating, live.rules
    report.timings = clock.as_dict()  # first: the stages' wall never exceeds the source's seconds
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _collided(
    base: str, source: Source, identities: Identities, loader: Loader, report: SourceReport, policy: Policy,
    kept: QuarantineLog,
) -> None:
    """The first record of each identity collision was handed on before the second was read:
    it is quarantined now too (when its finding, as the source tunes it, quarantines), so that
    neither of two records claiming one IRI is published as the other. Checked in one batch,
    the first was quarantined already by a shape the merged node broke: its entry then names
    the collision, the cause. The first's hash is not kept, so the next run maps it again."""
    for collision, finding in zip(identities.collisions, identities.first_findings(), strict=True):
        checked = RecordReport(source.id, finding.local_id, tuned((finding,), source.severities),
                               collision.first_location)
        if not (checked.findings and policy.quarantines(checked)):
            continue
        graph = iris.record_graph(base, source.id, finding.local_id)
        if loader.outcome.get(graph) == LOADED:
            loader.flush()  # its triples may wait in the batch, which drops graphs before it adds
            first = MappedRecord(source.id, finding.local_id, graph, (), content_hash="", location=checked.location)
            _keep(first, checked, loader, report, policy, kept)
            continue
        for entry in report.quarantine:
            if entry["record"] == finding.local_id and "unchanged" not in entry:
                entry.update(rule=finding.rule, message=finding.text("en"))


def _against_published(
    base: str, source: Source, identities: Identities, minted: PublishedIdentities, loader: Loader,
    report: SourceReport, policy: Policy, kept: QuarantineLog, by_key: dict[str, RecordState],
) -> None:
    """An incremental run maps only what changed: a record it mapped that mints the IRI an
    unchanged, published record of the source minted for something else collides with it
    (identities.py). Both were handed on already, so both are quarantined now, as the source
    tunes the finding; neither keeps its hash, so the next run maps both again."""
    def still(key: str, before: Minted) -> bool:
        state = by_key.get(key)
        return state is not None and state.published and loader.outcome.get(state.graph) is None \
            and loader.unchanged(state, before.content_hash)

    for collision in identities.against(minted, still):
        pair = ((collision.second, collision.second_location, collision.first, collision.first_location, True),
                (collision.first, collision.first_location, collision.second, collision.second_location, False))
        for key, location, other, other_location, other_published in pair:
            finding = collision_finding(key, location, collision.iri, other, other_location, other_published)
            checked = RecordReport(source.id, finding.local_id, tuned((finding,), source.severities), location)
            if not (checked.findings and policy.quarantines(checked)):
                continue
            state = by_key.get(key)
            graph = state.graph if state is not None else iris.record_graph(base, source.id, finding.local_id)
            if loader.outcome.get(graph) not in (None, LOADED):
                continue  # quarantined already, for a reason of its own
            loader.flush()  # its triples may wait in the batch, which drops graphs before it adds
            _keep(MappedRecord(source.id, finding.local_id, graph, (), content_hash="", location=location), checked,
                  loader, report, policy, kept)


def _remember_minted(
    base: str, source_id: str, minted: PublishedIdentities, identities: Identities, loader: Loader,
    deletions: set[str],
) -> None:
    """What the records mapped this run minted, for the next run's `_against_published`: kept for
    those now published, forgotten for the others, the deleted, and the published records a
    collision took out."""
    published: dict[str, Minted] = {}
    gone = set(deletions) | {c.first for c in identities.published}
    for key in identities.minted:
        if loader.outcome.get(iris.record_graph(base, source_id, key.partition(":")[2])) == LOADED:
            published[key] = identities.entry(key)
        else:
            gone.add(key)
    for collision in identities.published:  # one tuned to a warning stays published
        if loader.outcome.get(iris.record_graph(base, source_id, collision.first.partition(":")[2])) is None:
            gone.discard(collision.first)
    minted.update(published, gone - published.keys())


def _source_findings(report: SourceReport, source: Source, findings: list[Finding]) -> None:
    """Findings about the source as a whole, into its report; a violation among them is a data
    problem of the run (exit code 1)."""
    for finding in tuned(tuple(findings), source.severities):
        report.rules.update([finding.rule])
        if finding.severity is Severity.VIOLATION:
            report.violated.update([finding.rule])
            report.errors += 1
        report.findings.append({
            "rule": finding.rule, "severity": finding.severity.value, "record": finding.local_id or None,
            "message": finding.text("en"), "message_fr": finding.text("fr"),
        })


def _duplicate(record: SourceRecord, report: SourceReport, said: parallel.Deferred[Entry]) -> None:
    """A second record with an id already seen in this run (`checking` marks it) is rejected,
    not merged: the first keeps the graph."""
    finding = next(f for f in record.findings if f.rule == DUPLICATE)
    report.quarantined += 1
    report.rules.update([finding.rule])
    said.append(
        {"record": record.local_id, "location": record.location, "rule": finding.rule, "message": finding.text("en")}
    )


def _count(records: Iterator[SourceRecord], report: SourceReport, progress: Progress | None,
           source_id: str) -> Iterator[SourceRecord]:
    for record in records:
        if is_file_record(record):  # about the file, not a record
            yield record
            continue
        report.harvested += 1
        if progress:
            progress(source_id, report.harvested)
        yield record


def _figures(source: SourceReport) -> SourceFigures:
    """A source's line of the run as the system graph keeps it."""
    outcome = "refused" if source.refused else "failed" if source.failed else "ok"
    return SourceFigures(source.source, {name: getattr(source, name) for name in COUNTS}, outcome, source.seconds)


def _diff(report: RunReport, previous: JsonReport | None) -> None:
    before = {s["source"]: s for s in (previous or {}).get("sources", [])}
    for source in report.sources:
        old = before.get(source.source)
        if old is not None:
            source.diff = {name: getattr(source, name) - int(old.get(name, 0)) for name in ("published", "quarantined")}


def latest_report(folder: Path) -> JsonReport | None:
    """The newest published run's report (`store/reports.py`: no other is named `run-*.json`)."""
    reports = sorted(folder.glob("run-*.json")) if folder.is_dir() else []
    return load_report(reports[-1]) if reports else None


def load_report(path: Path) -> JsonReport:
    report: JsonReport = json.loads(path.read_text(encoding="utf-8"))
    return report


def take_down(config: Config, key: str, reason: str, store_url: str | None = None) -> str:
    """Add `key` ("source:local id") to the takedown list and withdraw it now: a new snapshot
    without its graph, with a tombstone saying why. Returns the record's graph IRI."""
    source_id, _, local_id = key.partition(":")
    config.source(source_id)  # an unknown source is a usage error, before anything is written
    if not local_id:
        raise UsageError("pipeline.bad_key", key=key)
    Takedowns(config.store_path / "takedowns.json").add(key, reason)
    lock = RunLock(config.store_path / "run.lock")
    try:
        lock.acquire()
    except StoreError as exc:
        if exc.code == "store.locked":  # listed already: the next run withdraws it
            raise StoreError("pipeline.takedown_deferred", key=key) from exc
        raise
    try:
        return _withdraw(config, key, reason, store_url)
    finally:
        lock.release()


def _withdraw(config: Config, key: str, reason: str, store_url: str | None) -> str:
    source_id, _, local_id = key.partition(":")
    now = datetime.now(UTC)
    snapshots = Snapshots(config.store_path, keep=config.settings.store.keep_snapshots)
    endpoints = remote_endpoints(config, store_url)
    with transaction(snapshots, endpoints, iris.system_graph(config.base_iri), now) as written:
        target = written.target
        known = {s.key: s for s in target.records().values()}
        graph = known[key].graph if key in known else iris.record_graph(config.base_iri, source_id, local_id)
        prov = Provenance(target.system_graph, iris.run(config.base_iri, written.id), source_id)
        loader = Loader(target, prov, now, {s.graph: s for s in known.values()})
        loader.take_down(graph, key, reason)
        loader.flush()
        if written.staging is not None and isinstance(target, EmbeddedTarget):
            build_index(target.store, written.staging.path, config.base_iri)  # so the record is not found either
    return graph


def lift_takedown(config: Config, key: str) -> bool:
    """Take `key` off the list; the next run publishes it again if its source still sends it."""
    return Takedowns(config.store_path / "takedowns.json").remove(key)

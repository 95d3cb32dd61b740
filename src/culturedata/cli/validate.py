"""`culturedata validate INPUT`: check an export and say, per record and field, what to fix."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.inputs import id_names, resolve_inputs
from culturedata.cli.map import after_mapping, base_iri, before_mapping
from culturedata.cli.state import State, state
from culturedata.config import Config, Settings, Source
from culturedata.errors import ConfigError, InputError
from culturedata.harvest import KINDS, Contexts, harvest, is_file_record, with_column_findings
from culturedata.mapping import (
    Coverage,
    Identities,
    Mapping,
    MappingContext,
    columns_read,
    load_mapping,
    map_record,
)
from culturedata.messages import LANGUAGES, both, current_lang, t
from culturedata.records import Finding, MappedRecord, Severity, SourceRecord, tuned
from culturedata.validate import (
    DEFAULT_ENGINE,
    ENGINES,
    EngineSpec,
    RecordReport,
    configured_dirs,
    located,
    rdf_files,
    read_rdf,
    render_csv,
    render_html,
    render_json,
    render_text,
    render_turtle,
    validate_records,
)

FAIL_ON = {"violation": Severity.VIOLATION, "warning": Severity.WARNING, "never": None}
FORMATS = ("text", "json", "csv", "ttl", "html")


@click.command("validate", cls=I18nCommand, help="cli.validate.help")
@click.argument("input_name", metavar="INPUT")
@option("--mapping", help="cli.opt.mapping")
@option("--rdf", is_flag=True, help="validate.opt.rdf")
@option("--shapes", type=click.Path(exists=True, file_okay=False, path_type=Path), help="cli.opt.shapes")
@option("--vocabularies", type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="validate.opt.vocabularies")
@option("--format", "fmt", type=click.Choice(FORMATS), default="text", help="cli.opt.report_format")
@option("--fail-on", type=click.Choice(list(FAIL_ON)), default="violation", help="cli.opt.fail_on")
@option("--all", "show_all", is_flag=True, help="cli.opt.all")
@option("--engine", type=click.Choice(sorted(ENGINES)), default=DEFAULT_ENGINE, help="validate.opt.engine")
@option("--workers", type=click.IntRange(min=1), help="validate.opt.workers")
@option("--out", type=click.Path(dir_okay=False, path_type=Path), help="validate.opt.out")
@click.pass_context
def validate_command(
    ctx: click.Context, input_name: str, mapping: str | None, rdf: bool, shapes: Path | None,
    vocabularies: Path | None, fmt: str, fail_on: str, show_all: bool, engine: str, workers: int | None,
    out: Path | None,
) -> None:
    current = state()
    watched: list[_Watch] = []
    records = _rdf_records(current, input_name) if rdf else _mapped_records(current, input_name, mapping, watched)
    if current.has_config():
        configured_shapes, configured_vocabularies = configured_dirs(current.config())
        shapes, vocabularies = shapes or configured_shapes, vocabularies or configured_vocabularies
    spec = EngineSpec(engine, shapes, vocabularies)
    batch_size = current.config().settings.validate.batch_size if current.has_config() else Settings().validate.batch_size
    reports = _after(watched, [r for _, r in validate_records(spec, records, batch_size, workers)])
    if not reports:
        raise InputError("validate.no_records", input=input_name)
    if not rdf and len(reports) > 1 and all(any(f.rule == "unmappable" for f in r.findings) for r in reports):
        raise InputError("validate.wrong_mapping_records", input=input_name, mapping=mapping or "-")
    _emit(_render(reports, fmt, show_all, input_name), out)
    threshold = FAIL_ON[fail_on]
    said = RecordReport("", "", tuple(f for watch in watched for f in watch.said))  # about whole sources
    ctx.exit(1 if said.fails(threshold) or any(r.fails(threshold) for r in reports) else 0)


@dataclass
class _Watch:
    """What the mapping of one source found about the source as a whole (coverage.py, identities.py)."""

    source: Source
    coverage: Coverage
    identities: Identities = field(default_factory=Identities)
    said: list[Finding] = field(default_factory=list)  # on stderr, about the source as a whole

    def say(self, finding: Finding) -> None:
        self.said.append(finding)
        lang = current_lang()
        click.echo(f"{finding.severity.value.upper()} [{finding.path or finding.rule}] {finding.text(lang)}", err=True)


def _mapped_records(
    current: State, input_name: str, mapping: str | None, watched: list[_Watch]
) -> Iterator[MappedRecord]:
    sources = [_as_configured(current, source) for source in resolve_inputs(current, input_name, mapping)]
    compiled = {source.mapping: load_mapping(source.mapping) for source in sources}
    for source in sources:
        _check_kind(source, compiled[source.mapping].format)
    base = base_iri(current.config() if current.has_config() else None)
    return _chained(sources, compiled, base, watched)


def _as_configured(current: State, source: Source) -> Source:
    """The file a configured source reads, given by its path, is read as `run` reads it: with
    that source's options (a JSON export's `record_path`, a CSV's `encoding`…), under the
    mapping asked for. Any other file keeps the options of its kind and its mapping alone."""
    if source.path is None or not current.has_config():
        return source
    for configured in current.config().sources:
        if configured.path is not None and configured.path == source.path and configured.kind == source.kind:
            return replace(configured, mapping=source.mapping)
    return source


def _chained(
    sources: list[Source], compiled: dict[str, Mapping], base: str, watched: list[_Watch]
) -> Iterator[MappedRecord]:
    for source in sources:
        context = MappingContext.for_source(base, source.id, source.language, source.timezone)
        watch = _Watch(source, Coverage(compiled[source.mapping]))
        watched.append(watch)
        seen: dict[str, str | None] = {}
        records = _checked_columns(source, compiled[source.mapping], harvest(source))
        for record in before_mapping(watch.coverage, records, source.severities, watch.say):
            if is_file_record(record):  # the file's own problems: nothing to map
                yield _without_triples(record, *record.findings)
                continue
            if record.local_id in seen:
                yield _duplicate(record, seen[record.local_id])
                continue
            seen[record.local_id] = record.location
            yield _map_one(compiled[source.mapping], record, context, watch)


def _after(watched: list[_Watch], reports: list[RecordReport]) -> list[RecordReport]:
    """The reports with each source's tuned severities, and what only the whole run shows:
    the first record of an identity collision gets its finding too; mapping fields no record
    had are said on stderr (a CSV's were said before the records)."""
    by_key = {report.key: index for index, report in enumerate(reports)}
    for watch in watched:
        severities = watch.source.severities
        for finding in tuned(tuple(watch.identities.first_findings()), severities):
            index = by_key.get(f"{finding.source_id}:{finding.local_id}")
            if index is not None:
                reports[index] = replace(reports[index], findings=(*reports[index].findings, finding))
        for finding in after_mapping(watch.coverage, Identities(), watch.source.id, severities):
            watch.say(finding)
    tuning = {watch.source.id: watch.source.severities for watch in watched if watch.source.severities}
    return [replace(r, findings=tuned(r.findings, tuning[r.source_id])) if r.source_id in tuning else r
            for r in reports]


def _checked_columns(source: Source, mapping: Mapping, records: Iterator[SourceRecord]) -> Iterator[SourceRecord]:
    """Each table's header against the columns the mapping reads, said once before its rows
    (harvest's `with_column_findings`); a table none of whose columns the mapping reads is
    another export than the mapping's."""
    expected = columns_read(mapping)
    wanted = expected - {mapping.fields.get(name, name) for name in id_names(mapping.id_field)}
    checked = with_column_findings(records, expected)
    for record in checked:
        if not is_file_record(record):
            if isinstance(record.payload, dict) and wanted and not wanted & set(record.payload):
                raise InputError("validate.wrong_columns", path=source.location, mapping=source.mapping,
                                 expected=", ".join(sorted(wanted)), found=", ".join(sorted(record.payload)))
            yield record
            break
        yield record
    yield from checked


def _duplicate(record: SourceRecord, first: str | None) -> MappedRecord:
    """A second record with an id already used: the pipeline would reject it, so say so now."""
    return _without_triples(record, Finding(
        stage="map", severity=Severity.VIOLATION, rule="duplicate-id",
        message={lang: t("validate.duplicate_id", lang, record=record.local_id, first=located(first, lang) or "-")
                 for lang in LANGUAGES},
        source_id=record.source_id, local_id=record.local_id, location=record.location,
    ))


def _without_triples(record: SourceRecord, *findings: Finding) -> MappedRecord:
    return MappedRecord(record.source_id, record.local_id, "", (), record.content_hash, record.origin,
                        record.location, record.datestamp, False, findings)


def _map_one(mapping: Mapping, record: SourceRecord, context: MappingContext, watch: _Watch) -> MappedRecord:
    """The mapped record, or an 'unmappable' finding when the mapper fails on this one record
    (a value that makes an invalid IRI…): one bad row must not hide the rest of the report."""
    try:
        return map_record(mapping, record, context, coverage=watch.coverage, identities=watch.identities)
    except (ValueError, TypeError, LookupError) as exc:
        return _without_triples(record, Finding(
            stage="map", severity=Severity.VIOLATION, rule="unmappable",
            message=both("validate.unmappable", record=record.key, detail=exc), source_id=record.source_id,
            local_id=record.local_id, location=record.location,
        ))


def _check_kind(source: Source, mapping_format: str) -> None:
    """A file the mapping cannot read is the wrong input (a network source's mismatch shows as
    unmappable records instead: the message speaks of files)."""
    kind = KINDS.get(source.kind)
    if kind is not None and kind.suffixes and kind.mapping_formats and mapping_format not in kind.mapping_formats:
        raise InputError("validate.wrong_mapping", path=source.location, mapping=source.mapping,
                         expected=mapping_format, actual=source.kind)


def _contexts_folder(config: Config, folder: str) -> Path:
    """`[validate] contexts`, relative to culturedata.toml; one that does not exist names the key."""
    path = config.root / folder
    if not path.is_dir():
        raise ConfigError("config.bad_value", path=config.path, key="validate.contexts",
                          problem=t("config.problem.missing_path", value=folder))
    return path


def _rdf_records(current: State, input_name: str) -> Iterator[MappedRecord]:
    """The files as RDF, their JSON-LD contexts from the shipped cache and `[validate] contexts`."""
    files = rdf_files(Path(input_name))
    folder = current.config().settings.validate.contexts if current.has_config() else ""
    contexts = Contexts([_contexts_folder(current.config(), folder)] if folder else [])

    def records() -> Iterator[MappedRecord]:
        for path in files:
            yield from read_rdf(path, contexts=contexts)

    return records()


def _render(reports: list[RecordReport], fmt: str, show_all: bool, title: str) -> str:
    lang = current_lang()
    if fmt == "json":
        return render_json(reports)
    if fmt == "csv":
        return render_csv(reports, lang)
    if fmt == "ttl":
        return render_turtle(reports)
    if fmt == "html":
        return render_html(reports, lang, title)
    return render_text(reports, lang, None if show_all else 3)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError("validate.cannot_write", path=out, detail=exc.strerror or exc) from exc

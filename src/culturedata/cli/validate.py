"""`culturedata validate INPUT`: check an export and say, per record and field, what to fix."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.inputs import resolve_inputs
from culturedata.cli.map import base_iri
from culturedata.cli.state import State, state
from culturedata.config import Settings, Source
from culturedata.errors import InputError
from culturedata.harvest import KINDS, Contexts, harvest
from culturedata.mapping import Mapping, MappingContext, load_mapping, map_record
from culturedata.messages import LANGUAGES, both, current_lang, t
from culturedata.records import Finding, MappedRecord, Severity, SourceRecord
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

_PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|[a-z]+)?\}")
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
    records = _rdf_records(current, input_name) if rdf else _mapped_records(current, input_name, mapping)
    if current.has_config():
        configured_shapes, configured_vocabularies = configured_dirs(current.config())
        shapes, vocabularies = shapes or configured_shapes, vocabularies or configured_vocabularies
    spec = EngineSpec(engine, shapes, vocabularies)
    batch_size = current.config().settings.validate.batch_size if current.has_config() else Settings().validate.batch_size
    reports = [r for _, r in validate_records(spec, records, batch_size, workers)]
    if not reports:
        raise InputError("validate.no_records", input=input_name)
    if not rdf and len(reports) > 1 and all(any(f.rule == "unmappable" for f in r.findings) for r in reports):
        raise InputError("validate.wrong_mapping_records", input=input_name, mapping=mapping or "-")
    _emit(_render(reports, fmt, show_all, input_name), out)
    threshold = FAIL_ON[fail_on]
    ctx.exit(1 if any(r.fails(threshold) for r in reports) else 0)


def _mapped_records(current: State, input_name: str, mapping: str | None) -> Iterator[MappedRecord]:
    sources = resolve_inputs(current, input_name, mapping)
    compiled = {source.mapping: load_mapping(source.mapping) for source in sources}
    for source in sources:
        _check_kind(source, compiled[source.mapping].format)
    base = base_iri(current.config() if current.has_config() else None)
    return _chained(sources, compiled, base)


def _chained(sources: list[Source], compiled: dict[str, Mapping], base: str) -> Iterator[MappedRecord]:
    for source in sources:
        context = MappingContext.for_source(base, source.id, source.language, source.timezone)
        seen: dict[str, str | None] = {}
        for record in _checked_columns(source, compiled[source.mapping], harvest(source)):
            if record.local_id in seen:
                yield _duplicate(record, seen[record.local_id])
                continue
            seen[record.local_id] = record.location
            yield _map_one(compiled[source.mapping], record, context)


def _checked_columns(source: Source, mapping: Mapping, records: Iterator[SourceRecord]) -> Iterator[SourceRecord]:
    """A table none of whose columns the mapping reads is another export than the mapping's."""
    first = next(records, None)
    if first is None:
        return
    wanted = columns_read(mapping) - {mapping.fields.get(mapping.id_field, mapping.id_field)}
    if isinstance(first.payload, dict) and wanted and not wanted & set(first.payload):
        raise InputError("validate.wrong_columns", path=source.location, mapping=source.mapping,
                         expected=", ".join(sorted(wanted)), found=", ".join(sorted(first.payload)))
    yield first
    yield from records


def columns_read(mapping: Mapping) -> set[str]:
    """The columns a tabular mapping may read: names in its field values and templates.

    Over-inclusive on purpose (any word of a field expression counts): it only decides that a
    table with none of them is the wrong export. An unexpected mapping shape skips the check."""
    try:
        texts = [str(entity.iri) for entity in mapping.entities]
        names: set[str] = set()
        for entity in mapping.entities:
            for _, spec in entity.properties:
                if spec.source == "field":
                    names.update(re.findall(r"[\w.-]+", spec.text))
                elif spec.source in ("template", "iri"):
                    texts.append(spec.text)
        names.update(m.group(1) for text in texts for m in _PLACEHOLDER.finditer(text))
    except (AttributeError, TypeError):
        return set()
    names -= {"base", "source", "institution"} | {e.name for e in mapping.entities}
    return {mapping.fields.get(name, name) for name in names}


def _duplicate(record: SourceRecord, first: str | None) -> MappedRecord:
    """A second record with an id already used: the pipeline would reject it, so say so now."""
    return _without_triples(record, Finding(
        stage="map", severity=Severity.VIOLATION, rule="duplicate-id",
        message={lang: t("validate.duplicate_id", lang, record=record.local_id, first=located(first, lang) or "-")
                 for lang in LANGUAGES},
        source_id=record.source_id, local_id=record.local_id, location=record.location,
    ))


def _without_triples(record: SourceRecord, finding: Finding) -> MappedRecord:
    return MappedRecord(record.source_id, record.local_id, "", (), record.content_hash, record.origin,
                        record.location, record.datestamp, False, (finding,))


def _map_one(mapping: Mapping, record: SourceRecord, context: MappingContext) -> MappedRecord:
    """The mapped record, or an 'unmappable' finding when the mapper fails on this one record
    (a value that makes an invalid IRI…): one bad row must not hide the rest of the report."""
    try:
        return map_record(mapping, record, context)
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


def _rdf_records(current: State, input_name: str) -> Iterator[MappedRecord]:
    """The files as RDF, their JSON-LD contexts from the shipped cache and `[validate] contexts`."""
    files = rdf_files(Path(input_name))
    folder = current.config().settings.validate.contexts if current.has_config() else ""
    contexts = Contexts([current.config().root / folder] if folder else [])

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

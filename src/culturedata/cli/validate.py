"""`culturedata validate INPUT`: check an export and say, per record and field, what to fix."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import click

from culturedata.checking import check_export
from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.inputs import resolve_inputs
from culturedata.cli.map import base_iri
from culturedata.cli.state import State, state
from culturedata.config import Settings, Source
from culturedata.errors import InputError
from culturedata.harvest import Contexts, contexts_folder
from culturedata.mapping import load_mapping
from culturedata.messages import current_lang
from culturedata.records import MappedRecord, Severity
from culturedata.validate import (
    DEFAULT_ENGINE,
    ENGINES,
    FORMATS,
    EngineSpec,
    ExportReport,
    configured_dirs,
    rdf_files,
    read_rdf,
    render_chunks,
    validate_records,
)

FAIL_ON = {"violation": Severity.VIOLATION, "warning": Severity.WARNING, "never": None}


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
    if current.has_config():
        configured_shapes, configured_vocabularies = configured_dirs(current.config())
        shapes, vocabularies = shapes or configured_shapes, vocabularies or configured_vocabularies
    spec = EngineSpec(engine, shapes, vocabularies)
    batch_size = current.config().settings.validate.batch_size if current.has_config() else Settings().validate.batch_size
    if rdf:
        checked = [r for _, r in validate_records(spec, _rdf_records(current, input_name), batch_size, workers)]
        if not checked:
            raise InputError("validate.no_records", input=input_name)
        report = ExportReport(tuple(checked))
    else:
        sources = [_as_configured(current, source) for source in resolve_inputs(current, input_name, mapping)]
        compiled = {source.mapping: load_mapping(source.mapping) for source in sources}
        base = base_iri(current.config() if current.has_config() else None)
        report = check_export([(source, compiled[source.mapping]) for source in sources], base, spec, input_name,
                              batch_size, workers)
    _emit(render_chunks(report, fmt, current_lang(), Path(input_name).name or input_name, None if show_all else 3), out)
    ctx.exit(1 if report.fails(FAIL_ON[fail_on]) else 0)


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


def _rdf_records(current: State, input_name: str) -> Iterator[MappedRecord]:
    """The files as RDF, their JSON-LD contexts from the shipped cache and `[validate] contexts`."""
    files = rdf_files(Path(input_name))
    folder = current.config().settings.validate.contexts if current.has_config() else ""
    contexts = Contexts([contexts_folder(current.config().root, folder, "validate.contexts", current.config().path)]
                        if folder else [])

    def records() -> Iterator[MappedRecord]:
        for path in files:
            yield from read_rdf(path, contexts=contexts)

    return records()


def _emit(chunks: Iterable[str], out: Path | None) -> None:
    """The report written as it is made; into `out` through a partial file renamed at the end,
    so a report cut short (a full disk) never stands in for a whole one."""
    if out is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as stream:
            stream.writelines(chunks)
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError("validate.cannot_write", path=out, detail=exc.strerror or exc) from exc

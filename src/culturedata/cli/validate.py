"""`culturedata validate INPUT`: check an export and say, per record and field, what to fix."""

from __future__ import annotations

from pathlib import Path

import click

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.inputs import resolve_input
from culturedata.cli.map import base_iri
from culturedata.cli.state import state
from culturedata.harvest import harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.messages import current_lang
from culturedata.records import Severity
from culturedata.validate import PyshaclValidator, load_shapes, validate_records
from culturedata.validate.report import render_json, render_text

FAIL_ON = {"violation": Severity.VIOLATION, "warning": Severity.WARNING, "never": None}


@click.command("validate", cls=I18nCommand, help="cli.validate.help")
@click.argument("input_name", metavar="INPUT")
@option("--mapping", help="cli.opt.mapping")
@option("--shapes", type=click.Path(exists=True, file_okay=False, path_type=Path), help="cli.opt.shapes")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="cli.opt.report_format")
@option("--fail-on", type=click.Choice(list(FAIL_ON)), default="violation", help="cli.opt.fail_on")
@option("--all", "show_all", is_flag=True, help="cli.opt.all")
@click.pass_context
def validate_command(
    ctx: click.Context, input_name: str, mapping: str | None, shapes: Path | None, fmt: str, fail_on: str,
    show_all: bool,
) -> None:
    current = state()
    source = resolve_input(current, input_name, mapping)
    compiled = load_mapping(source.mapping)
    validator = PyshaclValidator(load_shapes(shapes))
    context = MappingContext.for_source(
        base_iri(current.config() if current.has_config() else None), source.id, source.language
    )
    mapped = map_records(compiled, harvest(source), context)
    reports = [report for _, report in validate_records(validator, mapped)]
    if fmt == "json":
        click.echo(render_json(reports), nl=False)
    else:
        click.echo(render_text(reports, current_lang(), None if show_all else 3), nl=False)
    threshold = FAIL_ON[fail_on]
    failing = threshold is not None and any(
        f.severity.rank >= threshold.rank for r in reports for f in r.findings
    )
    ctx.exit(1 if failing else 0)

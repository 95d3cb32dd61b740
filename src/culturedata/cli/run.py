"""`culturedata run [SOURCE…]`: the whole job, with a summary a steward can read in the morning."""

from __future__ import annotations

import os

import click
from rich.console import Console
from rich.table import Table

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.state import state
from culturedata.messages import current_lang, t
from culturedata.pipeline import RunOptions, RunReport, SourceReport, run
from culturedata.stagetimes import RUN_STAGES, SOURCE_STAGES

COLUMNS = ("harvested", "new", "changed", "unchanged", "deleted", "taken_down", "quarantined", "held", "published")


@click.command("run", cls=I18nCommand, help="cli.run.help")
@click.argument("sources", nargs=-1)
@option("--full", is_flag=True, help="cli.opt.run_full")
@option("--allow-drop", "allow_drop", multiple=True, metavar="SOURCE", help="cli.opt.allow_drop")
@option("--store", "store_url", metavar="URL", help="cli.opt.store_url")
@option("--serve", "then_serve", is_flag=True, help="cli.opt.serve_after")
@click.pass_context
def run_command(
    ctx: click.Context, sources: tuple[str, ...], full: bool, allow_drop: tuple[str, ...], store_url: str | None,
    then_serve: bool,
) -> None:
    current = state()
    config = current.config()
    options = RunOptions(full=full, allow_drop=allow_drop, store_url=store_url)
    report = run(config, config.select(sources), options=options)
    if current.verbosity >= 0:
        print_report(report)
        reports = config.store_path / "reports" / f"run-{report.snapshot}.json"
        click.echo(t("cli.run.published", snapshot=report.snapshot, path=report.store, report=reports), err=True)
        for source in report.sources:
            if source.error:
                click.echo(f"{source.source}: {source.error}", err=True)
            for finding in source.findings:  # about the source as a whole (a field no record has…)
                text = finding["message_fr"] if current_lang() == "fr" else finding["message"]
                click.echo(f"{source.source}: {str(finding['severity']).upper()} {text}", err=True)
        for note in report.notes:
            click.echo(note.get(current_lang(), note["en"]), err=True)
        if report.pooling:
            pooled = report.pooling
            click.echo(t("pooling.summary", entities=pooled["entities"], clusters=pooled["clusters"],
                         linked=pooled["linked"], links=sum(pooled["links"].values()), review=len(pooled["review"])),
                       err=True)
    if then_serve:
        # Imported here: the server's modules (Starlette, the templates) are a third of a run's start.
        from culturedata.cli.serve import serve

        # As `culturedata serve` does: one serving process per core.
        serve(config, config.settings.server.host, config.settings.server.port, os.cpu_count() or 1)
    ctx.exit(report.exit_code)


def print_report(report: RunReport) -> None:
    table = Table(title=t("cli.run.title", snapshot=report.snapshot))
    table.add_column(t("cli.run.col.source"), no_wrap=True)
    for code in COLUMNS:
        table.add_column(t(f"cli.run.col.{code}"), justify="right")
    table.add_column(t("cli.run.col.quality"), justify="right")
    table.add_column(t("cli.run.col.status"))
    for source in report.sources:
        table.add_row(
            source.source, *(_cell(source, code) for code in COLUMNS), f"{source.quality:.0%}", _status(source),
        )
    console = Console(stderr=True)
    # Logs and cron mails are wider than rich's default of 80 columns for non-terminals.
    Console(stderr=True, width=max(console.width, 160)).print(table)
    print_timings(report)


def print_timings(report: RunReport) -> None:
    """Where the night went: CPU and wall seconds per stage and source, then the run's own stages."""
    if not report.timings and not any(source.timings for source in report.sources):
        return  # a report from before runs kept their timings
    table = _stages_table(t("cli.run.timings.title"), SOURCE_STAGES)
    for source in report.sources:
        table.add_row(source.source, *(_seconds(source.timings.get(stage)) for stage in SOURCE_STAGES))
    run = _stages_table(t("cli.run.timings.run_title"), RUN_STAGES)
    run.add_row(t("cli.run.timings.run"), *(_seconds(report.timings.get(stage)) for stage in RUN_STAGES))
    console = Console(stderr=True)
    for shown in (table, run):
        Console(stderr=True, width=max(console.width, 160)).print(shown)


def _stages_table(title: str, stages: tuple[str, ...]) -> Table:
    table = Table(title=title)
    table.add_column(t("cli.run.col.source"), no_wrap=True)
    for stage in stages:
        table.add_column(t(f"cli.run.timings.{stage}"), justify="right")
    return table


def _seconds(spent: dict[str, float] | None) -> str:
    if not spent:
        return ""
    # The store's threads have CPU seconds but no wall time of their own: they run beside the stages.
    return f"{spent['cpu']:.1f} / {spent['wall']:.1f}" if spent["wall"] else f"{spent['cpu']:.1f} / –"


def _cell(source: SourceReport, code: str) -> str:
    value = str(getattr(source, code))
    change = source.diff.get(code)
    return f"{value} ({change:+d})" if change else value


def _status(source: SourceReport) -> str:
    if source.refused:
        return t("cli.run.refused")
    if source.failed:
        return t("cli.run.failed", error=source.error)
    return t("cli.run.ok")

"""`culturedata run [SOURCE…]`: the whole job, with a summary a steward can read in the morning."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.serve import serve
from culturedata.cli.state import state
from culturedata.messages import t
from culturedata.pipeline import RunReport, run


@click.command("run", cls=I18nCommand, help="cli.run.help")
@click.argument("sources", nargs=-1)
@option("--serve", "then_serve", is_flag=True, help="cli.opt.serve_after")
@click.pass_context
def run_command(ctx: click.Context, sources: tuple[str, ...], then_serve: bool) -> None:
    current = state()
    config = current.config()
    report = run(config, config.select(sources))
    if current.verbosity >= 0:
        print_report(report)
        reports = config.store_path / "reports" / f"run-{report.snapshot}.json"
        click.echo(t("cli.run.published", snapshot=report.snapshot, path=config.store_path, report=reports), err=True)
    if then_serve:
        serve(config, str(config.get("server.host")), int(config.get("server.port")))
    ctx.exit(report.exit_code)


def print_report(report: RunReport) -> None:
    table = Table(title=t("cli.run.title", snapshot=report.snapshot))
    for code in ("source", "harvested", "published", "quarantined", "warnings", "removed", "quality", "status"):
        table.add_column(t(f"cli.run.col.{code}"), justify="left" if code in ("source", "status") else "right")
    for source in report.sources:
        status = t("cli.run.failed", error=source.error) if source.failed else t("cli.run.ok")
        table.add_row(
            source.source, str(source.harvested), str(source.published), str(source.quarantined),
            str(source.warnings), str(source.removed), f"{source.quality:.0%}", status,
        )
    console = Console(stderr=True)
    # Logs and cron mails are wider than rich's default of 80 columns for non-terminals.
    Console(stderr=True, width=max(console.width, 120)).print(table)

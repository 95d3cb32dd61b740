"""`culturedata status`: what is published and how the last run went, per source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from culturedata.cli.i18n import I18nCommand
from culturedata.cli.run import print_report
from culturedata.cli.state import state
from culturedata.iris import system_graph
from culturedata.messages import t
from culturedata.pipeline import RunReport, SourceReport, load_report
from culturedata.store import Snapshots


@click.command("status", cls=I18nCommand, help="cli.status.help")
def status_command() -> None:
    config = state().config()
    snapshots = Snapshots(config.store_path)
    current = snapshots.current()
    if current is None:
        click.echo(t("cli.status.none", path=config.store_path))
        return
    store = snapshots.open_current()
    assert store is not None
    system = system_graph(config.base_iri)
    graphs = sum(1 for g in store.named_graphs() if g.value != system)
    click.echo(t("cli.status.snapshot", snapshot=current.name, quads=len(store), graphs=graphs))
    reports = sorted((config.store_path / "reports").glob("run-*.json"))
    if reports:
        print_report(_report(reports[-1]))
        _last_runs(reports)


def _report(path: Path) -> RunReport:
    data = load_report(path)
    fields = SourceReport.__dataclass_fields__
    sources = [SourceReport(**{k: v for k, v in s.items() if k in fields}) for s in data["sources"]]
    return RunReport(snapshot=data["snapshot"], sources=sources, timings=data.get("timings", {}))


def _last_runs(reports: list[Path]) -> None:
    """Per source: when it last ran, how that went, and its last error."""
    last: dict[str, tuple[str, dict[str, Any]]] = {}  # a run report as JSON reads it
    for path in reports:
        data = load_report(path)
        for source in data["sources"]:
            last[source["source"]] = (data.get("started") or data["snapshot"], source)
    table = Table(title=t("cli.status.sources"))
    for code in ("source", "last_run", "published", "quality", "error"):
        table.add_column(t(f"cli.status.col.{code}"))
    for source_id, (started, source) in sorted(last.items()):
        table.add_row(
            source_id, started[:19], str(source.get("published", 0)), f"{source.get('quality', 1):.0%}",
            source.get("error") or "",
        )
    Console(stderr=True, width=140).print(table)

"""`culturedata status`: what is published and how the last run went, per source."""

from __future__ import annotations

import click
import pyoxigraph as ox

from culturedata.cli.i18n import I18nCommand
from culturedata.cli.run import print_report
from culturedata.cli.state import state
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
    store = ox.Store.read_only(str(current))
    graphs = sum(1 for g in store.named_graphs() if "/graph/system" not in g.value)
    click.echo(t("cli.status.snapshot", snapshot=current.name, quads=len(store), graphs=graphs))
    report_path = config.store_path / "reports" / f"run-{current.name}.json"
    if report_path.is_file():
        data = load_report(report_path)
        sources = [
            SourceReport(**{k: v for k, v in s.items() if k in SourceReport.__dataclass_fields__})
            for s in data["sources"]
        ]
        print_report(RunReport(snapshot=data["snapshot"], sources=sources))

"""`culturedata rollback [SNAPSHOT]`: serve an earlier snapshot again."""

from __future__ import annotations

import click

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.state import state
from culturedata.messages import t
from culturedata.store import RunLock, Snapshots


@click.command("rollback", cls=I18nCommand, help="cli.rollback.help")
@click.argument("snapshot", required=False)
@option("--list", "show", is_flag=True, help="cli.opt.rollback_list")
def rollback_command(snapshot: str | None, show: bool) -> None:
    config = state().config()
    snapshots = Snapshots(config.store_path, keep=config.settings.store.keep_snapshots)
    if show:
        current = snapshots.current()
        for path in snapshots.published():
            click.echo(("* " if path == current else "  ") + path.name)
        return
    with RunLock(config.store_path / "run.lock"):
        chosen = snapshots.rollback(snapshot)
    click.echo(t("cli.rollback.done", snapshot=chosen))

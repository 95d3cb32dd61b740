"""`culturedata rollback [SNAPSHOT]`: serve an earlier snapshot again, the takedown list still applied."""

from __future__ import annotations

import click

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.state import state
from culturedata.messages import t
from culturedata.pooling import ensure_index
from culturedata.store import RunLock, Snapshots, Takedowns, roll_back


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
        # The snapshot served again answers /search and /reconcile: its own index, or one built for it.
        done = roll_back(snapshots, Takedowns(config.store_path / "takedowns.json"), config.base_iri, snapshot,
                         prepare=lambda store, folder: ensure_index(store, folder, config.base_iri))
    if done.withdrawn:
        click.echo(t("cli.rollback.withdrawn", snapshot=done.restored, served=done.served,
                     count=len(done.withdrawn), keys=", ".join(done.withdrawn)))
    else:
        click.echo(t("cli.rollback.done", snapshot=done.restored))

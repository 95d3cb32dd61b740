"""`culturedata takedown SOURCE:ID --reason …`: withdraw a record now and keep it out."""

from __future__ import annotations

import click

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.state import state
from culturedata.messages import t
from culturedata.pipeline import lift_takedown, take_down
from culturedata.store import Takedowns


@click.command("takedown", cls=I18nCommand, help="cli.takedown.help")
@click.argument("key", required=False)
@option("--reason", help="cli.opt.takedown_reason")
@option("--lift", is_flag=True, help="cli.opt.takedown_lift")
@option("--list", "show", is_flag=True, help="cli.opt.takedown_list")
@option("--store", "store_url", metavar="URL", help="cli.opt.store_url")
def takedown_command(key: str | None, reason: str | None, lift: bool, show: bool, store_url: str | None) -> None:
    config = state().config()
    if show or key is None:
        for entry in Takedowns(config.store_path / "takedowns.json").load().values():
            click.echo(f"{entry.key}\t{entry.at}\t{entry.reason}")
        return
    if lift:
        found = lift_takedown(config, key)
        click.echo(t("cli.takedown.lifted" if found else "cli.takedown.not_listed", key=key))
        return
    if not reason:
        raise click.UsageError(t("cli.takedown.needs_reason"))
    graph = take_down(config, key, reason, store_url)
    click.echo(t("cli.takedown.done", key=key, graph=graph))

"""`culturedata restore FILE`: publish a dump (N-Quads, TriG, JSON-LD; gzipped or not) as a new snapshot."""

from __future__ import annotations

from pathlib import Path

import click

from culturedata.cli.i18n import I18nCommand
from culturedata.cli.state import state
from culturedata.iris import system_graph
from culturedata.messages import t
from culturedata.pooling import ensure_index
from culturedata.store import RunLock, Snapshots, restore


@click.command("restore", cls=I18nCommand, help="cli.restore.help")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    config = state().config()
    snapshots = Snapshots(config.store_path, keep=config.settings.store.keep_snapshots)
    with RunLock(config.store_path / "run.lock"):
        staging = snapshots.begin(empty=True)
        assert staging.store is not None
        try:
            quads = restore(staging.store, file, system_graph(config.base_iri))
            ensure_index(staging.store, staging.path, config.base_iri)  # published with it, as a run's
            snapshots.publish(staging)
            snapshots.ask_full_harvest()
        except BaseException:
            snapshots.discard(staging)
            raise
    click.echo(t("cli.restore.done", path=file, snapshot=staging.id, quads=quads))

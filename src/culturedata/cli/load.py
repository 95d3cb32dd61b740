"""`culturedata load FILE…`: load RDF datasets into a new snapshot and publish it."""

from __future__ import annotations

from pathlib import Path

import click
import pyoxigraph as ox

from culturedata.cli.i18n import I18nCommand
from culturedata.cli.state import state
from culturedata.config import Config
from culturedata.errors import InputError
from culturedata.iris import system_graph
from culturedata.messages import t
from culturedata.pooling import ensure_index
from culturedata.store import RunLock, Snapshots, merge


@click.command("load", cls=I18nCommand, help="cli.load.help")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(files: tuple[Path, ...]) -> None:
    config = state().config()
    # One writer at a time, as for a run (`Snapshots.begin` asks for the lock): beside a run, a load
    # would remove the run's staging folder as a killed run's leftover, and each would publish a
    # copy of the current snapshot without the other's writes.
    with RunLock(config.store_path / "run.lock"):
        quads, snapshot = _load(config, files)
    click.echo(t("cli.load.done", quads=quads, snapshot=snapshot), err=True)


def _load(config: Config, files: tuple[Path, ...]) -> tuple[int, str]:
    """The files bulk-loaded into a new snapshot, published: its quads and its id."""
    snapshots = Snapshots(config.store_path, keep=config.settings.store.keep_snapshots)
    staging = snapshots.begin()
    store = staging.store
    assert store is not None
    try:
        for path in files:
            try:
                rdf_format = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
            except ValueError:
                rdf_format = None
            if rdf_format is None:
                raise InputError("input.unknown_format", path=path, known=".nq, .trig, .ttl, .nt")
            try:
                store.bulk_load(path=str(path), format=rdf_format)
            except SyntaxError as exc:
                raise InputError("load.syntax", path=path, detail=exc) from exc
        quads = len(store)
        merge(store, system_graph(config.base_iri))  # the default graph: what the files gave it, and every graph's triples
        ensure_index(store, staging.path, config.base_iri)  # /search and /reconcile, as after a run
        del store
        snapshots.publish(staging)
    except BaseException:
        snapshots.discard(staging)
        raise
    return quads, staging.id

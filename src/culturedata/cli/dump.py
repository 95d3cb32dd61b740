"""`culturedata dump`: the published snapshot as one RDF file, streamed, for backups and downloads."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path
from typing import BinaryIO

import click
import pyoxigraph as ox

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.state import state
from culturedata.errors import StoreError
from culturedata.iris import system_graph
from culturedata.store import DUMP_FORMATS, Snapshots, dump


@click.command("dump", cls=I18nCommand, help="cli.dump.help")
@option("--format", "fmt", type=click.Choice(sorted(DUMP_FORMATS)), default="nq", show_default=True, help="cli.opt.dump_format")
@option("--gzip", "compress", is_flag=True, help="cli.opt.gzip")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="cli.opt.dump_output")
def dump_command(fmt: str, compress: bool, output: Path | None) -> None:
    config = state().config()
    store = Snapshots(config.store_path).open_current()
    if store is None:
        raise StoreError("store.no_snapshot", path=config.store_path)
    if output is not None:
        temporary = output.with_name(output.name + ".part")
        try:
            with open(temporary, "wb") as raw:
                _write(store, raw, fmt, compress, system_graph(config.base_iri))
            temporary.replace(output)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise StoreError("store.unwritable", path=output, detail=exc.strerror or exc) from exc
        return
    _write(store, sys.stdout.buffer, fmt, compress, system_graph(config.base_iri))


def _write(store: ox.Store, raw: BinaryIO, fmt: str, compress: bool, system: str) -> None:
    if compress:
        with gzip.GzipFile(fileobj=raw, mode="wb") as zipped:
            # typeshed's GzipFile is no BinaryIO, though it writes like one.
            dump(store, zipped, fmt, system)  # type: ignore[arg-type]
    else:
        dump(store, raw, fmt, system)

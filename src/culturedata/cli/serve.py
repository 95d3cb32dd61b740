"""`culturedata serve`: the SPARQL endpoint over the published snapshot."""

from __future__ import annotations

import os

import click
import uvicorn

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.state import state
from culturedata.config import Config
from culturedata.messages import t
from culturedata.server import ServerSettings, create_app, serve_processes
from culturedata.store import Snapshots


@click.command("serve", cls=I18nCommand, help="cli.serve.help")
@option("--host", help="cli.opt.host")
@option("--port", type=click.IntRange(0, 65535), help="cli.opt.port")
@option("--processes", type=click.IntRange(1, 256), help="cli.opt.processes")
def serve_command(host: str | None, port: int | None, processes: int | None) -> None:
    config = state().config()
    serve(config, host or config.settings.server.host, port if port is not None else config.settings.server.port,
          processes or os.cpu_count() or 1)


def serve(config: Config, host: str, port: int, processes: int = 1) -> None:
    settings = ServerSettings.from_config(config)  # refuses updates without a token, before binding
    if settings.updates:
        processes = 1  # Oxigraph lets one process open the writable live store
    click.echo(t("cli.serve.listening", host=host, port=port), err=True)
    if processes > 1:
        serve_processes(config.path, host, port, processes)
        return
    app = create_app(Snapshots(config.store_path, keep=config.settings.store.keep_snapshots), settings)
    # access_log=False: at level warning it prints nothing, but would still format every request.
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)

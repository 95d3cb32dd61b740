"""`culturedata harvest SOURCE`: fetch a source's records, optionally writing them to a folder.

This command keeps its own state (checkpoint, watermark, HTTP validators) in
`<store.path>/../state/harvest/<source>.json`, apart from the nightly job's: records it
writes to a folder never reach the store, so it must not move the job's watermark past
them. That state moves on only once every record was taken (and, with `--out`, the
archive is written and marked complete): a harvest killed half-way starts again from the
last complete one, so a rerun's archive holds the whole harvest. A progress bar is drawn
on a terminal; otherwise (cron, logs) one plain line per thousand records.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.state import state
from culturedata.harvest import HarvestOptions, PendingState, harvest, write_archive
from culturedata.messages import t
from culturedata.records import SourceRecord

LOG_EVERY = 1000


@click.command("harvest", cls=I18nCommand, help="cli.harvest.help")
@click.argument("source")
@option("--from", "since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="cli.opt.from")
@option("--full", is_flag=True, help="cli.opt.full")
@option("--limit", type=click.IntRange(min=1), help="cli.opt.limit")
@option("--out", type=click.Path(file_okay=False, path_type=Path), help="cli.opt.out_dir")
def harvest_command(source: str, since: datetime | None, full: bool, limit: int | None, out: Path | None) -> None:
    config = state().config()
    configured = config.source(source)
    pending = PendingState(config.store_path.parent / "state" / "harvest",
                           f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}")
    pending.begin([configured.id])
    options = HarvestOptions(since=since, full=full, limit=limit, state_dir=pending.directory, run=pending.run)
    about = {
        "source": configured.id, "kind": configured.kind, "from": since.isoformat() if since else None,
        "full": full, "limit": limit,
    }
    try:
        count = take(harvest(configured, options), configured.id, out, about)
        pending.promote([configured.id])  # every record is taken (and written): the state may move on
    finally:
        pending.discard()
    click.echo(t("cli.harvest.done", source=configured.id, count=count), err=True)
    if out:
        click.echo(t("cli.harvest.written", path=out), err=True)


def take(records: Iterator[SourceRecord], source_id: str, out: Path | None, about: dict[str, Any]) -> int:
    """Every record, into the archive at `out` or only counted; returns how many."""
    with progress(source_id) as tick:
        if out:
            return write_archive(records, out, about, tick).records
        count = 0
        for count, _ in enumerate(records, start=1):
            tick(count)
        return count


@contextmanager
def progress(source_id: str) -> Iterator[Callable[[int], None]]:
    if not sys.stderr.isatty():
        def line(count: int) -> None:
            if count % LOG_EVERY == 0:
                click.echo(t("harvest.progress", source=source_id, count=count), err=True)

        yield line
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed}"),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(source_id, total=None)
        yield lambda count: bar.update(task, completed=count)

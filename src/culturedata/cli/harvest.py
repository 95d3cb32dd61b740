"""`culturedata harvest SOURCE`: fetch a source's records, optionally writing them to a folder."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.state import state
from culturedata.harvest import HarvestOptions, harvest
from culturedata.messages import t
from culturedata.records import SourceRecord

BATCH = 1000


@click.command("harvest", cls=I18nCommand, help="cli.harvest.help")
@click.argument("source")
@option("--from", "since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="cli.opt.from")
@option("--full", is_flag=True, help="cli.opt.full")
@option("--limit", type=click.IntRange(min=1), help="cli.opt.limit")
@option("--out", type=click.Path(file_okay=False, path_type=Path), help="cli.opt.out_dir")
def harvest_command(source: str, since: datetime | None, full: bool, limit: int | None, out: Path | None) -> None:
    configured = state().config().source(source)
    records = harvest(configured, HarvestOptions(since=since, full=full, limit=limit))
    count = write_records(records, out) if out else sum(1 for _ in records)
    click.echo(t("cli.harvest.done", source=configured.id, count=count), err=True)
    if out:
        click.echo(t("cli.harvest.written", path=out), err=True)


def write_records(records: object, out: Path) -> int:
    """Records as JSON Lines, one file per batch of 1000, plus manifest.json listing them."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, object]] = []
    count = 0
    handle = None
    for count, record in enumerate(records, start=1):  # type: ignore[call-overload]
        if handle is None or (count - 1) % BATCH == 0:
            if handle:
                handle.close()
            name = f"records-{len(files) + 1:05d}.jsonl"
            files.append({"file": name, "first": count})
            handle = (out / name).open("w", encoding="utf-8")
        handle.write(json.dumps(_as_json(record), ensure_ascii=False) + "\n")
    if handle:
        handle.close()
    manifest = {"records": count, "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return count


def _as_json(record: SourceRecord) -> dict[str, object]:
    payload = record.payload
    return {
        "source": record.source_id,
        "id": record.local_id,
        "datestamp": record.datestamp.isoformat() if record.datestamp else None,
        "deleted": record.deleted,
        "media_type": record.media_type,
        "origin": record.origin,
        "location": record.location,
        "hash": record.content_hash,
        "payload": payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload,
    }

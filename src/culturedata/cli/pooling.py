"""`culturedata pooling review`: the pairs the last run found alike but did not link."""

from __future__ import annotations

import json

import click

from culturedata.cli.i18n import I18nCommand, I18nGroup, option
from culturedata.cli.state import state
from culturedata.errors import ExitCode
from culturedata.messages import t
from culturedata.pipeline import latest_report
from culturedata.pooling import decisions_path


@click.group("pooling", cls=I18nGroup, help="cli.pooling.help")
def pooling_group() -> None:
    pass


@pooling_group.command("review", cls=I18nCommand, help="cli.pooling.review.help")
@option("--json", "as_json", is_flag=True, help="cli.pooling.review.json")
def review_command(as_json: bool) -> None:
    config = state().config()
    report = latest_report(config.store_path / "reports")
    if report is None:
        click.echo(t("cli.pooling.review.no_run", path=config.store_path), err=True)
        raise SystemExit(ExitCode.USAGE)
    pairs = (report.get("pooling") or {}).get("review", [])
    if as_json:
        click.echo(json.dumps(pairs, ensure_ascii=False, indent=2))
        return
    if not pairs:
        click.echo(t("cli.pooling.review.none"))
        return
    for pair in pairs:
        click.echo(t("cli.pooling.review.pair", score=f"{pair['score']:.2f}", left_name=pair["left_name"],
                     right_name=pair["right_name"], dates=pair["dates"]))
        click.echo(f"      {pair['left']}\n      {pair['right']}")
    click.echo(t("cli.pooling.review.hint", path=decisions_path(config)))

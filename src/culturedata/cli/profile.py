"""`culturedata profile docs`: the profile's documentation, generated from its shapes."""

from __future__ import annotations

from pathlib import Path

import click

from culturedata.cli.i18n import I18nCommand, I18nGroup, option


@click.group("profile", cls=I18nGroup, help="cli.profile.help")
def profile_group() -> None:
    pass


@profile_group.command("docs", cls=I18nCommand, help="cli.profile.docs.help")
@option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("docs"), help="cli.opt.docs_dir")
def docs_command(out: Path) -> None:
    from culturedata.profile import write_profile_docs

    for path in write_profile_docs(out):
        click.echo(str(path), err=True)

"""The `culturedata` command. The only module family that reads argv, prints for people
and picks exit codes; library code raises `CultureDataError`s and this turns them into one
line in the user's language (a traceback only with --debug)."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from culturedata import __version__
from culturedata.cli.dump import dump_command
from culturedata.cli.harvest import harvest_command
from culturedata.cli.i18n import I18nGroup, I18nOption, option
from culturedata.cli.load import load_command
from culturedata.cli.map import map_command
from culturedata.cli.profile import profile_group
from culturedata.cli.restore import restore_command
from culturedata.cli.rollback import rollback_command
from culturedata.cli.run import run_command
from culturedata.cli.serve import serve_command
from culturedata.cli.state import State, configure_logging
from culturedata.cli.status import status_command
from culturedata.cli.takedown import takedown_command
from culturedata.cli.validate import validate_command
from culturedata.config import find_config
from culturedata.errors import CultureDataError, ExitCode
from culturedata.messages import t


@click.group(cls=I18nGroup, help="cli.main.help", epilog="cli.main.epilog")
@click.version_option(
    __version__, "--version", prog_name="culturedata", message="%(prog)s %(version)s", cls=I18nOption,
    help="cli.opt.version",
)
@option("--config", "config_path", type=click.Path(path_type=Path), help="cli.opt.config")
@option("-v", "--verbose", count=True, help="cli.opt.verbose")
@option("-q", "--quiet", is_flag=True, help="cli.opt.quiet")
@option("--debug", is_flag=True, help="cli.opt.debug")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool, debug: bool) -> None:
    verbosity = -1 if quiet else verbose
    ctx.obj = State(config_path=find_config(config_path), verbosity=verbosity, debug=debug)
    configure_logging(verbosity)


for command in (
    harvest_command, map_command, validate_command, load_command, run_command, serve_command,
    status_command, profile_group,
    rollback_command, takedown_command, dump_command, restore_command,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every outcome into an exit code cron understands."""
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        # Without standalone mode, click returns ctx.exit()'s code instead of exiting.
        code = cli.main(args=argv, prog_name="culturedata", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except click.exceptions.Abort:
        click.echo(t("error.interrupted"), err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        click.echo(t("error.interrupted"), err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except CultureDataError as exc:
        if debug:
            traceback.print_exc()
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if debug:
            traceback.print_exc()
        click.echo(t("error.internal", kind=type(exc).__name__, detail=exc), err=True)
        sys.exit(ExitCode.INTERNAL)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)

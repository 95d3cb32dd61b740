"""The `culturedata` command. The only module family that reads argv, prints for people
and picks exit codes; library code raises `CultureDataError`s and this turns them into one
line in the user's language (a traceback only with --debug)."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

import click

from culturedata import __version__
from culturedata.cli.i18n import I18nCommand, I18nGroup, I18nOption, option
from culturedata.cli.state import State, configure_logging
from culturedata.config import find_config
from culturedata.errors import CultureDataError, ExitCode
from culturedata.messages import t

# Each command's module, imported only when that command runs: `--help`, `status` and cron's
# probes then do not pay for rdflib, pySHACL and the web server (about a second).
COMMANDS = {
    "harvest": "harvest_command", "map": "map_command", "validate": "validate_command", "load": "load_command",
    "run": "run_command", "serve": "serve_command", "status": "status_command", "profile": "profile_group",
    "rollback": "rollback_command", "takedown": "takedown_command", "dump": "dump_command",
    "restore": "restore_command", "pooling": "pooling_group",
}


class LazyGroup(I18nGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        command = getattr(importlib.import_module(f"culturedata.cli.{name}"), COMMANDS[name])
        assert isinstance(command, click.Command), name
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Every command's help is the message code cli.<name>.help: listing them imports nothing.
        rows = [(name, I18nCommand(name, help=f"cli.{name}.help").get_short_help_str(formatter.width - 20))
                for name in self.list_commands(ctx)]
        with formatter.section(t("cli.heading.commands")):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, help="cli.main.help", epilog="cli.main.epilog")
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

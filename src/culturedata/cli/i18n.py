"""Click commands whose help is written in the user's language.

Help strings given to these classes are message codes (see culturedata.messages); they
are looked up when the help is shown, after `--lang` has been read, wherever it stands
on the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from culturedata.messages import LANGUAGES, set_lang, t


@contextmanager
def _translated(obj: Any, *attributes: str) -> Iterator[None]:
    saved = {name: getattr(obj, name) for name in attributes}
    for name, code in saved.items():
        if code:
            setattr(obj, name, t(code))
    try:
        yield
    finally:
        for name, code in saved.items():
            setattr(obj, name, code)


def _early_lang(args: Sequence[str]) -> None:
    """Honour --lang before click processes --help, which would otherwise win the race."""
    for index, arg in enumerate(args):
        value = None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGUAGES:
            set_lang(value)


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        set_lang(value)


class I18nOption(click.Option):
    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        with _translated(self, "help"):
            return super().get_help_record(ctx)


class I18nCommand(click.Command):
    """Translated help, usage heading, and a --lang option.

    `I18nGroup` inherits it before `click.Group`, so there the `super()` calls below reach the
    group's methods."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            I18nOption(
                ["--lang"], type=click.Choice(LANGUAGES), expose_value=False, is_eager=True,
                callback=_set_lang, help="cli.opt.lang",
            )
        )

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _early_lang(args)
        return super().parse_args(ctx, args)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "cli.opt.help"
            option.__class__ = I18nOption
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t("cli.heading.usage") + " ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, "help"):
            super().format_help_text(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, "epilog"):
            super().format_epilog(ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [
            r for p in self.get_params(ctx)
            if isinstance(p, click.Option) and (r := p.get_help_record(ctx))
        ]
        if records:
            with formatter.section(t("cli.heading.options")):
                formatter.write_dl(records)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self, "short_help", "help"):
            return super().get_short_help_str(limit)


class I18nGroup(I18nCommand, click.Group):
    command_class = I18nCommand

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 20)))
        if rows:
            with formatter.section(t("cli.heading.commands")):
                formatter.write_dl(rows)


I18nGroup.group_class = I18nGroup


# What click's decorators take: a command's function, or a command already built.
Decorated = TypeVar("Decorated", bound=Callable[..., Any] | click.Command)


def option(*names: str, **kwargs: Any) -> Callable[[Decorated], Decorated]:
    """click.option with a translated help code."""
    return click.option(*names, cls=I18nOption, **kwargs)

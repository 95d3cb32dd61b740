"""What every command shares: the chosen configuration file, verbosity and --debug."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import click

from culturedata.config import Config, find_config, load_config


@dataclass
class State:
    config_path: Path
    verbosity: int = 0
    debug: bool = False
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The configuration, read on first use so that commands on plain files need none."""
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def has_config(self) -> bool:
        return self.config_path.is_file()


def state() -> State:
    ctx = click.get_current_context()
    found = ctx.find_object(State)
    if found is None:  # a command invoked on its own, outside the group
        found = State(find_config(None))
        ctx.obj = found
    return found


def configure_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * verbosity
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")

"""Checking a source's `[sources.options]` against what its harvester understands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from culturedata.config import Source
from culturedata.errors import ConfigError
from culturedata.harvest.limits import DECODE_OPTIONS, DEPTH_OPTIONS, Limits


def read_options(source: Source, declared: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    """The source's options with defaults filled in; unknown keys and wrong types are errors."""
    values = {name: default for name, (_, default) in declared.items()}
    for name, value in source.options.items():
        if name not in declared:
            raise ConfigError(
                "config.unknown_key",
                path=source.where,
                key=f"options.{name}",
                known=", ".join(sorted(declared)) or "-",
            )
        kind = declared[name][0]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
            from culturedata.messages import t

            expected = " or ".join(k.__name__ for k in _kinds(kind))
            problem = t("config.problem.type", expected=expected, actual=type(value).__name__)
            raise ConfigError("config.bad_value", path=source.where, key=f"options.{name}", problem=problem)
        values[name] = value
    if any(name in declared for name in (*DECODE_OPTIONS, *DEPTH_OPTIONS)):
        Limits.from_options(values, source.where)  # a limit out of its range is a ConfigError naming the source
    return values


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def require_choice(source: Source, name: str, value: str, choices: tuple[str, ...] | list[str]) -> None:
    """An option that takes one of a few words: anything else names the words it could be."""
    if value not in choices:
        from culturedata.messages import t

        problem = t("config.problem.choice", choices=", ".join(choices), value=value)
        raise ConfigError("config.bad_value", path=source.where, key=f"options.{name}", problem=problem)

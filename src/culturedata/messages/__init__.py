"""Every sentence a steward or a museum reads, in French and English, looked up by code.

The catalogue is split by wing (`core.toml`, `harvest.toml`, `mapping.toml` …) so that each
part of the pipeline owns its own texts. Each entry is a TOML table with an `en` and an `fr`
string using `str.format` placeholders:

    [config.missing]
    en = "Configuration file {path} not found. Create it or pass --config."
    fr = "Fichier de configuration {path} introuvable. Créez-le ou passez --config."
"""

from __future__ import annotations

import locale
import os
import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

LANGUAGES = ("fr", "en")
_chosen: str | None = None


def set_lang(lang: str | None) -> None:
    """Fix the language for the rest of the process (`--lang`); None returns to the default."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(lang)
    _chosen = lang


def current_lang() -> str:
    """`--lang`, else CULTUREDATA_LANG, else the locale (fr_* gives French), else English."""
    if _chosen:
        return _chosen
    env = os.environ.get("CULTUREDATA_LANG", "").lower()
    if env in LANGUAGES:
        return env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    loc = locale.getlocale()[0] or ""
    return "fr" if loc.lower().startswith("fr") else "en"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All entries of all wing files; a code defined twice is a bug caught by the tests."""
    merged: dict[str, dict[str, str]] = {}
    for entry in sorted(files(__name__).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            merged.update(_flatten(tomllib.loads(entry.read_text(encoding="utf-8"))))
    return merged


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        code = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) >= {"en", "fr"} and all(
            isinstance(v, str) for v in value.values()
        ):
            out[code] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, code + "."))
    return out


def t(code: str, lang: str | None = None, **params: Any) -> str:
    """The message `code` in `lang` (default: the current language), filled with `params`."""
    entry = catalogue().get(code)
    if entry is None:
        # An unknown code is a programming error, but the user still deserves the facts.
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{code}: {detail}" if detail else code
    text = entry[lang or current_lang()]
    return text.format(**params) if params else text


def both(code: str, **params: Any) -> dict[str, str]:
    """The message in every language, for reports that carry fr and en side by side."""
    entry = catalogue().get(code)
    if entry is None or not params:
        return {lang: t(code, lang, **params) for lang in LANGUAGES}
    # As `t` fills it, without its keyword re-packing per language: a mapping run makes one of
    # these for most records, each a finding (issue 16).
    return {lang: entry[lang].format_map(params) for lang in LANGUAGES}


def tn(code: str, count: int, lang: str | None = None, **params: Any) -> str:
    """`code.one` or `code.other`, as `count` asks in `lang`, filled with `count` and `params`:
    French takes the singular for 0 and 1 (« 1 ligne », « 0 ligne »), English for 1 only."""
    lang = lang or current_lang()
    one = count in (0, 1) if lang == "fr" else count == 1
    return t(f"{code}.{'one' if one else 'other'}", lang, count=count, **params)

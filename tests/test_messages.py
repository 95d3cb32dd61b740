"""The message catalogue: every code used exists, in both languages, with the same placeholders."""

from __future__ import annotations

import ast
import re
import string
import tomllib
from pathlib import Path

from culturedata.messages import LANGUAGES, both, catalogue, t

SRC = Path(__file__).resolve().parent.parent / "src" / "culturedata"
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
CALLERS = re.compile(r"^(t|both|_fail|_bad|_unmappable|option|command|group)$|(Error|Unavailable|Refused)$")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_entry_has_both_languages_and_the_same_placeholders() -> None:
    for code, entry in catalogue().items():
        assert set(entry) == set(LANGUAGES), code
        assert placeholders(entry["en"]) == placeholders(entry["fr"]), code


def test_no_code_is_defined_twice_across_wing_files() -> None:
    seen: dict[str, str] = {}
    for path in sorted((SRC / "messages").glob("*.toml")):
        for code in _codes(tomllib.loads(path.read_text(encoding="utf-8"))):
            assert code not in seen, f"{code} in {path.name} and {seen[code]}"
            seen[code] = path.name


def _codes(table: dict, prefix: str = "") -> list[str]:
    found = []
    for key, value in table.items():
        if isinstance(value, dict) and "en" in value and isinstance(value["en"], str):
            found.append(prefix + key)
        elif isinstance(value, dict):
            found.extend(_codes(value, prefix + key + "."))
    return found


def test_every_code_used_in_the_source_exists() -> None:
    missing = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if not CALLERS.search(name):
                continue
            values = list(node.args) + [k.value for k in node.keywords if k.arg in ("help", "epilog")]
            for value in values:
                is_code = isinstance(value, ast.Constant) and isinstance(value.value, str) and CODE.match(value.value)
                if is_code and value.value not in catalogue():
                    missing.append(f"{path.relative_to(SRC)}:{node.lineno} {value.value}")
    assert not missing, "\n".join(missing)


def test_lookup_fills_placeholders_in_the_chosen_language() -> None:
    assert t("config.missing", "fr", path="x.toml").startswith("Fichier de configuration x.toml")
    assert t("config.missing", "en", path="x.toml").startswith("Configuration file x.toml")


def test_both_fills_each_language_as_t_does() -> None:
    """`both` fills the entry itself (issue 16's speed); it must give what `t` gives per language."""
    for code, entry in catalogue().items():
        params = {name: f"<{name}>" for name in set().union(*(placeholders(entry[lang]) for lang in LANGUAGES))}
        assert both(code, **params) == {lang: t(code, lang, **params) for lang in LANGUAGES}, code
    assert both("no.such.code", x=1) == {lang: "no.such.code: x=1" for lang in LANGUAGES}
    assert both("no.such.code") == {lang: "no.such.code" for lang in LANGUAGES}

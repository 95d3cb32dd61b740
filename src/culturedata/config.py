"""`culturedata.toml` read once into frozen dataclasses.

Every key is declared once, with its default and the code of its help text; that one list
drives validation (an unknown key is an error naming the file and key), `culturedata
settings`, and the reference docs. Paths are relative to the configuration file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from culturedata.errors import ConfigError

DEFAULT_CONFIG = "culturedata.toml"
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    default: Any
    kind: type
    help: str  # message code


SETTINGS: tuple[Setting, ...] = (
    Setting("publish.base_iri", "http://127.0.0.1:8000/", str, "settings.publish.base_iri"),
    Setting("store.path", "var/store", str, "settings.store.path"),
    Setting("store.keep_snapshots", 5, int, "settings.store.keep_snapshots"),
    Setting("server.host", "127.0.0.1", str, "settings.server.host"),
    Setting("server.port", 8000, int, "settings.server.port"),
    Setting("server.query_timeout", 30, int, "settings.server.query_timeout"),
    Setting("server.max_result_bytes", 200_000_000, int, "settings.server.max_result_bytes"),
    Setting("server.updates", False, bool, "settings.server.updates"),
    Setting("server.upload_limit", 20_000_000, int, "settings.server.upload_limit"),
    Setting("validate.batch_size", 500, int, "settings.validate.batch_size"),
    Setting("validate.shapes", "", str, "settings.validate.shapes"),
    Setting("validate.vocabularies", "", str, "settings.validate.vocabularies"),
    Setting("publish.max_drop", 0.15, float, "settings.publish.max_drop"),
    Setting("publish.keep_previous", True, bool, "settings.publish.keep_previous"),
    Setting("run.workers", 4, int, "settings.run.workers"),
    Setting("store.endpoint", "", str, "settings.store.endpoint"),
    Setting("store.update_endpoint", "", str, "settings.store.update_endpoint"),
    Setting("store.graph_endpoint", "", str, "settings.store.graph_endpoint"),
    Setting("store.auth", "basic", str, "settings.store.auth"),
)

# Keys of one [[sources]] entry: (kind, required, help code).
SOURCE_KEYS: dict[str, tuple[type | tuple[type, ...], bool, str]] = {
    "id": (str, True, "settings.source.id"),
    "name": ((str, dict), True, "settings.source.name"),
    "kind": (str, True, "settings.source.kind"),
    "url": (str, False, "settings.source.url"),
    "path": (str, False, "settings.source.path"),
    "mapping": (str, True, "settings.source.mapping"),
    "language": (str, False, "settings.source.language"),
    "licence": (str, False, "settings.source.licence"),
    "publisher": ((str, dict), False, "settings.source.publisher"),
    "enabled": (bool, False, "settings.source.enabled"),
    "options": (dict, False, "settings.source.options"),
    "quarantine": (str, False, "settings.source.quarantine"),
    "municipality": (str, False, "settings.source.municipality"),
    "region": (str, False, "settings.source.region"),
}
QUARANTINE_POLICIES = ("violation", "warning", "never")  # see validate/quarantine.py


@dataclass(frozen=True, slots=True)
class Source:
    """One configured source. `options` are the harvester's own keys, checked by the harvester."""

    id: str
    name: dict[str, str]
    kind: str
    mapping: str
    url: str | None = None
    path: Path | None = None
    language: str = "fr"
    licence: str | None = None
    publisher: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # "culturedata.toml: sources[2]", for error messages
    quarantine: str = "violation"
    municipality: str | None = None  # where the providing organisation is (see providers.py)
    region: str | None = None

    @property
    def location(self) -> str:
        """The path or URL the harvester reads."""
        return str(self.path) if self.path is not None else (self.url or "")

    def label(self, lang: str) -> str:
        return self.name.get(lang) or next(iter(self.name.values()))


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    values: dict[str, Any]
    sources: tuple[Source, ...]

    @property
    def root(self) -> Path:
        return self.path.parent

    def get(self, key: str) -> Any:
        return self.values[key]

    @property
    def base_iri(self) -> str:
        base = str(self.values["publish.base_iri"])
        return base if base.endswith(("/", "#")) else base + "/"

    @property
    def store_path(self) -> Path:
        return self.root / str(self.values["store.path"])

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise ConfigError(
            "config.unknown_source",
            source=source_id,
            path=self.path,
            known=", ".join(s.id for s in self.sources) or "-",
        )

    def select(self, ids: list[str] | tuple[str, ...]) -> list[Source]:
        """The named sources, or every enabled one when none is named."""
        if ids:
            return [self.source(i) for i in ids]
        return [s for s in self.sources if s.enabled]


def find_config(explicit: str | os.PathLike[str] | None) -> Path:
    """--config, else CULTUREDATA_CONFIG, else ./culturedata.toml."""
    chosen = explicit or os.environ.get("CULTUREDATA_CONFIG") or DEFAULT_CONFIG
    return Path(chosen)


def load_config(path: Path) -> Config:
    if not path.is_file():
        raise ConfigError("config.missing", path=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("config.unreadable", path=path, detail=exc.strerror or exc) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("config.unreadable", path=path, detail=exc) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config.syntax", path=path, detail=exc) from exc
    path = path.resolve()
    values = _read_settings(path, raw)
    sources = _read_sources(path, raw.get("sources", []))
    return Config(path=path, values=values, sources=sources)


def _read_settings(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    declared = {s.key: s for s in SETTINGS}
    sections = sorted({key.split(".")[0] for key in declared} | {"sources"})
    values = {s.key: s.default for s in SETTINGS}
    for section, table in raw.items():
        if section not in sections:
            _unknown(path, section, sections)
        if section == "sources":
            continue
        if not isinstance(table, dict):
            _bad_type(path, section, "table", table)
        for name, value in table.items():
            key = f"{section}.{name}"
            setting = declared.get(key)
            if setting is None:
                known = [k.split(".", 1)[1] for k in declared if k.startswith(section + ".")]
                _unknown(path, key, known)
            if not isinstance(value, setting.kind) or isinstance(value, bool) != (setting.kind is bool):
                _bad_type(path, key, setting.kind.__name__, value)
            values[key] = value
    for setting in SETTINGS:
        override = os.environ.get("CULTUREDATA_" + setting.key.replace(".", "_").upper())
        if override is not None:
            values[setting.key] = _cast(path, setting, override)
    return values


def _cast(path: Path, setting: Setting, text: str) -> Any:
    if setting.kind is bool:
        # bool("false") is True: spell the booleans out, since server.updates guards writes.
        lowered = text.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        _bad_type(path, "CULTUREDATA_" + setting.key.replace(".", "_").upper(), "bool", text)
    try:
        return setting.kind(text)
    except ValueError:
        _bad_type(path, "CULTUREDATA_" + setting.key.replace(".", "_").upper(), setting.kind.__name__, text)


def _read_sources(path: Path, entries: Any) -> tuple[Source, ...]:
    if not isinstance(entries, list):
        _bad_type(path, "sources", "array of tables ([[sources]])", entries)
    seen: set[str] = set()
    sources = []
    for index, entry in enumerate(entries):
        where = f"sources[{index}]"
        if not isinstance(entry, dict):
            _bad_type(path, where, "table", entry)
        source = _read_source(path, where, entry)
        if source.id in seen:
            _bad(path, f"{where}.id", "config.problem.duplicate", value=source.id)
        seen.add(source.id)
        sources.append(source)
    return tuple(sources)


def _read_source(path: Path, where: str, entry: dict[str, Any]) -> Source:
    for key, value in entry.items():
        if key not in SOURCE_KEYS:
            _unknown(path, f"{where}.{key}", list(SOURCE_KEYS))
        kinds = SOURCE_KEYS[key][0]
        if not isinstance(value, kinds):
            expected = " or ".join(k.__name__ for k in (kinds if isinstance(kinds, tuple) else (kinds,)))
            _bad_type(path, f"{where}.{key}", expected, value)
    for key, (_, required, _) in SOURCE_KEYS.items():
        if required and key not in entry:
            raise ConfigError("config.missing_key", path=path, key=f"{where}.{key}")
    if not SOURCE_ID.match(entry["id"]):
        _bad(path, f"{where}.id", "config.problem.id_format", value=entry["id"])
    # From here on, errors name the source by its id, which is easier to find than an index.
    where = f'sources[id="{entry["id"]}"]'
    if entry.get("quarantine", "violation") not in QUARANTINE_POLICIES:
        _bad(path, f"{where}.quarantine", "validate.problem.quarantine", value=entry["quarantine"],
             known=", ".join(QUARANTINE_POLICIES))
    file_path = None
    if "path" in entry:
        file_path = (path.parent / entry["path"]).resolve()
        if not file_path.exists():
            _bad(path, f"{where}.path", "config.problem.missing_path", value=entry["path"])
    return Source(
        id=entry["id"],
        name=_texts(path, f"{where}.name", entry["name"]),
        kind=entry["kind"],
        mapping=entry["mapping"],
        url=entry.get("url"),
        path=file_path,
        language=entry.get("language", "fr"),
        licence=entry.get("licence"),
        publisher=_texts(path, f"{where}.publisher", entry.get("publisher", {})) if entry.get("publisher") else {},
        enabled=entry.get("enabled", True),
        options=entry.get("options", {}),
        where=f"{path.name}: {where}",
        quarantine=entry.get("quarantine", "violation"),
        municipality=entry.get("municipality"),
        region=entry.get("region"),
    )


def _texts(path: Path, key: str, value: str | dict[str, Any]) -> dict[str, str]:
    """A text given once, or per language as {fr = "…", en = "…"}."""
    if isinstance(value, str):
        return {"fr": value, "en": value}
    texts = {lang: str(text) for lang, text in value.items() if isinstance(text, str)}
    if not ({"fr", "en"} & set(texts)):
        _bad(path, key, "config.problem.languages")
    return texts


def _unknown(path: Path, key: str, known: list[str]) -> None:
    raise ConfigError("config.unknown_key", path=path, key=key, known=", ".join(known))


def _bad_type(path: Path, key: str, expected: str, value: Any) -> None:
    from culturedata.messages import t

    problem = t("config.problem.type", expected=expected, actual=type(value).__name__)
    raise ConfigError("config.bad_value", path=path, key=key, problem=problem)


def _bad(path: Path, key: str, problem_code: str, **params: Any) -> None:
    from culturedata.messages import t

    raise ConfigError("config.bad_value", path=path, key=key, problem=t(problem_code, **params))

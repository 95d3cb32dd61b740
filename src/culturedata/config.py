"""`culturedata.toml` read once into frozen dataclasses.

Every key is declared once, as a typed field of its section's dataclass carrying its default,
the code of its help text and the values it may take; code reads `config.settings.server.port`.
The flat SETTINGS list derived from the sections drives validation (an unknown key, a wrong
type or an out-of-range value is an error naming the file and key) and the reference docs test.
Paths are relative to the configuration file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar, get_type_hints

from culturedata.errors import ConfigError
from culturedata.iris import RESERVED_SOURCE_IDS

DEFAULT_CONFIG = "culturedata.toml"
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rule:
    """What a section field says about itself beyond its type: its help text and the values it may take."""

    help: str  # message code
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None  # a text setting, when not empty, matches it whole
    shape: str = ""  # message code: how a matching value looks, said when one does not


def setting(default: T, help: str, *, minimum: float | None = None, maximum: float | None = None,
            choices: tuple[str, ...] = (), pattern: str | None = None, shape: str = "") -> T:
    """A field of a settings section; typed as its default so `port: int = setting(8000, …)` checks."""
    return field(default=default, metadata={"rule": Rule(help, minimum, maximum, choices, pattern, shape)})


# A map tile URL: http(s), the tile's {z}/{x}/{y}, and at most a {s} subdomain as the host's
# first label (the page's Content-Security-Policy names the host, with `*.` for {s}).
TILE_URL = r"(?=.*\{z\})(?=.*\{x\})(?=.*\{y\})https?://(\{s\}\.)?[A-Za-z0-9.-]+(:[0-9]+)?/[^\s\"'<>\\]*"


# One dataclass per [section] of culturedata.toml: the only place a key is declared. Code reads
# `config.settings.server.port` (typed); SETTINGS, validation and the docs test derive from these.

@dataclass(frozen=True, slots=True)
class PublishSection:
    base_iri: str = setting("http://127.0.0.1:8000/", "settings.publish.base_iri")
    max_drop: float = setting(0.15, "settings.publish.max_drop", minimum=0, maximum=1)
    keep_previous: bool = setting(True, "settings.publish.keep_previous")
    publisher: str = setting("culturedata", "settings.publish.publisher")
    licence: str = setting("https://creativecommons.org/publicdomain/zero/1.0/", "settings.publish.licence")


@dataclass(frozen=True, slots=True)
class StoreSection:
    path: str = setting("var/store", "settings.store.path")
    keep_snapshots: int = setting(5, "settings.store.keep_snapshots", minimum=1)
    endpoint: str = setting("", "settings.store.endpoint")
    update_endpoint: str = setting("", "settings.store.update_endpoint")
    graph_endpoint: str = setting("", "settings.store.graph_endpoint")
    auth: str = setting("basic", "settings.store.auth", choices=("basic", "digest"))


@dataclass(frozen=True, slots=True)
class ServerSection:
    host: str = setting("127.0.0.1", "settings.server.host")
    port: int = setting(8000, "settings.server.port", minimum=1, maximum=65535)
    query_timeout: int = setting(30, "settings.server.query_timeout", minimum=1)
    max_result_bytes: int = setting(200_000_000, "settings.server.max_result_bytes", minimum=1)
    updates: bool = setting(False, "settings.server.updates")
    upload_limit: int = setting(20_000_000, "settings.server.upload_limit", minimum=1)
    response_cache_mb: int = setting(64, "settings.server.response_cache_mb", minimum=0)
    max_query_bytes: int = setting(100_000, "settings.server.max_query_bytes", minimum=1)
    max_query_depth: int = setting(100, "settings.server.max_query_depth", minimum=1)
    max_query_chain: int = setting(2_000, "settings.server.max_query_chain", minimum=1)
    services: str = setting("", "settings.server.services")
    map_tiles: str = setting("", "settings.server.map_tiles", pattern=TILE_URL, shape="config.problem.tile_url")
    # One query worker process per core by default, so that the endpoint uses every core (docs/endpoint.md).
    query_workers: int = setting(os.cpu_count() or 1, "settings.server.query_workers", minimum=1)


@dataclass(frozen=True, slots=True)
class ValidateSection:
    batch_size: int = setting(500, "settings.validate.batch_size", minimum=1)
    shapes: str = setting("", "settings.validate.shapes")
    vocabularies: str = setting("", "settings.validate.vocabularies")
    contexts: str = setting("", "settings.validate.contexts")


@dataclass(frozen=True, slots=True)
class RunSection:
    workers: int = setting(4, "settings.run.workers", minimum=1)
    # Mapping and validation of a big source in worker processes (parallel.py). One by default:
    # on 2 cores the workers cost 18-52 % more CPU for at most about 1.2x (docs/benchmarks.md).
    processes: int = setting(1, "settings.run.processes", minimum=1)


@dataclass(frozen=True, slots=True)
class PoolingSection:
    enabled: bool = setting(True, "settings.pooling.enabled")
    # Measured on tests/pooling/labelled-pairs.csv (docs/benchmarks.md): precision 1.0 at 0.92.
    threshold: float = setting(0.92, "settings.pooling.threshold", minimum=0, maximum=1)
    review_floor: float = setting(0.75, "settings.pooling.review_floor", minimum=0, maximum=1)
    decisions: str = setting("pooling-decisions.toml", "settings.pooling.decisions")
    # /reconcile's `match` flag, which OpenRefine accepts without asking: by default as sure as a link.
    reconcile_match: float = setting(0.92, "settings.pooling.reconcile_match", minimum=0, maximum=1)


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of `culturedata.toml`, checked: `settings.<section>.<key>`."""

    publish: PublishSection = field(default_factory=PublishSection)
    store: StoreSection = field(default_factory=StoreSection)
    server: ServerSection = field(default_factory=ServerSection)
    validate: ValidateSection = field(default_factory=ValidateSection)
    run: RunSection = field(default_factory=RunSection)
    pooling: PoolingSection = field(default_factory=PoolingSection)


@dataclass(frozen=True, slots=True)
class Setting:
    """One key as the sections declare it, flattened for validation, help and docs."""

    key: str  # "server.port"
    default: object
    kind: type
    rule: Rule

    @property
    def help(self) -> str:
        return self.rule.help

    @property
    def variable(self) -> str:
        """The environment variable that overrides it: CULTUREDATA_SERVER_PORT."""
        return "CULTUREDATA_" + self.key.replace(".", "_").upper()


def _declared() -> tuple[Setting, ...]:
    sections = get_type_hints(Settings)
    found = []
    for section in fields(Settings):
        kinds = get_type_hints(sections[section.name])
        for item in fields(sections[section.name]):
            found.append(Setting(f"{section.name}.{item.name}", item.default, kinds[item.name], item.metadata["rule"]))
    return tuple(found)


SETTINGS: tuple[Setting, ...] = _declared()

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
    "timezone": (str, False, "settings.source.timezone"),
    "severities": (dict, False, "settings.source.severities"),
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
    timezone: str | None = None  # an IANA zone ("America/Toronto") for the source's naive date-times
    # rule -> "violation" | "warning" | "info" | "ignore", for the rules in records.TUNABLE_RULES
    severities: dict[str, str] = field(default_factory=dict)
    # The configuration file's folder: relative paths in `options` resolve against it, as `path`
    # does (None for a source built in code: the current folder).
    root: Path | None = None

    @property
    def location(self) -> str:
        """The path or URL the harvester reads."""
        return str(self.path) if self.path is not None else (self.url or "")

    def label(self, lang: str) -> str:
        return self.name.get(lang) or next(iter(self.name.values()))


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    settings: Settings
    sources: tuple[Source, ...]

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def base_iri(self) -> str:
        base = self.settings.publish.base_iri
        return base if base.endswith(("/", "#")) else base + "/"

    @property
    def store_path(self) -> Path:
        return self.root / self.settings.store.path

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
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("config.unreadable", path=path, detail=exc.strerror or exc) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("config.unreadable", path=path, detail=exc) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config.syntax", path=path, detail=exc) from exc
    except RecursionError:
        # tomllib reads arrays and inline tables recursively: a few hundred levels exhaust
        # the stack, and it says nothing of where, so the line is found by a scan of our own.
        raise ConfigError("config.too_deep", path=path, line=_deepest_line(text)) from None
    path = path.resolve()
    settings = _read_settings(path, raw)
    sources = _read_sources(path, raw.get("sources", []))
    return Config(path=path, settings=settings, sources=sources)


_QUOTES = ('"""', "'''", '"', "'")


def _deepest_line(text: str) -> int:
    """The line (from 1) where the arrays and inline tables of a TOML text first reach their deepest.

    Brackets inside strings and comments do not count; the scan needs no recursion, so it
    measures a text too deep for tomllib.
    """
    depth = deepest = 0
    line = best = 1
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == "#":
            newline = text.find("\n", i)
            i = newline if newline >= 0 else end
            continue
        elif char in "\"'":
            quote = next(q for q in _QUOTES if text.startswith(q, i))
            close = _string_end(text, i + len(quote), quote)
            line += text.count("\n", i, close)
            i = close
            continue
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, best = depth, line
        elif char in "]}":
            depth -= 1
        i += 1
    return best


def _string_end(text: str, start: int, quote: str) -> int:
    """Where the string opened by `quote` before `start` ends (just after its closing quote, or the text's end)."""
    escapes = quote[0] == '"'
    i = start
    while i < len(text):
        if escapes and text[i] == "\\":
            i += 2
        elif text.startswith(quote, i):
            return i + len(quote)
        elif text[i] == "\n" and len(quote) == 1:
            return i  # an unclosed one-line string ends with its line
        else:
            i += 1
    return len(text)


def _read_settings(path: Path, raw: dict[str, Any]) -> Settings:
    declared = {s.key: s for s in SETTINGS}
    sections = sorted({key.split(".")[0] for key in declared} | {"sources"})
    chosen: dict[str, dict[str, object]] = {}
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
            chosen.setdefault(section, {})[name] = _checked(path, key, setting, value)
    for setting in SETTINGS:
        override = os.environ.get(setting.variable)
        if override is not None:
            section, _, name = setting.key.partition(".")
            chosen.setdefault(section, {})[name] = _checked(path, setting.variable, setting,
                                                            _cast(path, setting, override))
    defaults = Settings()
    return replace(defaults, **{section: replace(getattr(defaults, section), **values)
                                for section, values in chosen.items()})


def _checked(path: Path, key: str, setting: Setting, value: object) -> object:
    """The value if its type and range suit the setting; `key` is the file key or the variable."""
    if setting.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)  # `max_drop = 0` means 0.0
    if not isinstance(value, setting.kind) or isinstance(value, bool) != (setting.kind is bool):
        _bad_type(path, key, setting.kind.__name__, value)
    rule = setting.rule
    if rule.choices and value not in rule.choices:
        _bad(path, key, "config.problem.choice", choices=", ".join(rule.choices), value=value)
    if rule.pattern and isinstance(value, str) and value and not re.fullmatch(rule.pattern, value):
        _bad(path, key, rule.shape, value=value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Written `not low <= value` so that nan, which compares false to everything, is refused too.
        low, high = rule.minimum, rule.maximum
        if low is not None and high is not None and not low <= value <= high:
            _bad(path, key, "config.problem.between", minimum=low, maximum=high, value=value)
        if low is not None and not low <= value:
            _bad(path, key, "config.problem.at_least", minimum=low, value=value)
        if high is not None and not value <= high:
            _bad(path, key, "config.problem.at_most", maximum=high, value=value)
    return value


def _cast(path: Path, setting: Setting, text: str) -> object:
    if setting.kind is bool:
        # bool("false") is True: spell the booleans out, since server.updates guards writes.
        lowered = text.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        _bad_type(path, setting.variable, "bool", text)
    try:
        return setting.kind(text)
    except ValueError:
        _bad_type(path, setting.variable, setting.kind.__name__, text)


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
    if entry["id"] in RESERVED_SOURCE_IDS:
        _bad(path, f"{where}.id", "config.problem.id_reserved", value=entry["id"])
    # From here on, errors name the source by its id, which is easier to find than an index.
    where = f'sources[id="{entry["id"]}"]'
    if entry.get("quarantine", "violation") not in QUARANTINE_POLICIES:
        _bad(path, f"{where}.quarantine", "validate.problem.quarantine", value=entry["quarantine"],
             known=", ".join(QUARANTINE_POLICIES))
    if "timezone" in entry and not _known_zone(entry["timezone"]):
        _bad(path, f"{where}.timezone", "mapping.problem.timezone", value=entry["timezone"])
    severities = _severities(path, f"{where}.severities", entry.get("severities", {}))
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
        timezone=entry.get("timezone"),
        severities=severities,
        root=path.parent.resolve(),
    )


def _severities(path: Path, where: str, table: dict[str, Any]) -> dict[str, str]:
    """A source's tuned severities: each a rule culturedata makes that can be tuned, set to a
    severity or to "ignore"; anything else names what it could be."""
    from culturedata.records import TUNABLE_RULES, TUNED_SEVERITIES

    for rule, value in table.items():
        if rule not in TUNABLE_RULES:
            _bad(path, f"{where}.{rule}", "mapping.problem.rule", value=rule, known=", ".join(TUNABLE_RULES))
        if value not in TUNED_SEVERITIES:
            _bad(path, f"{where}.{rule}", "config.problem.choice", choices=", ".join(TUNED_SEVERITIES), value=value)
    return {str(rule): str(value) for rule, value in table.items()}


def _known_zone(name: object) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _texts(path: Path, key: str, value: str | dict[str, Any]) -> dict[str, str]:
    """A text given once, or per language as {fr = "…", en = "…"}."""
    if isinstance(value, str):
        return {"fr": value, "en": value}
    texts = {lang: str(text) for lang, text in value.items() if isinstance(text, str)}
    if not ({"fr", "en"} & set(texts)):
        _bad(path, key, "config.problem.languages")
    return texts


def _unknown(path: Path, key: str, known: list[str]) -> NoReturn:
    raise ConfigError("config.unknown_key", path=path, key=key, known=", ".join(known))


def _bad_type(path: Path, key: str, expected: str, value: object) -> NoReturn:
    from culturedata.messages import t

    problem = t("config.problem.type", expected=expected, actual=type(value).__name__)
    raise ConfigError("config.bad_value", path=path, key=key, problem=problem)


def _bad(path: Path, key: str, problem_code: str, **params: Any) -> NoReturn:
    from culturedata.messages import t

    raise ConfigError("config.bad_value", path=path, key=key, problem=t(problem_code, **params))

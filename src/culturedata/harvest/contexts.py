"""JSON-LD contexts resolved offline: a remote `@context` is replaced by the cached document's.

pyoxigraph's JSON-LD parser (0.5) has no document loader in Python: a document whose
`@context` is a URL stops with "No LoadDocumentCallback has been set". rdflib's parser would
fetch it from the network. Neither is acceptable while harvesting or validating, so culturedata
does what a loader would do, before parsing: every context named by URL (at the top, inside a
node, in a list, as a scoped context of a term, or through `@import`) is replaced by the
`@context` of the file that stands for it in the shipped cache (`contexts/`, see its README) or
in a folder of the source's own (option `contexts`). The document then parses with no remote
context left, the same way for `culturedata validate --rdf`, `culturedata map` and the harvest.

A URL no folder knows is an `InputError` naming it: the document cannot be read as meant.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from culturedata.errors import ConfigError, InputError
from culturedata.messages import t
from culturedata.resources import contexts_dir

# `"@context": "https://…"`: a context named by URL (JSON strings with no escapes: a URL needs none)
_NAMED = re.compile(rb'"@context"\s*:\s*"([^"\\]+)"')
MAX_DEPTH = 32  # contexts naming contexts: past this it is a loop, not a vocabulary


class Contexts:
    """The context documents known offline, by URL; folders given first win over the shipped one."""

    def __init__(self, folders: Iterable[Path] = ()) -> None:
        self.files: dict[str, Path] = {}
        self.texts: dict[str, bytes] = {}  # contexts as JSON text, ready to splice, by URL
        for folder in (*folders, contexts_dir()):
            for url, path in read_index(folder).items():
                self.files.setdefault(_key(url), path)

    def known(self, url: str) -> bool:
        return _key(url) in self.files

    def context(self, url: str, document: str) -> Any:
        """The `@context` value of the document standing for `url`."""
        path = self.files.get(_key(url))
        if path is None:
            raise InputError("harvest.rdf.unknown_context", path=document, url=url)
        return _load(path)

    def text(self, url: str, document: str) -> bytes:
        """The JSON text of the context `url` stands for, its own remote contexts resolved."""
        found = self.texts.get(url)
        if found is None:
            loaded = self.context(url, document)
            resolved = _Inliner(self, document).context(loaded, url, 1)
            found = self.texts[url] = json.dumps(loaded if resolved is _UNCHANGED else resolved,
                                                 ensure_ascii=False).encode("utf-8")
        return found

    def inline(self, data: bytes, base: str | None, document: str) -> bytes:
        """The JSON-LD text with every remote context replaced by its cached content; the
        same bytes when it names none. Broken JSON is left to the parser to report."""
        if b'"@context"' not in data:  # `@import` is only ever inside a context: one scan says both
            return data
        single = _NAMED.search(data) if data.count(b'"@context"') == 1 and b"@import" not in data else None
        if single is not None:
            # The usual document: one context, named by URL. Its text goes in place of the URL,
            # and the document is not parsed here at all (Oxigraph's parser reads it once).
            url = urljoin(base, single.group(1).decode()) if base else single.group(1).decode()
            return data[:single.start(1) - 1] + self.text(url, document) + data[single.end(1) + 1:]
        try:
            tree = json.loads(data)
        except ValueError:
            return data
        changed = _Inliner(self, document).node(tree, base or "", 0)
        if changed is _UNCHANGED:
            return data
        return json.dumps(changed, ensure_ascii=False).encode("utf-8")


_UNCHANGED: Any = object()


class _Inliner:
    def __init__(self, contexts: Contexts, document: str) -> None:
        self.contexts = contexts
        self.document = document

    def node(self, value: Any, base: str, depth: int) -> Any:
        """`value` with the contexts inside it resolved, or _UNCHANGED."""
        if isinstance(value, list):
            items = [self.node(item, base, depth) for item in value]
            if all(item is _UNCHANGED for item in items):
                return _UNCHANGED
            return [value[i] if item is _UNCHANGED else item for i, item in enumerate(items)]
        if not isinstance(value, dict):
            return _UNCHANGED
        changed: dict[str, Any] = {}
        for key, item in value.items():
            if key == "@context":
                resolved = self.context(item, base, depth)
            elif key in ("@value", "@language", "@id", "@type"):
                continue
            else:
                resolved = self.node(item, base, depth)
            if resolved is not _UNCHANGED:
                changed[key] = resolved
        return {**value, **changed} if changed else _UNCHANGED

    def context(self, value: Any, base: str, depth: int) -> Any:
        """A context value with no URL left in it, or _UNCHANGED."""
        if depth > MAX_DEPTH:
            raise InputError("harvest.rdf.context_loop", path=self.document, depth=MAX_DEPTH)
        if isinstance(value, str):
            url = urljoin(base, value) if base else value
            loaded = self.contexts.context(url, self.document)
            resolved = self.context(loaded, url, depth + 1)
            return loaded if resolved is _UNCHANGED else resolved
        if isinstance(value, list):
            items = [self.context(item, base, depth) for item in value]
            if all(item is _UNCHANGED for item in items):
                return _UNCHANGED
            flat: list[Any] = []
            for original, item in zip(value, items, strict=True):
                chosen = original if item is _UNCHANGED else item
                flat.extend(chosen if isinstance(chosen, list) and isinstance(original, str) else [chosen])
            return flat
        if not isinstance(value, dict):
            return _UNCHANGED
        return self.definitions(value, base, depth)

    def definitions(self, value: dict[str, Any], base: str, depth: int) -> Any:
        changed: dict[str, Any] = {}
        imported: dict[str, Any] | None = None
        for key, item in value.items():
            if key == "@import" and isinstance(item, str):
                url = urljoin(base, item) if base else item
                loaded = self.contexts.context(url, self.document)
                resolved = self.context(loaded, url, depth + 1)
                imported = loaded if resolved is _UNCHANGED else resolved
                if not isinstance(imported, dict):
                    imported = None
            elif isinstance(item, dict) and "@context" in item:  # a scoped context
                scoped = self.context(item["@context"], base, depth + 1)
                if scoped is not _UNCHANGED:
                    changed[key] = {**item, "@context": scoped}
        if imported is None and not changed:
            return _UNCHANGED
        merged = {k: v for k, v in value.items() if k != "@import"}
        merged.update(changed)
        # An imported context is as if written first: the importing one's terms win.
        return {**(imported or {}), **merged}


def contexts_folder(root: Path, folder: str, key: str, config: object) -> Path:
    """A configured folder of more contexts (`options.contexts`, `[validate] contexts`): absolute,
    or relative to the configuration file's folder `root`, as every path in culturedata.toml is;
    one that does not exist is an error naming the `key` and the `config` file."""
    path = root / folder
    if not path.is_dir():
        raise ConfigError("config.bad_value", path=config, key=key,
                          problem=t("config.problem.missing_path", value=folder))
    return path


def read_index(folder: Path) -> dict[str, Path]:
    """A contexts folder's `index.toml`: `[contexts]` URL = file (relative to the folder)."""
    index = folder / "index.toml"
    try:
        changed = index.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise ConfigError("harvest.rdf.no_context_index", path=index) from exc
    except OSError as exc:
        raise ConfigError("harvest.rdf.bad_context_index", path=index, detail=exc) from exc
    return dict(_read_index(index, changed))


@lru_cache(maxsize=16)
def _read_index(index: Path, changed: int) -> tuple[tuple[str, Path], ...]:
    """The index as read once per version of the file (`changed`: its modification time), not
    once per source and document: every harvest of an `rdf` source starts by reading it."""
    folder = index.parent
    try:
        with index.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError("harvest.rdf.no_context_index", path=index) from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("harvest.rdf.bad_context_index", path=index, detail=exc) from exc
    table = raw.get("contexts")
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError("harvest.rdf.bad_context_index", path=index, detail="[contexts] URL = \"file\"")
    return tuple((str(url), folder / str(name)) for url, name in table.items())


def _key(url: str) -> str:
    """Contexts are looked up without their fragment."""
    return urldefrag(url)[0]


@lru_cache(maxsize=64)
def _load(path: Path) -> Any:
    """The `@context` of a cached document, read once per process (shared, never modified)."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError("harvest.rdf.bad_context_file", path=path, detail=exc) from exc
    if not isinstance(document, dict) or "@context" not in document:
        raise ConfigError("harvest.rdf.bad_context_file", path=path, detail="no @context")
    return document["@context"]

"""The steward's decisions, `pooling-decisions.toml` beside `culturedata.toml`.

    [[accept]]                 # these two are the same, whatever the scores say
    entities = ["…/id/musee-fjord-bleu/personne/helene-bouchard", "…/id/musee-anse-aux-brumes/agent/h-bouchard"]
    note = "Same painter: checked with the family's donation file."

    [[reject]]                 # these two are different, whatever they share
    entities = ["…", "…"]

    [[split]]                  # this entity leaves its cluster: only accepted pairs link it
    entity = "…"

The file is read at every run and never written by one; decisions win over scores and shared
ids. An entity named here that no source sends any more is simply not found (no error).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from culturedata.errors import UsageError

FILE_NAME = "pooling-decisions.toml"


@dataclass(frozen=True, slots=True)
class Decisions:
    accept: frozenset[tuple[str, str]] = frozenset()
    reject: frozenset[tuple[str, str]] = frozenset()
    split: frozenset[str] = frozenset()
    path: Path | None = field(default=None, compare=False)

    def rejected(self, left: str, right: str) -> bool:
        return _pair(left, right) in self.reject

    def __len__(self) -> int:
        return len(self.accept) + len(self.reject) + len(self.split)


def read_decisions(path: Path) -> Decisions:
    if not path.is_file():
        return Decisions(path=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError("pooling.decisions.unreadable", path=path, detail=exc) from exc
    unknown = set(raw) - {"accept", "reject", "split"}
    if unknown:
        raise UsageError("pooling.decisions.unknown", path=path, key=sorted(unknown)[0])
    return Decisions(
        frozenset(_pairs(path, "accept", raw.get("accept", []))),
        frozenset(_pairs(path, "reject", raw.get("reject", []))),
        frozenset(_entity(path, entry) for entry in _entries(path, "split", raw.get("split", []))),
        path,
    )


def _pair(left: str, right: str) -> tuple[str, str]:
    return (left, right) if left <= right else (right, left)


def _entries(path: Path, key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise UsageError("pooling.decisions.bad_entry", path=path, key=key)
    return value


def _pairs(path: Path, key: str, value: Any) -> list[tuple[str, str]]:
    pairs = []
    for entry in _entries(path, key, value):
        entities = entry.get("entities")
        if (not isinstance(entities, list) or len(entities) != 2
                or not all(isinstance(e, str) and e for e in entities)):
            raise UsageError("pooling.decisions.bad_entry", path=path, key=key)
        pairs.append(_pair(entities[0], entities[1]))
    return pairs


def _entity(path: Path, entry: dict[str, Any]) -> str:
    entity = entry.get("entity")
    if not isinstance(entity, str) or not entity:
        raise UsageError("pooling.decisions.bad_entry", path=path, key="split")
    return entity

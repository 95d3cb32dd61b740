"""The main-entity IRIs a source's records minted when they were last mapped, kept between runs.

An incremental run maps only the records that changed; to tell whether one of them now mints
the IRI an unchanged, published record minted for something else (`identities.py`), the run
needs what the others minted without reading every record graph of the source again. This is
that index: one JSON file per source beside the harvest state, record key -> its content hash
when mapped, its location, and each main-entity IRI it minted with the fingerprint of its names.

It is read only when a run mapped something (lazily, on the first question) and rewritten once
per run, after the source's records are written. An entry counts only while the store says the
record is published from that same content (the caller's `still`): an index ahead of or behind
the store (a run that failed to publish, a rollback) then asks nothing wrong, at worst misses
a collision until the record is mapped again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

Fingerprinted = tuple[tuple[str, int], ...]  # (IRI as N-Triples writes it, fingerprint of its names)


@dataclass(frozen=True, slots=True)
class Minted:
    """What one record minted when it was last mapped."""

    content_hash: str | None
    location: str | None
    iris: Fingerprinted


class PublishedIdentities:
    """One source's index (see the module's docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._records: dict[str, Minted] | None = None
        self._by_iri: dict[str, list[str]] | None = None

    def exists(self) -> bool:
        return self._records is not None or self.path.is_file()

    def records(self) -> dict[str, Minted]:
        if self._records is None:
            self._records = self._read()
        return self._records

    def record(self, key: str) -> Minted | None:
        return self.records().get(key)

    def minting(self, iri: str) -> list[str]:
        """The records that minted `iri` (`<…>`), by key."""
        if self._by_iri is None:
            by_iri: dict[str, list[str]] = {}
            for key, minted in self.records().items():
                for subject, _ in minted.iris:
                    by_iri.setdefault(subject, []).append(key)
            self._by_iri = by_iri
        return self._by_iri.get(iri, [])

    def update(self, published: dict[str, Minted], gone: set[str]) -> None:
        """Keep `published` (the records this run published), forget `gone` (mapped and not
        published, deleted, quarantined), and write the file (atomically) when anything changed."""
        if not published and not gone:
            return
        records = self.records()
        for key in gone:
            records.pop(key, None)
        records.update(published)
        self._by_iri = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {key: [m.content_hash, m.location, [list(pair) for pair in m.iris]] for key, m in records.items()}
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.path)

    def _read(self) -> dict[str, Minted]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # unreadable: as if new; rewritten at the end of the run
        if not isinstance(data, dict):
            return {}
        return {
            str(key): Minted(entry[0], entry[1], tuple((str(iri), int(fp)) for iri, fp in entry[2]))
            for key, entry in data.items()
            if isinstance(entry, list) and len(entry) == 3
        }

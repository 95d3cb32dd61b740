"""Two records of one run that mint the same IRI for different things.

An id that repeats in an export (two objects numbered alike), or an IRI template keyed on a
value that is not unique, makes two records describe one node: the store would publish the
union of both (one object with two titles) and nobody would know. `Identities` remembers, for
one run over one source, each main-entity IRI with the record that minted it and what makes
it that thing (its sorted name lines, kept as a 64-bit fingerprint of their joined text: its
classes are the main entity's `types`, the same for every record of the mapping); a later record
minting the same IRI with other names gets an `identity-collision` violation naming the first,
and the run keeps the pair for its report. The
same IRI with the same names is the same thing told twice, and merges as before. The engine
hands over the name lines as its emitters write them (`_Run.lines(named=True)`), so the check
reads no line twice: scanning each record's text cost a tenth of the CSV mapping speed.

Only the record's main entity (the first of the mapping) is checked: the others (a person, a
place, an image) are meant to be shared between records, which is what identity across records
is for. Memory: packed (issue 16), 0.18 kB a record besides its IRI (its key, three ints in
arrays, one dict entry; the content hash and location are the record's own strings), against
0.58 kB before (three tuples, the names' text, two dict entries), which made the check alone
twice as slow at 60,000 records as at 2,000 (now 1.2 times).

An incremental run maps only what changed, so the records it maps are also checked against what
the source's unchanged records published (`against`, after the run's records: a record mapped
later in the run may be the one that stopped minting the IRI). Those IRIs come from a compact
index kept beside the harvest state (`published.py`), read only when the run mapped something.
The index keeps a CRC-32 of the sorted name lines joined by newlines: it must mean the same in
the next process, so it is the low half of the fingerprint (`fingerprint`), which a worker
process also sends the run's process instead of the names (`take`, `register`).
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from culturedata.mapping.published import Minted, PublishedIdentities
from culturedata.messages import both
from culturedata.records import Finding, Severity, SourceRecord


@dataclass(frozen=True, slots=True)
class Collision:
    iri: str
    first: str  # the record that minted it first ("source:id")
    first_location: str | None
    second: str
    second_location: str | None


# A main entity as a record minted it: its IRI and the fingerprint of its names (`fingerprint`).
Fingerprinted = tuple[tuple[str, int], ...]


@dataclass(slots=True)
class Identities:
    collisions: list[Collision] = field(default_factory=list)
    # With published records of the source (`against`): `first` is the published one.
    published: list[Collision] = field(default_factory=list)
    # What the run keeps is packed (issue 16): at 60,000 records, the small objects kept per
    # record (three tuples, the names' text, two dict entries) made the check twice as slow as at
    # 2,000. One slot each time a record is mapped: its key, content hash and location (the
    # record's own strings), and its first entity; a record's entities run to the next slot's first.
    _keys: list[str] = field(default_factory=list)
    _hashes: list[str | None] = field(default_factory=list)
    _locations: list[str | None] = field(default_factory=list)
    _first: array[int] = field(default_factory=lambda: array("q"))
    # One entry per main entity: its IRI and its names' fingerprint (`fingerprint`).
    _iris: list[str] = field(default_factory=list)
    _names: array[int] = field(default_factory=lambda: array("Q"))
    _seen: dict[str, int] = field(default_factory=dict)  # IRI -> the entity of the record that minted it first
    _latest: tuple[int, dict[str, int]] = (-1, {})  # `minted` as made when asked for, for that many slots

    def mapped(self, record: SourceRecord) -> None:
        """`record` goes through the mapping this run: what it minted before no longer counts."""
        self._keys.append(record.key)
        self._hashes.append(record.content_hash)
        self._locations.append(record.location)
        self._first.append(len(self._names))

    def check(self, record: SourceRecord, named: list[tuple[str, list[str]]]) -> list[Finding]:
        """Register the main entities of a record (each subject with its name lines, as the
        engine wrote them); a violation for each IRI another record of the run minted for
        something else."""
        # One name line (the usual main entity) is sorted already. Each line ends with its
        # newline and holds no other (N-Triples), so the joined text tells the lines apart.
        return self.register(record, [(subject, fingerprint("\n".join(sorted(lines) if len(lines) > 1 else lines)))
                                      for subject, lines in named])

    def register(self, record: SourceRecord, minted: Sequence[tuple[str, int]]) -> list[Finding]:
        """`check` with the names fingerprinted already (a worker process's, `take`)."""
        findings: list[Finding] = []
        self.mapped(record)
        keys, names, first = self._keys, self._names, self._first
        key = keys[-1]
        seen, iris = self._seen, self._iris
        for subject, print_ in minted:
            entity = len(names)
            iris.append(subject)
            names.append(print_)
            known = seen.setdefault(subject, entity)
            if known != entity:
                # The slot that minted it first (an empty slot before it starts where it does).
                slot = bisect_right(first, known) - 1
                if keys[slot] != key and names[known] != print_:
                    findings.append(self._collision(record, subject, slot))
        return findings

    def take(self, key: str) -> Fingerprinted | None:
        """What the record `key` minted, if it was the last one mapped, and forget the whole run
        (a worker process checks one record at a time; the run's process checks them together)."""
        told = self._entities(len(self._keys) - 1) if self._keys and self._keys[-1] == key else None
        fresh = Identities()
        self._keys, self._hashes, self._locations, self._first = fresh._keys, fresh._hashes, fresh._locations, fresh._first
        self._iris, self._names, self._seen, self._latest = fresh._iris, fresh._names, fresh._seen, fresh._latest
        return told

    @property
    def minted(self) -> dict[str, int]:
        """The records mapped this run, by key (each to its last slot)."""
        if self._latest[0] != len(self._keys):
            self._latest = (len(self._keys), {key: slot for slot, key in enumerate(self._keys)})
        return self._latest[1]

    def _entities(self, slot: int) -> Fingerprinted:
        end = self._first[slot + 1] if slot + 1 < len(self._first) else len(self._names)
        return tuple(zip(self._iris[self._first[slot]:end], self._names[self._first[slot]:end], strict=True))

    def _collision(self, record: SourceRecord, subject: str, first: int) -> Finding:
        iri, key, where = subject[1:-1], self._keys[first], self._locations[first]
        self.collisions.append(Collision(iri, key, where, record.key, record.location))
        return Finding(
            stage="map", severity=Severity.VIOLATION, rule="identity-collision",
            message=both("mapping.record.identity_collision", record=record.key, iri=iri, first=key,
                         where=where or "-"),
            source_id=record.source_id, local_id=record.local_id, location=record.location, focus=iri,
            value=key,
        )

    def entry(self, key: str) -> Minted:
        """What the record `key` minted this run, as the index keeps it."""
        slot = self.minted[key]
        return Minted(self._hashes[slot], self._locations[slot],
                      tuple((subject, _stable(print_)) for subject, print_ in self._entities(slot)))

    def against(self, index: PublishedIdentities, still: Callable[[str, Minted], bool]) -> list[Collision]:
        """The run's main entities checked against those the source's other published records
        minted: `still(key, minted)` says whether that record is published as it was when it
        minted them. Each pair found is kept in `published` (the published record first)."""
        if not self._seen or not index.exists():
            return []
        latest, first = self.minted, self._first
        for subject, entity in self._seen.items():
            slot = bisect_right(first, entity) - 1
            key, location = self._keys[slot], self._locations[slot]
            for other in index.minting(subject):
                if other in latest:
                    continue  # mapped this run: what it mints now is in `_seen`
                before = index.record(other)
                if before is None or not still(other, before):
                    continue
                # The names the record gives it now (its last mapping of the run).
                now = next(p for s, p in (*self._entities(latest[key]), (subject, self._names[entity])) if s == subject)
                if dict(before.iris).get(subject) != _stable(now):
                    self.published.append(Collision(subject[1:-1], other, before.location, key, location))
        return self.published

    def first_findings(self) -> list[Finding]:
        """For each collision, the finding of the record that minted the IRI first (it was
        handed on before the second was read; the pipeline quarantines it afterwards)."""
        return [Finding(
            stage="map", severity=Severity.VIOLATION, rule="identity-collision",
            message=both("mapping.record.identity_collision", record=c.first, iri=c.iri, first=c.second,
                         where=c.second_location or "-"),
            source_id=c.first.partition(":")[0], local_id=c.first.partition(":")[2], location=c.first_location,
            focus=c.iri, value=c.second,
        ) for c in self.collisions]

    def findings(self, source_id: str) -> list[Finding]:
        """The run's collisions, each naming both records (for the run report: the first record
        was handed on before the second was read)."""
        return [Finding(
            stage="map", severity=Severity.VIOLATION, rule="identity-collision",
            message=both("mapping.run.identity_collision", iri=c.iri, first=c.first, first_where=c.first_location or "-",
                         second=c.second, second_where=c.second_location or "-"),
            source_id=source_id, local_id=c.first.partition(":")[2], focus=c.iri, value=c.second,
            location=c.first_location,
        ) for c in (*self.collisions, *self.published)]


def fingerprint(names: str) -> int:
    """A main entity's names (its sorted name lines joined by newlines) as 64 bits: their CRC-32
    (which the index of published records keeps: it means the same in the next process) and,
    above it, their Adler-32. Two different names told alike would hide a collision: with 64
    bits, about one chance in 10^19 for each IRI two records mint."""
    data = names.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) | zlib.adler32(data) << 32


def _stable(print_: int) -> int:
    """The CRC-32 of the names, as the index keeps it."""
    return print_ & 0xFFFFFFFF


def collision_finding(record: str, location: str | None, iri: str, other: str, other_location: str | None,
                      other_published: bool = False) -> Finding:
    """The `identity-collision` finding of `record` ("source:id"), which minted `iri` as `other`
    (of this run, or `other_published`: unchanged, as published) did for something else."""
    code = "mapping.record.identity_collision_published" if other_published else "mapping.record.identity_collision"
    return Finding(
        stage="map", severity=Severity.VIOLATION, rule="identity-collision",
        message=both(code, record=record, iri=iri, first=other, where=other_location or "-"),
        source_id=record.partition(":")[0], local_id=record.partition(":")[2], location=location, focus=iri,
        value=other,
    )

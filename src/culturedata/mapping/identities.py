"""Two records of one run that mint the same IRI for different things.

An id that repeats in an export (two objects numbered alike), or an IRI template keyed on a
value that is not unique, makes two records describe one node: the store would publish the
union of both (one object with two titles) and nobody would know. `Identities` remembers, for
one run over one source, each main-entity IRI with the record that minted it and what makes
it that thing (its sorted name lines, kept joined as one text: its classes are the main entity's `types`, the same
for every record of the mapping); a later record minting the same IRI with other names gets an
`identity-collision` violation naming the first, and the run keeps the pair for its report. The
same IRI with the same names is the same thing told twice, and merges as before. The engine
hands over the name lines as its emitters write them (`_Run.lines(named=True)`), so the check
reads no line twice: scanning each record's text cost a tenth of the CSV mapping speed.

Only the record's main entity (the first of the mapping) is checked: the others (a person, a
place, an image) are meant to be shared between records, which is what identity across records
is for. Memory: one small entry per main entity of the run.

An incremental run maps only what changed, so the records it maps are also checked against what
the source's unchanged records published (`against`, after the run's records: a record mapped
later in the run may be the one that stopped minting the IRI). Those IRIs come from a compact
index kept beside the harvest state (`published.py`), read only when the run mapped something.
The index keeps a CRC of the sorted name lines (`stable`): it must mean the same in the next process.
The names are kept as one text, not a tuple of the lines: keeping each record's line strings
alive for the run cost more than the check itself (issue 16: 2.6 µs a record, against 1.3).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
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


Names = str  # a main entity's name lines, sorted, joined by "\n" (as `stable` fingerprints them)
# What a record minted this run: its content hash and location, each main entity with its names,
# and the record's key.
MintedNow = tuple[str | None, str | None, tuple[tuple[str, Names], ...], str]


@dataclass(slots=True)
class Identities:
    # IRI -> what the record that minted it first minted then: the entry `minted` held, shared, not
    # a tuple of its own per IRI (one object fewer kept a record, for the whole run).
    seen: dict[str, MintedNow] = field(default_factory=dict)
    collisions: list[Collision] = field(default_factory=list)
    # With published records of the source (`against`): `first` is the published one.
    published: list[Collision] = field(default_factory=list)
    # Record key -> what it minted, for `against` and the index. Plain tuples, and the names kept
    # as the check sorted and joined them (compared as they are: hashing them cost more than the rare
    # comparison): a stable fingerprint is made only for the records the index keeps.
    minted: dict[str, MintedNow] = field(default_factory=dict)

    def mapped(self, record: SourceRecord) -> None:
        """`record` goes through the mapping this run: what it minted before no longer counts."""
        key = record.key
        self.minted[key] = (record.content_hash, record.location, (), key)

    def check(self, record: SourceRecord, named: list[tuple[str, list[str]]]) -> list[Finding]:
        """Register the main entities of a record (each subject with its name lines, as the
        engine wrote them); a violation for each IRI another record of the run minted for
        something else."""
        findings: list[Finding] = []
        key, location, seen = record.key, record.location, self.seen
        # Tuples of strings only: the cyclic collector stops tracking them, where it would walk
        # a list at every full collection (tens of thousands of lists cost a tenth of the speed).
        # One name line (the usual main entity) is sorted already. Each line ends with its
        # newline and holds no other (N-Triples), so the joined text tells the lines apart.
        minted = tuple([(subject, "\n".join(sorted(lines)) if len(lines) > 1 else "\n".join(lines))
                        for subject, lines in named])
        entry = self.minted[key] = (record.content_hash, location, minted, key)
        for subject, names in minted:
            known = seen.get(subject)
            if known is None:
                seen[subject] = entry
            elif known[3] != key and _names(known, subject) != names:
                findings.append(self._collision(record, subject, known))
        return findings

    def _collision(self, record: SourceRecord, subject: str, known: MintedNow) -> Finding:
        iri, first, where = subject[1:-1], known[3], known[1]
        self.collisions.append(Collision(iri, first, where, record.key, record.location))
        return Finding(
            stage="map", severity=Severity.VIOLATION, rule="identity-collision",
            message=both("mapping.record.identity_collision", record=record.key, iri=iri, first=first,
                         where=where or "-"),
            source_id=record.source_id, local_id=record.local_id, location=record.location, focus=iri,
            value=first,
        )

    def entry(self, key: str) -> Minted:
        """What the record `key` minted this run, as the index keeps it."""
        content_hash, location, minted, _ = self.minted[key]
        return Minted(content_hash, location, tuple((subject, stable(names)) for subject, names in minted))

    def against(self, index: PublishedIdentities, still: Callable[[str, Minted], bool]) -> list[Collision]:
        """The run's main entities checked against those the source's other published records
        minted: `still(key, minted)` says whether that record is published as it was when it
        minted them. Each pair found is kept in `published` (the published record first)."""
        if not self.seen or not index.exists():
            return []
        for subject, (_, location, _, key) in self.seen.items():
            for other in index.minting(subject):
                if other in self.minted:
                    continue  # mapped this run: what it mints now is in `seen`
                before = index.record(other)
                if before is None or not still(other, before):
                    continue
                names = next(n for s, n in self.minted[key][2] if s == subject)
                if dict(before.iris).get(subject) != stable(names):
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


def _names(minted: MintedNow, subject: str) -> Names:
    """The names a record gave `subject` when it minted it."""
    return next(names for iri, names in minted[2] if iri == subject)


def stable(names: Names) -> int:
    """A fingerprint of a main entity's names that means the same in the next process."""
    return zlib.crc32(names.encode("utf-8", "surrogatepass"))


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

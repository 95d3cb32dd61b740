"""Two records of one run that mint the same IRI for different things.

An id that repeats in an export (two objects numbered alike), or an IRI template keyed on a
value that is not unique, makes two records describe one node: the store would publish the
union of both (one object with two titles) and nobody would know. `Identities` remembers, for
one run over one source, each main-entity IRI with the record that minted it and a fingerprint
of what makes it that thing (its names: its classes are the main entity's `types`, the same
for every record of the mapping); a later record minting the same IRI with other names gets an
`identity-collision` violation naming the first, and the run keeps the pair for its report. The
same IRI with the same names is the same thing told twice, and merges as before.

Only the record's main entity (the first of the mapping) is checked: the others (a person, a
place, an image) are meant to be shared between records, which is what identity across records
is for. Memory: one small entry per main entity of the run. Cost: the name lines are found
with `str.find` over the main entity's text (a Python loop over every line cost a tenth of the
CSV mapping speed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from culturedata.messages import both
from culturedata.records import Finding, Severity, SourceRecord

# What tells two nodes of one class apart, as the engine writes it between subject and object.
NAME = " <http://schema.org/name> "


@dataclass(frozen=True, slots=True)
class Collision:
    iri: str
    first: str  # the record that minted it first ("source:id")
    first_location: str | None
    second: str
    second_location: str | None


@dataclass(slots=True)
class Identities:
    seen: dict[str, tuple[int, str, str | None]] = field(default_factory=dict)  # IRI -> fingerprint, record
    collisions: list[Collision] = field(default_factory=list)

    def check(self, record: SourceRecord, lines: list[str], end: int) -> list[Finding]:
        """Register the main entities of a record (`lines[:end]`, as the engine wrote them);
        a violation for each IRI another record of the run minted for something else."""
        described: dict[str, list[str]] = {}
        text = "".join(lines[:end])  # one triple a line: newlines in literals are escaped
        at = text.find(NAME)
        while at != -1:
            stop = text.find("\n", at)
            subject = text[text.rfind("\n", 0, at) + 1:at]
            if " " not in subject:  # not the same words inside a literal
                described.setdefault(subject, []).append(text[at:stop])
            at = text.find(NAME, stop)
        findings = []
        for subject, lines in described.items():
            fingerprint = hash(tuple(sorted(lines)))
            known = self.seen.get(subject)
            if known is None:
                self.seen[subject] = (fingerprint, record.key, record.location)
                continue
            if known[0] == fingerprint or known[1] == record.key:
                continue
            iri = subject[1:-1]
            self.collisions.append(Collision(iri, known[1], known[2], record.key, record.location))
            findings.append(Finding(
                stage="map", severity=Severity.VIOLATION, rule="identity-collision",
                message=both("mapping.record.identity_collision", record=record.key, iri=iri, first=known[1],
                             where=known[2] or "-"),
                source_id=record.source_id, local_id=record.local_id, location=record.location, focus=iri,
                value=known[1],
            ))
        return findings

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
        ) for c in self.collisions]

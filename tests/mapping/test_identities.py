"""The identity watcher's packed store (issue 16): the same findings, the same index entries, and
the same answers through a worker process's fingerprints as through the name lines."""

from __future__ import annotations

import zlib

from culturedata.mapping import Identities, Minted
from culturedata.mapping.identities import fingerprint
from culturedata.records import SourceRecord

X, Y = "<http://x/objet/1>", "<http://x/objet/2>"
TITLE_A, TITLE_B = f'{X} <http://schema.org/name> "A" .\n', f'{X} <http://schema.org/name> "B" .\n'
OTHER = f'{X} <http://schema.org/alternateName> "A2" .\n'


def record(local_id: str) -> SourceRecord:
    return SourceRecord("s", local_id, b"", "text/csv", f"hash-{local_id}", location=f"line {local_id}")


# (record, name lines of each main entity, or None: refused, mapped without minting anything)
RUN: list[tuple[str, list[tuple[str, list[str]]] | None]] = [
    ("1", [(X, [TITLE_A, OTHER])]),
    ("2", None),
    ("3", [(X, [OTHER, TITLE_A])]),  # the same names in another order: the same thing, no finding
    ("4", None),
    ("5", [(X, [TITLE_B])]),  # collides with 1, the first to mint it, not with the refused 4
    ("6", [(Y, [TITLE_B])]),
    ("6", [(Y, [TITLE_A])]),  # the same record mapped again: never its own collision
    ("7", None),
    ("8", [(Y, [OTHER])]),  # collides with 6 (its first mapping minted Y first)
]


def watch(identities: Identities) -> dict[str, list[str | None]]:
    """The run through `check`: each record's findings, by the record they name."""
    said: dict[str, list[str | None]] = {}
    for local_id, named in RUN:
        if named is None:
            identities.mapped(record(local_id))
        else:
            said[local_id] = [f.value for f in identities.check(record(local_id), named)]
    return said


def test_a_collision_names_the_record_that_minted_the_iri_first() -> None:
    identities = Identities()
    assert watch(identities) == {"1": [], "3": [], "5": ["s:1"], "6": [], "8": ["s:6"]}
    assert [(c.iri, c.first, c.first_location, c.second) for c in identities.collisions] == [
        (X[1:-1], "s:1", "line 1", "s:5"), (Y[1:-1], "s:6", "line 6", "s:8")]
    assert list(identities.minted) == ["s:1", "s:2", "s:3", "s:4", "s:5", "s:6", "s:7", "s:8"]


def test_the_index_keeps_the_crc_of_the_sorted_names_as_earlier_runs_wrote_it() -> None:
    identities = Identities()
    watch(identities)
    names = "\n".join(sorted([TITLE_A, OTHER])).encode("utf-8")
    assert identities.entry("s:3") == Minted("hash-3", "line 3", ((X, zlib.crc32(names)),))
    assert identities.entry("s:6") == Minted("hash-6", "line 6", ((Y, zlib.crc32(TITLE_A.encode("utf-8"))),))
    assert identities.entry("s:4") == Minted("hash-4", "line 4", ())


def test_a_worker_processes_fingerprints_find_what_the_name_lines_find() -> None:
    direct, worker, run = Identities(), Identities(), Identities()
    expected = watch(direct)
    said: dict[str, list[str | None]] = {}
    for local_id, named in RUN:  # as parallel.py: the worker maps and forgets, the run checks
        if named is None:
            worker.mapped(record(local_id))
        else:
            worker.check(record(local_id), named)
        told = worker.take(f"s:{local_id}")
        assert told is not None
        assert told == tuple((iri, fingerprint("\n".join(sorted(lines)))) for iri, lines in named or [])
        findings = run.register(record(local_id), told)
        if named is not None:
            said[local_id] = [f.value for f in findings]
    assert said == expected
    assert run.collisions == direct.collisions
    assert {key: run.entry(key) for key in run.minted} == {key: direct.entry(key) for key in direct.minted}
    assert worker.take("s:8") is None  # forgotten

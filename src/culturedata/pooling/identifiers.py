"""Stable cluster IRIs, `{base}id/_pooled/{key}`, and the file that keeps them across runs.

A new cluster is named after its smallest published authority id ("wikidata-q296"), else
after its smallest member IRI (a digest). A cluster that shares members with one of the last
run keeps that one's IRI (the one it shares most members with), so that links to it from
outside keep working when members come and go; `clusters.json` beside the store remembers
every IRI's members. An IRI that lost all its members is kept in the file, so that it is never
given to another thing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from culturedata import iris
from culturedata.authorities import authority_of, published

Assignments = dict[str, list[str]]  # cluster IRI → its members (sorted)


def read_assignments(path: Path) -> Assignments:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): [str(m) for m in v] for k, v in data.get("clusters", {}).items()}


def write_assignments(path: Path, assignments: Assignments) -> None:
    """Written whole to a temporary file, then renamed: a killed run leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    text = json.dumps({"clusters": dict(sorted(assignments.items()))}, ensure_ascii=False, indent=1)
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, path)


def assign(base: str, clusters: Sequence[Sequence[str]], authorities: dict[str, frozenset[str]],
           previous: Assignments) -> tuple[dict[str, list[str]], Assignments]:
    """Name every cluster: (IRI → members of this run, the file's new content)."""
    owner = {member: iri for iri, members in previous.items() for member in members}
    claims: list[tuple[int, str, int]] = []  # (shared members, previous IRI, cluster index)
    for index, members in enumerate(clusters):
        shared: dict[str, int] = {}
        for member in members:
            if member in owner:
                shared[owner[member]] = shared.get(owner[member], 0) + 1
        claims.extend((count, iri, index) for iri, count in shared.items())
    named: dict[int, str] = {}
    taken: set[str] = set()
    for _count, iri, index in sorted(claims, key=lambda c: (-c[0], c[1], c[2])):
        if index not in named and iri not in taken:
            named[index] = iri
            taken.add(iri)
    used = set(previous)
    for index, members in enumerate(clusters):
        if index not in named:
            named[index] = _fresh(base, members, authorities, used)
            used.add(named[index])
    current = {named[index]: sorted(members) for index, members in enumerate(clusters)}
    kept = {iri: members for iri, members in previous.items() if iri not in current}
    return current, {**{iri: [] for iri in kept}, **current}


def _fresh(base: str, members: Sequence[str], authorities: dict[str, frozenset[str]], used: set[str]) -> str:
    ids = sorted(iri for m in members for iri in authorities.get(m, ()) if published(iri))
    if ids:
        key = f"{authority_of(ids[0])}-{iris.slug(ids[0].rstrip('/').rsplit('/', 1)[-1])}"
    else:
        key = hashlib.sha1(min(members).encode("utf-8")).hexdigest()[:12]
    candidate, n = iris.pooled(base, key), 1
    while candidate in used:  # the id's cluster was split: the second part needs its own name
        n += 1
        candidate = iris.pooled(base, f"{key}-{n}")
    return candidate

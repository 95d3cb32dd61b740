"""Which entity IRI templates can only make valid IRIs, so the engine need not check them.

Every IRI the engine writes must be one Oxigraph accepts (see ntriples.py). Most entity IRIs
are minted from templates such as `{base}id/{source}/objet/{id|slug}` or `{object}#height-{index}`:
an absolute IRI from the configuration, path characters written in the mapping, and
placeholders whose last transform is `slug` or `hash` (whose output is made of unreserved
characters and %XX escapes only). Such a template makes a valid IRI whatever the record says,
provided the configured values it uses are themselves safe, which `safe_context` checks once
per source. Checking each minted IRI with a regular expression was a tenth of the CSV
mapping's time; this settles most of them when the mapping is compiled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from culturedata.mapping.language import EntitySpec, Template
from culturedata.mapping.ntriples import iri as checked_iri
from culturedata.mapping.transforms import TRANSFORMS

_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/-]*").fullmatch  # no '%', '?' or '#'
_SAFE_OUTPUT = (TRANSFORMS["slug"], TRANSFORMS["hash"])
_ABSOLUTE = ("base", "institution")  # context values that are whole IRIs


@dataclass(frozen=True, slots=True)
class Safety:
    """A template that makes valid IRIs when the context values in `needs` are safe."""

    needs: frozenset[str]
    fragment: bool  # whether its IRIs have a '#' part


def template_safety(template: Template, entities: dict[str, Safety | None]) -> Safety | None:
    """The template's `Safety`, or None when its IRIs must be checked one by one.
    `entities` holds the safety of the entities declared before (for `{object}#...`)."""
    needs: set[str] = set()
    fragment = False
    for position, part in enumerate(template.parts):
        if isinstance(part, str):
            head, sep, tail = part.partition("#")
            if position == 0 or not _PATH(head) or not _PATH(tail) or (sep and fragment):
                return None
            fragment = fragment or bool(sep)
        elif position == 0:
            if part.transforms:
                return None
            if part.kind == "context" and part.name in _ABSOLUTE:
                needs.add(part.name)
            elif part.kind == "entity" and (other := entities.get(part.name)) is not None and not other.fragment:
                needs |= other.needs
            else:
                return None
        elif part.transforms and part.transforms[-1] in _SAFE_OUTPUT:
            continue
        elif part.kind == "context" and part.name in ("source", "index") and not part.transforms:
            needs.add(part.name)
        else:
            return None
    return Safety(frozenset(needs), fragment)


def entity_safety(spec: EntitySpec, entities: dict[str, Safety | None]) -> tuple[Safety | None, ...]:
    """The safety of each of the entity's IRI templates; records the entity's own in `entities`
    (safe only when all of its templates are, since any of them may have made its IRI)."""
    each = tuple(template_safety(t, entities) for t in spec.iris)
    if all(s is not None for s in each):
        entities[spec.name] = Safety(frozenset().union(*(s.needs for s in each if s)),
                                     any(s.fragment for s in each if s))
    else:
        entities[spec.name] = None
    return each


def safe_context(base_iri: str, source_id: str, institution: str) -> frozenset[str]:
    """The context values that keep a safe template's IRIs valid."""
    safe = {"index"}
    if _closed(base_iri):
        safe.add("base")
    if _closed(institution):
        safe.add("institution")
    if source_id and _PATH(source_id):
        safe.add("source")
    return frozenset(safe)


def _closed(iri: str) -> bool:
    """A valid ASCII IRI without a fragment whose authority is closed by a '/', so that path
    characters written after it stay in its path (or query)."""
    scheme, sep, rest = iri.partition("://")
    return bool(sep) and "/" in rest and "#" not in iri and iri.isascii() and checked_iri(iri) is not None

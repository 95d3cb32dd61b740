"""Templates bound to one source: the parts that are the same for every record joined once.

`{base}id/{source}/objet/{id|slug}` has one part that changes from record to record; `{base}`,
`{source}` and `{institution}` are fixed by the source's configuration. Binding a template to a
source writes those and the constant text between them as one string, so that filling it for
a record only visits the parts that vary ({record}, {index}, fields and entities).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from culturedata.mapping.language import Placeholder, Template
from culturedata.mapping.transforms import TRANSFORMS, Unreadable, Value

SOURCE_CONSTANTS = ("base", "source", "institution")
SLUG_ONLY = (TRANSFORMS["slug"],)  # `{id|slug}`: the engine calls iris.slug on the text directly
Bound = tuple[str | Placeholder, ...]

_value = partial(tuple.__new__, Value)  # Value(text, lang, datatype) without NamedTuple's Python-level __new__


def bind(template: Template, constants: dict[str, str]) -> Bound | None:
    """The template's parts with `constants` filled in and adjacent text joined; None when a
    constant is empty (or refused by its transforms), so that the template can never be filled."""
    parts: list[str | Placeholder] = []
    for part in template.parts:
        if isinstance(part, Placeholder) and part.kind == "context" and part.name in SOURCE_CONSTANTS:
            text = constants[part.name]
            if part.transforms:
                text = first_transformed([text], part.transforms) or ""
            if not text:
                return None
            part = text
        if isinstance(part, str) and parts and isinstance(parts[-1], str):
            parts[-1] += part
        else:
            parts.append(part)
    return tuple(parts)


def first_transformed(candidates: Sequence[str], transforms: tuple[Any, ...]) -> str | None:
    """The first value that every transform of a placeholder accepts ("{actor_id|wikidata}"
    skips a local id to reach the Wikidata one)."""
    for candidate in candidates:
        value: Value | None = _value((candidate, None, None))
        for transform in transforms:
            try:
                results = transform(value)
            except Unreadable:
                results = []
            value = results[0] if results else None
            if value is None:
                break
        if value is not None and value.text:
            return value.text
    return None

"""The columns a tabular (`format: csv`) mapping reads: what an export's header is checked against."""

from __future__ import annotations

from collections.abc import Iterator

from culturedata.mapping.language import FieldRef, Mapping, Template


def columns_read(mapping: Mapping) -> frozenset[str]:
    """Every column the mapping reads, in values, conditions, templates, IRIs and lookup
    contexts; empty for a mapping of another format."""
    if mapping.format != "csv":
        return frozenset()
    return frozenset(ref.column for ref in _refs(mapping) if ref.column and ref.column != "$")


def _refs(mapping: Mapping) -> Iterator[FieldRef]:
    for entity in mapping.entities:
        yield from entity.when
        for template in entity.iris:
            yield from _in(template)
        for _, spec in entity.properties:
            yield from (*spec.fields, *spec.when, *spec.unless)
            if spec.template is not None:
                yield from _in(spec.template)
            if spec.lookup is not None:
                for _, refs in spec.lookup.context:
                    yield from refs


def _in(template: Template) -> Iterator[FieldRef]:
    return (part.field for part in template.parts if not isinstance(part, str) and part.field is not None)

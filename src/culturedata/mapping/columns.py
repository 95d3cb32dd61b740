"""The columns a mapping reads: what an export's header is checked against, and where in the
export each value comes from, so that a finding names the column (or path) a person fixes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from culturedata.mapping.language import EntitySpec, FieldRef, Mapping, Template, ValueSpec

# Several columns that feed one value, as a report shows them: "titre_fr/titre_en".
JOIN = "/"


def columns_read(mapping: Mapping) -> frozenset[str]:
    """Every column the mapping reads, in values, conditions, templates, IRIs and lookup
    contexts; empty for a mapping of another format."""
    if mapping.format != "csv":
        return frozenset()
    return frozenset(ref.column for ref in _refs(mapping) if ref.column and ref.column != "$")


def column_name(ref: FieldRef) -> str | None:
    """What the export calls the place a field reads: its header (the `fields:` alias resolved),
    or the path or XPath as written for a JSON or XML record."""
    name = ref.column or ref.text or ref.name
    return name if name and name != "$" else None


def joined(refs: Iterable[FieldRef]) -> str | None:
    """The columns of `refs`, each once, in order, as one text; None when none is a column."""
    names = list(dict.fromkeys(name for ref in refs if (name := column_name(ref))))
    return JOIN.join(names) if names else None


def value_refs(spec: ValueSpec) -> tuple[FieldRef, ...]:
    """The fields a value is made of: its alternatives, or the fields its template reads."""
    if spec.fields:
        return spec.fields
    return tuple(template_refs(spec.template)) if spec.template is not None else ()


def template_refs(template: Template) -> Iterator[FieldRef]:
    return (part.field for part in template.parts if not isinstance(part, str) and part.field is not None)


class PropertyColumns:
    """Per kind of entity (its rdf:types) and property, the columns that feed it: what a SHACL
    finding about a node's property names. Worked out once per mapping (`property_columns`)."""

    def __init__(self, mapping: Mapping) -> None:
        by_name = {entity.name: entity for entity in mapping.entities}
        self.by_type: dict[str, dict[str, list[FieldRef]]] = {}
        self.any_type: dict[str, list[FieldRef]] = {}
        for entity in mapping.entities:
            for predicate, spec in entity.properties:
                refs = _feeding(spec, by_name)
                for kind in entity.types:
                    self.by_type.setdefault(kind, {}).setdefault(predicate, []).extend(refs)
                self.any_type.setdefault(predicate, []).extend(refs)

    def of(self, types: Iterable[str], predicate: str) -> str | None:
        """The columns feeding `predicate` on a node of `types` (any entity's when the node's
        types are not the mapping's); None when no column does."""
        refs = [ref for kind in types for ref in self.by_type.get(kind, {}).get(predicate, ())]
        return joined(refs or self.any_type.get(predicate, ()))


def property_columns(mapping: Mapping) -> PropertyColumns:
    found: PropertyColumns | None = mapping.plan.get("property_columns")
    if found is None:
        found = mapping.plan["property_columns"] = PropertyColumns(mapping)
    return found


def _feeding(spec: ValueSpec, entities: dict[str, EntitySpec]) -> list[FieldRef]:
    """The fields a property value reads; for another entity, the fields that make it exist
    (its conditions, else its IRI's fields): no creator in the row, no schema:creator."""
    if spec.source != "entity":
        return list(value_refs(spec))
    target = entities.get(spec.text)
    if target is None:
        return []
    return list(target.when) or [ref for template in target.iris for ref in template_refs(template)]


def _refs(mapping: Mapping) -> Iterator[FieldRef]:
    for entity in mapping.entities:
        yield from entity.when
        for template in entity.iris:
            yield from template_refs(template)
        for _, spec in entity.properties:
            yield from (*spec.fields, *spec.when, *spec.unless)
            if spec.template is not None:
                yield from template_refs(spec.template)
            if spec.lookup is not None:
                for _, refs in spec.lookup.context:
                    yield from refs

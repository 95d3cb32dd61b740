"""The columns a mapping reads: what an export's header is checked against, and where in the
export each value comes from, so that a finding names the column (or path) a person fixes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from lxml import etree

from culturedata.mapping.language import EntitySpec, FieldRef, Mapping, Template, ValueSpec

# Several columns that feed one value, as a report shows them: "titre_fr/titre_en"; paths and
# XPaths, which hold "/" themselves, are joined as XPath joins alternatives.
JOIN = "/"
PATHS_JOIN = " | "


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


def joined(refs: Iterable[FieldRef], fmt: str = "csv") -> str | None:
    """The columns of `refs`, each once, in order, as one text; None when none is a column."""
    names = list(dict.fromkeys(name for ref in refs if (name := column_name(ref))))
    return (JOIN if fmt == "csv" else PATHS_JOIN).join(names) if names else None


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
        self.format = mapping.format
        self.by_type: dict[str, dict[str, list[FieldRef]]] = {}
        self.any_type: dict[str, list[FieldRef]] = {}
        for entity in mapping.entities:
            for predicate, spec in entity.properties:
                refs = _feeding(spec, by_name)
                for kind in entity.types:
                    self.by_type.setdefault(kind, {}).setdefault(predicate, []).extend(refs)
                self.any_type.setdefault(predicate, []).extend(refs)

    def of(self, types: Iterable[str], predicate: str) -> str | None:
        """The columns feeding `predicate` on a node of `types` (any entity's when none of the
        node's types is one the mapping makes); None when no column does."""
        known = [self.by_type[kind] for kind in types if kind in self.by_type]
        if not known:
            return joined(self.any_type.get(predicate, ()), self.format)
        return joined((ref for properties in known for ref in properties.get(predicate, ())), self.format)


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


# --- where one value sits in a JSON or XML record -----------------------------------------------

_RECORD_LINE = re.compile(r", line (\d+)$")
_INDEX = re.compile(r"\[(\d+)\]")


def json_pointer(location: str | None, path: str) -> str:
    """The JSON pointer (RFC 6901) of a record's field, from the record's place in its document
    (`$[3]`, `data.items[3]`) and the field's dotted path (`adresse.ville`): `/3/adresse/ville`.
    A list the path walks through is pointed at as a whole. A JSON Lines record (`line 12`) is a
    document of its own: its pointer starts at its root."""
    if location is None or location.startswith("line "):
        location = "$"
    where = _INDEX.sub(r".\1", location.removeprefix("$"))
    steps = [step for step in (*where.split("."), *path.split(".")) if step]
    return "".join("/" + step.replace("~", "~0").replace("/", "~1") for step in steps)


def element_place(item: object, location: str | None) -> tuple[str, str | None] | None:
    """XML: the element a value was read from (or its attribute's or text's element), as a path
    from the file's root (`/lidoWrap/lido[3]/descriptiveMetadata/…/displayDate`), and the record's
    location with that element's line (`/lidoWrap/lido[3], line 57`) when the harvester gave the
    record's first line. None when the value is no part of an element (a computed string)."""
    element = item if isinstance(item, etree._Element) else getattr(item, "getparent", lambda: None)()
    if not isinstance(element, etree._Element) or not isinstance(element.tag, str):
        return None
    steps = []
    node: etree._Element | None = element
    while node is not None and node.getparent() is not None:
        parent = node.getparent()
        assert parent is not None
        same = [sibling for sibling in parent if sibling.tag == node.tag]
        name = etree.QName(node).localname
        steps.append(f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name)
        node = parent
    record, _, _ = (location or "").partition(", line ")
    path = "/".join([record, *reversed(steps)]) if record else "/".join(reversed(steps))
    found = _RECORD_LINE.search(location or "")
    line: object = element.sourceline  # lxml-stubs type it as `...`: an int or None at run time
    if found is None or not isinstance(line, int):
        return path, None
    return path, f"{record}, line {int(found.group(1)) + line - 1}"

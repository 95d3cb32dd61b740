"""Reading `mappings/*.yaml` into a checked `Mapping`, with file and line in every error.

A mapping names the fields it reads, then the entities a record yields: how each one's IRI
is minted, its classes and its properties. docs/mapping.md is the reference; in short:

    mapping: musee-csv
    format: csv                     # csv (fields are columns) or xml (fields are XPaths)
    prefixes: {qcp: "https://w3id.org/culturedata/ns/qcp#"}
    fields: {id: id}                # name -> column / XPath; a name not listed is a column
    null_values: ["inconnu", "n/d"] # treated as empty
    id: id                          # the field holding the record's local id
    entities:
      object:
        iri: "{base}id/{source}/objet/{id|slug}"
        types: [qcp:HeritageObject]
        when: numero_accession      # skip the entity when this field is empty
        properties:
          schema:name: [{field: titre_fr, lang: fr}]
          qcp:heldBy: {iri: "{institution}"}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from culturedata.errors import MappingError
from culturedata.resources import mappings_dir

PREFIXES = {
    "schema": "http://schema.org/",
    "qcp": "https://w3id.org/culturedata/ns/qcp#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "ado": "http://kg.artsdata.ca/ontology/",
    "adr": "http://kg.artsdata.ca/resource/",
    "wd": "http://www.wikidata.org/entity/",
}
FORMATS = ("csv", "xml")
VALUE_KEYS = {"field", "template", "const", "iri", "entity", "lang", "datatype", "split"}
ENTITY_KEYS = {"iri", "types", "when", "properties"}
TOP_KEYS = {"mapping", "title", "format", "prefixes", "namespaces", "fields", "null_values", "id", "entities"}


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """Where one property value comes from, and what kind of RDF term it becomes."""

    source: str  # "field", "template", "const", "iri" or "entity"
    text: str  # the field name, template, constant or entity name
    lang: str | None = None  # a tag, "default" for the source's language, None for none
    datatype: str | None = None
    split: str | None = None


@dataclass(frozen=True, slots=True)
class EntitySpec:
    name: str
    iri: str
    types: tuple[str, ...]
    when: str | None
    properties: tuple[tuple[str, ValueSpec], ...]


@dataclass(frozen=True, slots=True)
class Mapping:
    name: str
    path: Path
    format: str
    fields: dict[str, str]
    namespaces: dict[str, str]
    null_values: frozenset[str]
    id_field: str
    entities: tuple[EntitySpec, ...]


class _LineDict(dict):  # type: ignore[type-arg]
    line = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers on which line each mapping starts."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    value = _LineDict(loader.construct_pairs(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def find_mapping(name: str) -> Path:
    """A mapping by name (shipped in mappings/) or by path."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    shipped = mappings_dir() / f"{name}.yaml"
    if shipped.is_file():
        return shipped
    known = sorted(p.stem for p in mappings_dir().glob("*.yaml"))
    raise MappingError("mapping.not_found", name=name, known=", ".join(known) or "-")


def load_mapping(name: str) -> Mapping:
    path = find_mapping(name)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise MappingError("mapping.syntax", path=path, line=line, detail=getattr(exc, "problem", exc)) from exc
    except OSError as exc:
        raise MappingError("mapping.unreadable", path=path, detail=exc) from exc
    return _compile(path, raw)


def _compile(path: Path, raw: Any) -> Mapping:
    if not isinstance(raw, _LineDict):
        _fail(path, 1, "mapping.problem.not_a_table")
    _only(path, raw, TOP_KEYS)
    fmt = raw.get("format")
    if fmt not in FORMATS:
        _fail(path, raw.line, "mapping.problem.format", value=fmt, choices=", ".join(FORMATS))
    prefixes = {**PREFIXES, **(raw.get("prefixes") or {})}
    entities_raw = raw.get("entities")
    if not isinstance(entities_raw, _LineDict) or not entities_raw:
        _fail(path, raw.line, "mapping.problem.no_entities")
    names = set(entities_raw)
    entities = tuple(_entity(path, name, spec, prefixes, names) for name, spec in entities_raw.items())
    return Mapping(
        name=str(raw.get("mapping") or path.stem),
        path=path,
        format=fmt,
        fields={str(k): str(v) for k, v in (raw.get("fields") or {}).items()},
        namespaces={str(k): str(v) for k, v in (raw.get("namespaces") or {}).items()},
        null_values=frozenset(str(v).strip().casefold() for v in raw.get("null_values") or ()),
        id_field=str(raw.get("id", "id")),
        entities=entities,
    )


def _entity(path: Path, name: str, spec: Any, prefixes: dict[str, str], names: set[str]) -> EntitySpec:
    if not isinstance(spec, _LineDict):
        _fail(path, 0, "mapping.problem.not_a_table")
    _only(path, spec, ENTITY_KEYS)
    if "iri" not in spec:
        _fail(path, spec.line, "mapping.problem.entity_iri", entity=name)
    properties: list[tuple[str, ValueSpec]] = []
    for predicate, values in (spec.get("properties") or {}).items():
        iri = _expand(path, spec.line, predicate, prefixes)
        for value in values if isinstance(values, list) else [values]:
            properties.append((iri, _value(path, spec.line, value, prefixes, names)))
    types = spec.get("types") or []
    return EntitySpec(
        name=name,
        iri=str(spec["iri"]),
        types=tuple(_expand(path, spec.line, t, prefixes) for t in types),
        when=spec.get("when"),
        properties=tuple(properties),
    )


def _value(path: Path, line: int, value: Any, prefixes: dict[str, str], names: set[str]) -> ValueSpec:
    if isinstance(value, str):
        value = _LineDict(field=value)
        value.line = line
    if not isinstance(value, dict):
        _fail(path, line, "mapping.problem.not_a_table")
    line = getattr(value, "line", line)
    _only(path, value, VALUE_KEYS)
    sources = [key for key in ("field", "template", "const", "iri", "entity") if key in value]
    if len(sources) != 1:
        _fail(path, line, "mapping.problem.one_source")
    kind = sources[0]
    if kind == "entity" and value["entity"] not in names:
        _fail(path, line, "mapping.problem.unknown_entity", entity=value["entity"], known=", ".join(sorted(names)))
    datatype = value.get("datatype")
    return ValueSpec(
        source=kind,
        text=str(value[kind]),
        lang=value.get("lang"),
        datatype=_expand(path, line, datatype, prefixes) if datatype else None,
        split=value.get("split"),
    )


def _expand(path: Path, line: int, curie: str, prefixes: dict[str, str]) -> str:
    if curie.startswith(("http://", "https://", "urn:")):
        return curie
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in prefixes:
        _fail(path, line, "mapping.problem.prefix", term=curie, known=", ".join(sorted(prefixes)))
    return prefixes[prefix] + local


def _only(path: Path, table: _LineDict, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            _fail(path, table.line, "mapping.problem.unknown_key", key=key, known=", ".join(sorted(allowed)))


def _fail(path: Path, line: int, problem: str, **params: Any) -> None:
    from culturedata.messages import t

    raise MappingError("mapping.invalid", path=path, line=line, problem=t(problem, **params))

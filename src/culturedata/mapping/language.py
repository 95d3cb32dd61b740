"""Reading `mappings/*.yaml` into a compiled, checked `Mapping`, with file and line in every error.

docs/mapping.md is the reference for data stewards and `mappings/mapping.schema.json` lets
editors check a file as it is typed. In short:

    mapping: musee-csv
    format: csv                     # csv (columns), json (paths), jsonld (schema.org paths), xml (XPath), sparql (CONSTRUCT over RDF, sparqlmap.py)
    prefixes: {ex: "http://example.org/"}
    namespaces: {lido: "http://www.lido-schema.org"}   # XML only
    fields: {titre: titre_fr}       # name -> column / path / XPath, read from the record
    null_values: ["inconnu", "n/d"] # read as empty
    entities:
      object:
        iri: "{base}id/{source}/objet/{id|slug}"   # or a list: the first that can be filled
        types: [qcp:HeritageObject]
        when: numero_accession      # skip the entity when this field is empty
        properties:
          schema:name: [{field: titre_fr, lang: fr}]
          qcp:heldBy: {iri: "{institution}"}
      creator:
        within: object              # nested: one creator per node `each` selects in the object
        each: "lido:eventActor"
        fields: {nom: "lido:actor/lido:nameActorSet/lido:appellationValue"}

Everything is compiled here once: XPaths and paths, templates, transforms and lookups, so that
the engine does no parsing per record and a mistake is reported before any record is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import NamedNode

from culturedata.errors import MappingError
from culturedata.mapping.selectors import Selector, SelectorError, compile_each, compile_selector
from culturedata.mapping.transforms import TRANSFORMS, Transform
from culturedata.mapping.vocabularies import HINTS
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
    "wdt": "http://www.wikidata.org/prop/direct/",
    "aat": "http://vocab.getty.edu/aat/",
    "vocab": "https://w3id.org/culturedata/vocab/",
}
FORMATS = ("csv", "json", "jsonld", "xml", "sparql")  # sparql: CONSTRUCT queries over RDF (sparqlmap.py)
SOURCES = ("field", "template", "const", "iri", "entity")
VALUE_KEYS = {*SOURCES, "lang", "datatype", "split", "transform", "lookup", "when", "unless", "required",
              "unreadable"}
ENTITY_KEYS = {"iri", "types", "when", "properties", "each", "within", "fields"}
TOP_KEYS = {"mapping", "title", "format", "prefixes", "namespaces", "fields", "null_values", "id", "entities"}
LOOKUP_KEYS = {"scheme", "follow", "else", "context"}
LOOKUP_ELSE = ("keep", "drop", "ignore")
CONTEXT_NAMES = ("base", "source", "institution", "record", "index")
UNREADABLE = ("warn", "skip", "reject")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field as one entity sees it: whose node it reads (hops up the `within` chain, -1 for
    the record) and the compiled selector."""

    name: str
    hops: int
    selector: Selector
    key: str
    column: str | None = None  # CSV: the column the selector reads, which the engine reads directly
    xpath: Any = None  # XML: the compiled XPath inside the selector, which the engine calls directly
    text: str = ""  # the selector as written (a column, path or XPath), for reports


@dataclass(frozen=True, slots=True)
class Placeholder:
    kind: str  # "context", "entity" or "field"
    name: str
    field: FieldRef | None
    transforms: tuple[Transform, ...]


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    parts: tuple[str | Placeholder, ...]


@dataclass(frozen=True, slots=True)
class Lookup:
    scheme: str
    follow: str | None
    otherwise: str = "keep"  # no concept: keep the literal (warning), drop it (info) or ignore it
    # Fields that tell homonyms apart or place the value outside Quebec (vocabularies.HINTS).
    context: tuple[tuple[str, tuple[FieldRef, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """Where one property value comes from, and what kind of RDF term it becomes."""

    source: str  # one of SOURCES
    text: str  # as written: field names, template, constant or entity name
    line: int = 0
    fields: tuple[FieldRef, ...] = ()  # for "field": alternatives, the first non-empty wins
    template: Template | None = None  # for "template" and "iri"
    lang: str | None = None  # a tag, "default" (the source's language) or "source" (the value's own)
    datatype: str | None = None
    split: str | None = None
    transforms: tuple[tuple[str, Transform], ...] = ()
    lookup: Lookup | None = None
    when: tuple[FieldRef, ...] = ()
    unless: tuple[FieldRef, ...] = ()
    required: bool = False
    unreadable: str = "warn"


@dataclass(frozen=True, slots=True)
class EntitySpec:
    name: str
    line: int
    iris: tuple[Template, ...]
    types: tuple[str, ...]
    when: tuple[FieldRef, ...]
    properties: tuple[tuple[str, ValueSpec], ...]
    each: Selector | None = None
    each_text: str | None = None
    within: str | None = None
    type_terms: tuple[NamedNode, ...] = ()  # pyoxigraph terms, built once
    predicate_terms: tuple[NamedNode, ...] = ()

    @property
    def iri(self) -> str:
        return self.iris[0].text


@dataclass(frozen=True, slots=True)
class Mapping:
    name: str
    path: Path
    format: str
    fields: dict[str, str]
    namespaces: dict[str, str]
    null_values: frozenset[str]
    id_field: str | tuple[str, ...]  # several: the record is identified by their values together
    entities: tuple[EntitySpec, ...]
    title: dict[str, str] = field(default_factory=dict)
    # False: the engine maps every value by its general path (`_Run.objects`), with none of the
    # shortcuts it takes for common cases. For the tests that prove both paths write the same
    # triples (tests/mapping/test_fast_paths.py); set with `load_mapping(..., fast_paths=False)`.
    fast_paths: bool = True
    # The engine's compiled emitters, built on first use (see engine._plan).
    plan: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class _LineDict(dict):  # type: ignore[type-arg]
    line = 0


def _text_or_texts(raw: Any, several: bool) -> bool:
    """A scalar (a text, number, date…), or with `several` a list of scalars."""
    if not isinstance(raw, (dict, list)):
        return True
    return several and isinstance(raw, list) and all(_text_or_texts(item, False) for item in raw)


class _LineList(list):  # type: ignore[type-arg]
    line = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers on which line each table and list starts."""


_BOOL, _STR = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:str"
# Keys whose values are names (of fields, columns, entities) or texts, never yes/no answers.
_NAME_KEYS = frozenset({"field", "when", "unless", "each", "within", "entity", "const", "template", "iri", "id",
                        "mapping", "lang", "split"})
_NAME_TABLES = frozenset({"fields", "prefixes", "namespaces"})


def _as_text(node: yaml.Node) -> None:
    """A plain scalar YAML 1.1 resolved as a boolean (`no`, `on`, `yes`, `off`…) keeps its text."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL and node.style is None:
        node.tag = _STR
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _as_text(item)


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    # YAML 1.1 reads a plain `no:`, `yes:`, `on:` or `off:` as a boolean. In a mapping they are
    # names (a column `no`, a field `on`): keys, and the values of keys that take names, keep
    # their text, as YAML 1.2 would read them; other values stay typed (`required: yes`).
    for key, item in node.value:
        _as_text(key)
        if isinstance(key, yaml.ScalarNode) and key.value in _NAME_KEYS:
            _as_text(item)
        elif isinstance(key, yaml.ScalarNode) and key.value in _NAME_TABLES and isinstance(item, yaml.MappingNode):
            for _, name in item.value:
                _as_text(name)
    value = _LineDict(loader.construct_pairs(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _LineList:
    value = _LineList(loader.construct_sequence(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def find_mapping(name: str) -> Path:
    """A mapping by name (shipped in mappings/) or by path."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    shipped = mappings_dir() / f"{name}.yaml"
    if shipped.is_file():
        return shipped
    raise MappingError("mapping.not_found", name=name, known=", ".join(shipped_mappings()) or "-")


def shipped_mappings() -> list[str]:
    return sorted(p.stem for p in mappings_dir().glob("*.yaml"))


# A mapping is a few kilobytes, a dozen levels deep. Past these it is no mapping, and PyYAML,
# which builds the document recursively, could die of it (RecursionError) or, through
# aliases of aliases, build it without end.
MAX_MAPPING_BYTES = 1_000_000
MAX_MAPPING_DEPTH = 50
MAX_MAPPING_NODES = 100_000  # with every alias counted as the node it repeats


def load_mapping(name: str, *, fast_paths: bool = True) -> Mapping:
    """The mapping `name` compiled. `fast_paths=False` makes the engine take its general path
    for every value (see `Mapping.fast_paths`): slower, for the tests that check the shortcuts."""
    path = find_mapping(name)
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise MappingError("mapping.too_large", path=path, limit=MAX_MAPPING_BYTES)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError("mapping.unreadable", path=path, detail=exc) from exc
    return parse_mapping(text, path, fast_paths=fast_paths)


def parse_mapping(text: str, path: Path, *, fast_paths: bool = True) -> Mapping:
    """A mapping compiled from its YAML text; `path` names it in errors."""
    if len(text) > MAX_MAPPING_BYTES:
        raise MappingError("mapping.too_large", path=path, limit=MAX_MAPPING_BYTES)
    try:
        _check_shape(path, text)
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise MappingError("mapping.syntax", path=path, line=line, detail=getattr(exc, "problem", exc)) from exc
    if isinstance(raw, dict) and raw.get("format") == "sparql":
        from culturedata.mapping.sparqlmap import compile_sparql

        return compile_sparql(raw, path)
    return _Compiler(path, raw, fast_paths).mapping()


# The shape check reads the text once more before PyYAML builds it. Read by libyaml's parser (when
# PyYAML was built with it), that pass gives the same events some twenty times faster; in Python it
# doubled the time to load a mapping, a fixed cost of every run and of every source.
_FAST_EVENTS: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _check_shape(path: Path, text: str) -> None:
    """Refuse a document nested deeper than MAX_MAPPING_DEPTH, or larger than MAX_MAPPING_NODES
    once its aliases are expanded, reading PyYAML's events (its parser keeps a stack of its own,
    unlike the constructor that builds the document)."""
    if _FAST_EVENTS is not None:
        try:
            _check_events(path, yaml.parse(text, Loader=_FAST_EVENTS))
            return
        except yaml.YAMLError:
            pass  # read again by PyYAML's own parser, so that a broken mapping gets the error it always got
    _check_events(path, yaml.parse(text, Loader=yaml.SafeLoader))


def _check_events(path: Path, events: Iterator[yaml.Event]) -> None:
    sizes: dict[str, int] = {}  # anchor -> nodes under it
    stack: list[tuple[str | None, int]] = []  # open collections: anchor, nodes so far
    total = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_MAPPING_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise MappingError("mapping.too_deep", path=path, line=line, limit=MAX_MAPPING_DEPTH)
            stack.append((event.anchor, 1))
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, sizes.get(event.anchor or "", 1)
        else:
            continue
        if anchor is not None:
            sizes[anchor] = size
        if stack:
            stack[-1] = (stack[-1][0], stack[-1][1] + size)
        else:
            total += size
        if total + sum(n for _, n in stack) > MAX_MAPPING_NODES:
            raise MappingError("mapping.too_many_nodes", path=path, limit=MAX_MAPPING_NODES)


class _Compiler:
    """One pass over the parsed YAML; every problem stops it with the file and line."""

    def __init__(self, path: Path, raw: Any, fast_paths: bool = True) -> None:
        self.path = path
        self.fast_paths = fast_paths
        if not isinstance(raw, _LineDict):
            self.fail(1, "mapping.problem.not_a_table")
        self.raw = raw
        self.only(raw, TOP_KEYS)
        fmt = raw.get("format")
        if fmt not in FORMATS:
            self.fail(raw.line, "mapping.problem.format", value=fmt, choices=", ".join(FORMATS))
        self.format = str(fmt)
        self.prefixes = {**PREFIXES, **{str(k): str(v) for k, v in self.table(raw, "prefixes").items()}}
        self.namespaces = {str(k): str(v) for k, v in self.table(raw, "namespaces").items()}
        self.top_fields = {str(k): str(v) for k, v in self.table(raw, "fields").items()}
        self.entity_fields: dict[str, dict[str, str]] = {}
        self.parents: dict[str, str | None] = {}
        self.declared: list[str] = []

    def mapping(self) -> Mapping:
        raw = self.raw
        entities_raw = raw.get("entities")
        if not isinstance(entities_raw, _LineDict) or not entities_raw:
            self.fail(raw.line, "mapping.problem.no_entities")
        self.names = set(entities_raw)
        entities = []
        for name, spec in entities_raw.items():
            entities.append(self.entity(str(name), spec, entities_raw.line))
            self.declared.append(str(name))
        title = raw.get("title")
        return Mapping(
            name=str(raw.get("mapping") or self.path.stem),
            path=self.path,
            format=self.format,
            fields=self.top_fields,
            namespaces=self.namespaces,
            null_values=frozenset(str(v).strip().casefold() for v in raw.get("null_values") or ()),
            id_field=_id_field(raw.get("id", "id")),
            entities=tuple(entities),
            title=dict(title) if isinstance(title, dict) else ({"fr": title, "en": title} if title else {}),
            fast_paths=self.fast_paths,
        )

    # --- entities -----------------------------------------------------------------------

    def entity(self, name: str, spec: Any, line: int) -> EntitySpec:
        if not isinstance(spec, _LineDict):
            self.fail(line, "mapping.problem.not_a_table")
        line = spec.line
        self.only(spec, ENTITY_KEYS)
        within = spec.get("within")
        if within is not None and within not in self.declared:
            self.fail(line, "mapping.problem.within", entity=name, parent=within,
                      known=", ".join(self.declared) or "-")
        self.parents[name] = within
        self.entity_fields[name] = {str(k): str(v) for k, v in self.table(spec, "fields").items()}
        if "iri" not in spec:
            self.fail(line, "mapping.problem.entity_iri", entity=name)
        iri_specs = spec["iri"] if isinstance(spec["iri"], list) else [spec["iri"]]
        iris = tuple(self.template(name, str(t), line, minting=True) for t in iri_specs)
        each_text = spec.get("each")
        # `each` names a node selector, or a declared field: one instance per value of the field
        each = self.selector(self.field_text(within, str(each_text)), line, each=True) if each_text is not None else None
        properties: list[tuple[str, ValueSpec]] = []
        for predicate, values in self.table(spec, "properties").items():
            iri = self.expand(spec.line, str(predicate))
            items = values if isinstance(values, list) else [values]
            vline = getattr(values, "line", spec.line)
            for value in items:
                properties.append((iri, self.value(name, value, vline)))
        types = spec.get("types") or []
        if not isinstance(types, list):
            types = [types]
        type_iris = tuple(self.expand(line, str(t)) for t in types)
        return EntitySpec(
            name=name,
            line=line,
            iris=iris,
            types=type_iris,
            type_terms=tuple(self.node(line, t) for t in type_iris),
            predicate_terms=tuple(self.node(line, p) for p, _ in properties),
            when=self.field_refs(name, spec.get("when"), line),
            properties=tuple(properties),
            each=each,
            each_text=str(each_text) if each_text is not None else None,
            within=within,
        )

    # --- values -------------------------------------------------------------------------

    def value(self, entity: str, value: Any, line: int) -> ValueSpec:
        if isinstance(value, str):
            value = _LineDict(field=value)
            value.line = line
        if not isinstance(value, dict):
            self.fail(line, "mapping.problem.not_a_table")
        line = getattr(value, "line", line) or line
        self.only(value, VALUE_KEYS, line)
        sources = [key for key in SOURCES if key in value]
        if len(sources) != 1:
            self.fail(line, "mapping.problem.one_source")
        kind = sources[0]
        raw = value[kind]
        if not _text_or_texts(raw, several=kind == "field"):  # a table or a nested list is no name
            self.fail(line, "mapping.problem.not_text", key=kind)
        if kind == "entity" and raw not in self.names:
            self.fail(line, "mapping.problem.unknown_entity", entity=raw, known=", ".join(sorted(self.names)))
        unreadable = str(value.get("unreadable", "reject" if value.get("required") else "warn"))
        if unreadable not in UNREADABLE:
            self.fail(line, "mapping.problem.choice", key="unreadable", value=unreadable,
                      choices=", ".join(UNREADABLE))
        lang = value.get("lang")
        if lang is not None and not re.fullmatch(r"default|source|[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*", str(lang)):
            self.fail(line, "mapping.problem.lang", value=lang)
        datatype = value.get("datatype")
        text = " ".join(map(str, raw)) if isinstance(raw, list) else str(raw)
        return ValueSpec(
            source=kind,
            text=text,
            line=line,
            fields=self.field_refs(entity, raw, line) if kind == "field" else (),
            template=self.template(entity, str(raw), line) if kind in ("template", "iri") else None,
            lang=str(lang) if lang is not None else None,
            datatype=self.expand(line, str(datatype)) if datatype else None,
            split=str(value["split"]) if value.get("split") else None,
            transforms=self.transforms(value.get("transform"), line),
            lookup=self.lookup(entity, value.get("lookup"), line),
            when=self.field_refs(entity, value.get("when"), line),
            unless=self.field_refs(entity, value.get("unless"), line),
            required=bool(value.get("required", False)),
            unreadable=unreadable,
        )

    def transforms(self, raw: Any, line: int) -> tuple[tuple[str, Transform], ...]:
        names = raw if isinstance(raw, list) else ([raw] if raw else [])
        out = []
        for item in names:
            if str(item) not in TRANSFORMS:
                self.fail(line, "mapping.problem.transform", name=item, known=", ".join(sorted(TRANSFORMS)))
            out.append((str(item), TRANSFORMS[str(item)]))
        return tuple(out)

    def lookup(self, entity: str, raw: Any, line: int) -> Lookup | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            return Lookup(raw, None)
        if not isinstance(raw, dict) or "scheme" not in raw:
            self.fail(line, "mapping.problem.lookup")
        self.only(raw, LOOKUP_KEYS, line)
        otherwise = str(raw.get("else", "keep"))
        if otherwise not in LOOKUP_ELSE:
            self.fail(line, "mapping.problem.choice", key="else", value=otherwise, choices=", ".join(LOOKUP_ELSE))
        follow = self.expand(line, str(raw["follow"])) if raw.get("follow") else None
        context = raw.get("context") or {}
        if not isinstance(context, dict):
            self.fail(line, "mapping.problem.lookup")
        for name in context:
            if str(name) not in HINTS:
                self.fail(line, "mapping.problem.choice", key="context", value=name, choices=", ".join(HINTS))
        fields = tuple((str(name), self.field_refs(entity, context[name], line)) for name in context)
        return Lookup(str(raw["scheme"]), follow, otherwise, fields)

    # --- fields and templates -------------------------------------------------------------

    def field_refs(self, entity: str, raw: Any, line: int) -> tuple[FieldRef, ...]:
        if raw is None:
            return ()
        names = raw if isinstance(raw, list) else [raw]
        return tuple(self.field_ref(entity, str(n), line) for n in names)

    def declared_field(self, entity: str, name: str) -> bool:
        """A name declared under `fields` (the entity's, its parents', the file's) is a field,
        even when an entity has the same name."""
        owner: str | None = entity
        while owner is not None:
            if name in self.entity_fields.get(owner, {}):
                return True
            owner = self.parents.get(owner)
        return name in self.top_fields

    def field_text(self, entity: str | None, name: str) -> str:
        """What a declared field reads (seen from `entity`, or from the file's top); else the name itself."""
        owner = entity
        while owner is not None:
            declared = self.entity_fields.get(owner, {})
            if name in declared:
                return declared[name]
            owner = self.parents.get(owner)
        return self.top_fields.get(name, name)

    def field_ref(self, entity: str, name: str, line: int) -> FieldRef:
        hops = 0
        owner: str | None = entity
        while owner is not None:
            declared = self.entity_fields.get(owner, {})
            if name in declared:
                return self.ref(name, hops, declared[name], f"{owner}.{name}", line)
            owner = self.parents.get(owner)
            hops += 1
        if name in self.top_fields:
            return self.ref(name, -1, self.top_fields[name], f".{name}", line)
        # Not declared: the name is itself a column, path or XPath, read from the entity's node.
        return self.ref(name, 0, name, f"{entity}:{name}", line)

    def ref(self, name: str, hops: int, text: str, key: str, line: int) -> FieldRef:
        selector = self.selector(text, line)
        if not self.fast_paths:  # the engine then calls the selector, as for any other format
            return FieldRef(name, hops, selector, key, text=text)
        column = text if self.format == "csv" and text != "$" else None
        return FieldRef(name, hops, selector, key, column, getattr(selector, "compiled", None), text)

    def template(self, entity: str, text: str, line: int, minting: bool = False) -> Template:
        parts: list[str | Placeholder] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            parts.append(text[position:match.start()])
            position = match.end()
            name, *transform_names = (p.strip() for p in match.group(1).split("|"))
            transforms = tuple(fn for _, fn in self.transforms(transform_names, line))
            parts.append(self.placeholder(entity, name, transforms, line, minting))
        parts.append(text[position:])
        return Template(text, tuple(p for p in parts if p != ""))

    def placeholder(
        self, entity: str, name: str, transforms: tuple[Transform, ...], line: int, minting: bool
    ) -> Placeholder:
        if name in CONTEXT_NAMES:
            return Placeholder("context", name, None, transforms)
        if self.declared_field(entity, name):
            return Placeholder("field", name, self.field_ref(entity, name, line), transforms)
        if name in self.names:
            if minting and (name == entity or name not in self.declared):
                self.fail(line, "mapping.problem.iri_order", entity=entity, other=name)
            return Placeholder("entity", name, None, transforms)
        return Placeholder("field", name, self.field_ref(entity, name, line), transforms)

    def selector(self, text: str, line: int, each: bool = False) -> Selector:
        try:
            return (compile_each if each else compile_selector)(self.format, text, self.namespaces)
        except SelectorError as exc:
            self.fail(line, "mapping.problem.selector", detail=exc)
        raise AssertionError  # unreachable: fail() raises

    # --- small checks ---------------------------------------------------------------------

    def table(self, parent: _LineDict, key: str) -> dict[str, Any]:
        value = parent.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(parent.line, "mapping.problem.key_table", key=key)
        table: dict[str, Any] = value
        return table

    def expand(self, line: int, curie: str) -> str:
        if curie.startswith(("http://", "https://", "urn:")):
            return curie
        prefix, sep, local = curie.partition(":")
        if not sep or prefix not in self.prefixes:
            self.fail(line, "mapping.problem.prefix", term=curie, known=", ".join(sorted(self.prefixes)))
        return self.prefixes[prefix] + local

    def node(self, line: int, iri: str) -> NamedNode:
        try:
            return NamedNode(iri)
        except ValueError:
            self.fail(line, "mapping.problem.bad_iri", iri=iri)
        raise AssertionError  # unreachable: fail() raises

    def only(self, table: dict[str, Any], allowed: set[str], line: int | None = None) -> None:
        for key in table:
            if key not in allowed:
                self.fail(getattr(table, "line", line or 0) or line or 0, "mapping.problem.unknown_key",
                          key=key, known=", ".join(sorted(allowed)))

    def fail(self, line: int, problem: str, **params: Any) -> None:
        from culturedata.messages import t

        raise MappingError("mapping.invalid", path=self.path, line=line, problem=t(problem, **params))


def _id_field(value: Any) -> str | tuple[str, ...]:
    """`id: numero` or `id: [PageUrl, EventDate]` (records.composite_id joins the values)."""
    if isinstance(value, list):
        return tuple(str(name) for name in value)
    return str(value)

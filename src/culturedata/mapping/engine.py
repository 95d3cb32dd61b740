"""Running a compiled `Mapping` over records: each record becomes one named graph of triples.

The engine streams: it holds one record at a time. Per record it first builds the entity
instances (an `each` yields one instance per selected node, nested under its `within` parent)
and mints their IRIs, then emits types and properties. Field values are read once per
instance and cached. The output is N-Triples text (`records.NTriples`), one line per triple,
written by `ntriples.py`: predicates, classes and constants are written once per mapping, and
every IRI or language tag that comes from a record is checked before it is written, so the
text always loads.

Every value has a general path (`_Run.objects`), and the common shapes of value a fast one
(see "emitters" below), chosen once per mapping. A mapping loaded with `fast_paths=False`
takes the general path everywhere; tests/mapping/test_fast_paths.py maps records both ways
and requires the same text and findings.

A record the mapping cannot handle (no id, broken XML or JSON, a `required` value missing or
unreadable) becomes a MappedRecord with no triples and an 'unmappable' finding naming the
record and the field at fault; it never stops the batch. Smaller problems (an unreadable date,
a lookup that found no concept) are findings beside the triples.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, partial
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree

from culturedata.iris import institution, record_graph
from culturedata.iris import slug as make_slug
from culturedata.mapping import jsonld, ntriples, sparqlmap
from culturedata.mapping.columns import (
    column_name,
    element_place,
    joined,
    json_pointer,
    template_refs,
    value_refs,
)
from culturedata.mapping.coverage import Coverage
from culturedata.mapping.identities import Identities
from culturedata.mapping.language import EntitySpec, FieldRef, Mapping, Template, ValueSpec
from culturedata.mapping.minting import Safety, entity_safety, safe_context
from culturedata.mapping.selectors import lang_of, rooted, text_of, xpath_scalar
from culturedata.mapping.templates import SLUG_ONLY, Bound, bind, first_transformed
from culturedata.mapping.transforms import IRI, ON_FIELD_TEXT, REMEMBERED, Transform, Unreadable, Value
from culturedata.mapping.vocabularies import Found, Hints, Vocabularies, load_vocabularies
from culturedata.messages import both
from culturedata.records import Finding, MappedRecord, NTriples, Severity, SourceRecord
from culturedata.resources import ontologies_dir
from culturedata.surrogates import all_encodable, clean_cell, encodable

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
# What tells two main entities apart (identities.py): their names, under any of these.
NAMING = frozenset({"http://schema.org/name", "http://www.w3.org/2000/01/rdf-schema#label",
                    "http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#prefLabel"})
_value = partial(tuple.__new__, Value)  # Value(text, lang, datatype) without NamedTuple's Python-level __new__
XSD = "http://www.w3.org/2001/XMLSchema#"
ANY_URI = XSD + "anyURI"
DATE_TIME = XSD + "dateTime"
_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")  # no Z, no offset
_Element = etree._Element
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True, slots=True)
class MappingContext:
    """What a mapping may use besides the record: where IRIs live and who the source is."""

    base_iri: str
    source_id: str
    language: str
    institution: str  # IRI of the organisation that provides the records
    timezone: str | None = None  # IANA zone of the source's date-times written without an offset

    @classmethod
    def for_source(cls, base_iri: str, source_id: str, language: str, timezone: str | None = None
                   ) -> MappingContext:
        return cls(base_iri, source_id, language, institution(base_iri, source_id), timezone)


class Unmappable(Exception):
    """The record cannot become data; carries the message code and the field at fault."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(slots=True)
class _Instance:
    spec: EntitySpec | None
    node: Any
    parent: _Instance | None
    index: int = 1
    iri: str | None = None
    children: dict[str, list[_Instance]] = field(default_factory=dict)
    cache: dict[str, list[Any]] = field(default_factory=dict)


class _Run:
    """Mapping one record: its instances, its findings, and the terms it makes."""

    def __init__(self, mapping: Mapping, record: SourceRecord, context: MappingContext,
                 vocabularies: Vocabularies | None) -> None:
        self.mapping = mapping
        self.record = record
        self.context = context
        self.vocabularies = vocabularies
        self.findings: list[Finding] = []
        self.nulls = mapping.null_values
        source = _source_plan(mapping, context)
        self.null_length = source.null_length
        self.language = source.language
        self.root = _Instance(None, self.parse(), None)
        # Whether every text this record's triples can hold is proven free of lone surrogates
        # (culturedata/surrogates.py): only `read_row` proves it, and any other read of the record undoes it.
        self.clean = False
        if mapping.format == "csv" and mapping.fast_paths and isinstance(self.root.node, dict):
            self.root.cache = self.read_row(self.root.node, source.clean and clean_cell(record.local_id))
        self.top = self.root.cache  # the record-level fields, which most values read
        self.by_name: dict[str, list[_Instance]] = {}
        # IRIs of this record already checked, as N-Triples terms ({institution} is checked
        # once per source, not per record)
        self.iris: dict[str, str] = dict(source.checked)
        self.safe_context = source.safe_context
        self.constants, self.bound, self.minting = source.constants, source.bound, source.minting
        self.fast_paths = mapping.fast_paths
        # `{id|slug}` calls iris.slug on the text directly (the same as transforms.slug)
        self.slug_only = SLUG_ONLY if mapping.fast_paths else None
        # (subject, its name lines) of each main entity, written by `lines(named=True)` (Identities)
        self.main_names: list[tuple[str, list[str]]] = []
        # The entities whose `each` selected a node, once `build` is done (Coverage reads it
        # rather than running every `each` again for an entity that no record makes)
        self.reached: set[str] | None = None

    def release(self) -> None:
        """Break the cycles between instances and their parents, so that reference counting
        frees the record's instances and caches at once. Left to the garbage collector, they
        piled up between collections, each of which walked them all: about a fifth of the CSV
        mapping's time."""
        self.root.children.clear()
        for made in self.by_name.values():
            for instance in made:
                instance.children.clear()

    # --- reading ----------------------------------------------------------------------------

    def parse(self) -> Any:
        payload = self.record.payload
        fmt = self.mapping.format
        if fmt == "xml":
            # The harvester's parse of these bytes, with the settings below (harvest's safexml.SAFE).
            if self.record.tree is not None:
                return self.record.tree
            if not isinstance(payload, bytes):
                raise Unmappable("mapping.record.not_bytes", media=self.record.media_type)
            try:
                return etree.fromstring(payload, _SAFE_PARSER)
            except etree.XMLSyntaxError as exc:
                raise Unmappable("mapping.record.bad_xml", detail=exc.msg) from exc
        if fmt in ("json", "jsonld") and isinstance(payload, bytes | str):
            try:
                payload = json.loads(payload)
            except ValueError as exc:
                raise Unmappable("mapping.record.bad_json", detail=exc) from exc
        if fmt == "jsonld":
            document = jsonld.read(payload)
            for context in document.foreign_contexts:
                self.finding(Severity.INFO, "mapping.record.foreign_context", "unknown-context", context=context)
            return rooted(document)
        return payload

    def read_row(self, row: dict[str, Any], clean: bool) -> dict[str, Any]:
        """Every declared field of a CSV row at once, as `values` would read them one by one.
        `clean`: the record's other texts are free of lone surrogates; the row's cells are
        proven so on the way (`self.clean`)."""
        nulls, null_length = self.nulls, self.null_length
        out: dict[str, Any] = {}
        for key, column in _columns(self.mapping):
            raw = row.get(column)
            if raw:
                # Most cells are already normalised: their only whitespace is single spaces
                # between words (every other whitespace character is unprintable). Checking
                # that costs less than splitting and joining them.
                if raw.__class__ is str:
                    if raw.isprintable() and "  " not in raw and raw[0] != " " and raw[-1] != " ":
                        text = raw
                    else:
                        text = " ".join(raw.split())
                        clean = clean and clean_cell(text)
                elif raw.__class__ is list:  # a `multivalue` column: one value per part
                    out[key] = self.cell_values(raw)
                    clean = False  # its parts are checked with the record's text
                    continue
                else:
                    text = " ".join(text_of(raw).split())
                    clean = clean and clean_cell(text)
                # Longer than every null value, or else not one of them (case-folded).
                if len(text) > null_length or (text and text.casefold() not in nulls):
                    out[key] = [(text, raw)]
                    continue
            elif raw.__class__ is list:  # an empty `multivalue` cell, as `cell_values` gives it
                out[key] = []
                continue
            out[key] = ()
        self.clean = clean
        return out

    def cell_values(self, parts: list[Any]) -> list[Any]:
        """The values of a multi-valued cell (the CSV harvester's `multivalue` option), each
        normalised and checked against the null values on its own."""
        nulls, null_length = self.nulls, self.null_length
        found = []
        for part in parts:
            text = " ".join(text_of(part).split())
            if text and not (len(text) <= null_length and text.casefold() in nulls):
                found.append((text, part))
        return found

    def values(self, instance: _Instance, ref: FieldRef) -> list[Any]:
        """The non-empty items of a field, as (text, item) pairs, cached on the instance."""
        hops = ref.hops
        if hops < 0:
            owner = self.root
            found = self.top.get(ref.key)  # a CSV row's fields, all read by read_row
            if found is not None:
                return found
        elif hops == 0:
            owner = instance
        else:
            owner = instance
            for _ in range(hops):
                owner = owner.parent or owner
        cache = owner.cache
        found = cache.get(ref.key)
        if found is None:
            self.clean = False  # read past `read_row`: the record's text is checked whole
            found = []
            nulls, null_length = self.nulls, self.null_length
            # What the selector gives, without the call to it for an XPath or a CSV column.
            if ref.xpath is not None:
                items = ref.xpath(owner.node)
                if items.__class__ is not list:
                    items = xpath_scalar(items)
            elif ref.column is not None:
                raw = owner.node.get(ref.column) if owner.node.__class__ is dict else None
                items = raw if raw.__class__ is list else ([raw] if raw else [])
            else:
                items = ref.selector(owner.node)
            for item in items:
                if isinstance(item, str):
                    text = " ".join(item.split())
                elif isinstance(item, _Element):
                    # A leaf's text is its .text; itertext() costs ten times more (see text_of).
                    # lxml-stubs type itertext() as str | bytes; a parsed document's text is str.
                    raw = (item.text or "") if len(item) == 0 else "".join(item.itertext())  # type: ignore[arg-type]
                    text = " ".join(raw.split())
                else:
                    text = " ".join(text_of(item).split())
                if text and not (len(text) <= null_length and text.casefold() in nulls):
                    found.append((text, item))
            cache[ref.key] = found
        return found

    def filled(self, text: str) -> bool:
        """Whether a text read as a value is one: not blank, not one of the null values."""
        text = " ".join(text.split())
        return bool(text) and not (len(text) <= self.null_length and text.casefold() in self.nulls)

    def split(self, values: list[Value], separator: str) -> list[Value]:
        """`split:` — one value per part; the null values apply to each part."""
        nulls, null_length = self.nulls, self.null_length
        out: list[Value] = []
        for v in values:
            for p in v.text.split(separator):
                part = p.strip()
                if not part:
                    continue
                # `filled`, without its join for the usual part: a piece of a normalised text
                # is normalised once stripped (a printable text's only whitespace is " ").
                if "  " in part or not part.isprintable():
                    keep = self.filled(part)
                else:
                    keep = len(part) > null_length or part.casefold() not in nulls
                if keep:
                    out.append(_value((part, v.lang, v.datatype)))
        return out

    def first_text(self, instance: _Instance, ref: FieldRef) -> str | None:
        found = self.values(instance, ref)
        return found[0][0] if found else None

    # --- instances and IRIs -------------------------------------------------------------

    def build(self) -> None:
        reached: set[str] = set()
        for spec in self.mapping.entities:
            parents = [self.root] if spec.within is None else self.by_name.get(spec.within, [])
            made = self.by_name.setdefault(spec.name, [])
            for parent in parents:
                if spec.each is None:
                    nodes = [parent.node]
                else:  # values as nodes (a CSV `multivalue` cell, a JSON list): not the empty or null ones
                    nodes = [n for n in spec.each(parent.node) if n.__class__ is not str or self.filled(n)]
                    if nodes:
                        reached.add(spec.name)
                for index, node in enumerate(nodes, start=1):
                    instance = _Instance(spec, node, parent, index)
                    if spec.when and not self.present(instance, spec.when):
                        continue
                    instance.iri = self.mint(instance)
                    if instance.iri is None:
                        continue
                    parent.children.setdefault(spec.name, []).append(instance)
                    made.append(instance)
        self.reached = reached

    def present(self, instance: _Instance, refs: tuple[FieldRef, ...]) -> bool:
        """Whether every one of the fields has a value (a loop: a generator costs more here)."""
        top = self.top
        for ref in refs:
            found = top.get(ref.key) if ref.hops < 0 else None  # self.values, inlined for a record-level field
            if not (found if found is not None else self.values(instance, ref)):
                return False
        return True

    def any_present(self, instance: _Instance, refs: tuple[FieldRef, ...]) -> bool:
        """Whether one of the fields has a value."""
        top = self.top
        for ref in refs:
            found = top.get(ref.key) if ref.hops < 0 else None  # self.values, inlined for a record-level field
            if found if found is not None else self.values(instance, ref):
                return True
        return False

    def first_found(self, instance: _Instance, refs: tuple[FieldRef, ...]) -> list[Any]:
        """The values of the first of the fields that has some."""
        top = self.top
        found: list[Any] = []
        for ref in refs:
            cached = top.get(ref.key) if ref.hops < 0 else None  # self.values, inlined for a record-level field
            found = cached if cached is not None else self.values(instance, ref)
            if found:
                return found
        return found

    def mint(self, instance: _Instance) -> str | None:
        spec = instance.spec
        assert spec is not None
        for parts, valid in self.minting[spec.name]:
            filled = self.fill_bound(parts, instance)
            if filled:
                if valid:
                    self.iris[filled] = f"<{filled}>"  # valid by construction (minting.py)
                return filled
        return None

    def fill(self, template: Template, instance: _Instance) -> str | None:
        """The template with its placeholders filled; None when one of them is empty."""
        bound = self.bound
        parts = bound.get(id(template), _UNBOUND)
        if parts is _UNBOUND:
            parts = bound[id(template)] = bind(template, self.constants) if self.fast_paths else template.parts
        return self.fill_bound(parts, instance)

    def fill_bound(self, parts: Bound | None, instance: _Instance) -> str | None:
        if parts is None:
            return None
        if len(parts) == 1 and isinstance(parts[0], str):
            return parts[0]
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            kind = part.kind
            transforms = part.transforms
            if kind == "field":
                ref = part.field
                assert ref is not None  # a field placeholder always has its ref (language.py)
                found = self.top.get(ref.key) if ref.hops < 0 else None
                if found is None:
                    found = self.values(instance, ref)
                if not found:
                    return None
                if not transforms:
                    text = found[0][0]
                elif transforms == self.slug_only:  # `{id|slug}`: a slug is never empty, so the first value
                    text = make_slug(found[0][0])
                elif len(found) == 1:
                    text = first_transformed((found[0][0],), transforms)
                else:
                    text = first_transformed([t for t, _ in found], transforms)
            elif kind == "context":
                text = self.context_value(part.name, instance)
                if transforms:
                    text = first_transformed([text], transforms)
            else:
                candidates = self.entity_iris(part.name, instance)[:1]
                text = first_transformed(candidates, transforms) if transforms else (
                    candidates[0] if candidates else None)
            if not text:
                return None
            out.append(text)
        return "".join(out)

    def context_value(self, name: str, instance: _Instance) -> str:
        if name == "base":
            return self.context.base_iri
        if name == "source":
            return self.context.source_id
        if name == "institution":
            return self.context.institution
        if name == "record":
            return self.record.local_id
        return str(instance.index)

    def entity_iris(self, name: str, instance: _Instance) -> list[str]:
        """The IRIs `name` stands for, seen from `instance`: itself or an ancestor, else the
        instances nested under it or an ancestor, else every instance in the record."""
        level: _Instance | None = instance
        while level is not None:
            if level.spec is not None and level.spec.name == name:
                return [level.iri] if level.iri else []
            children = level.children.get(name)
            if children:
                return [c.iri for c in children if c.iri]
            level = level.parent
        return [i.iri for i in self.by_name.get(name, ()) if i.iri]

    # --- triples ----------------------------------------------------------------------------

    def lines(self, named: bool = False) -> list[str]:
        """The record's triples as N-Triples lines (duplicates possible). `named`: also keep
        the main entities' name lines aside (`main_names`), as their emitters write them."""
        out: list[str] = []
        by_name = self.by_name
        main = self.mapping.entities[0] if named else None
        for spec, type_lines, emitters in _plan(self.mapping):
            naming = _naming(self.mapping) if spec is main else None
            for instance in by_name.get(spec.name, ()):
                subject = self.iris.get(instance.iri or "") or self.named_node(instance.iri or "", spec.name)
                if subject is None:
                    continue
                for line in type_lines:
                    out.append(subject + line)
                if naming is None:
                    for emit in emitters:
                        emit(self, instance, subject, out)
                    continue
                # The naming emitters come first in the main entity's plan (`_plan`): its names
                # are one slice of the lines, not a test and a slice per emitter.
                start = len(out)
                for emit in emitters[:naming]:
                    emit(self, instance, subject, out)
                self.main_names.append((subject, out[start:]))
                for emit in emitters[naming:]:
                    emit(self, instance, subject, out)
        return out

    def objects(self, spec: ValueSpec, instance: _Instance) -> list[Any]:
        if spec.when and not self.present(instance, spec.when):
            return []
        if spec.unless and any(self.values(instance, ref) for ref in spec.unless):
            return []
        values = self.raw_values(spec, instance)
        if spec.split:
            values = self.split(values, spec.split)
        for name, transform in spec.transforms:
            values = self.apply(name, transform, values, spec, instance)
        if spec.lookup is not None:
            values = self.look_up(spec, values, instance)
        if not values and spec.required:
            raise Unmappable("mapping.record.required", field=spec.text, line=spec.line, column=self.columns(spec))
        return [term for term in (self.term(v, spec) for v in values) if term is not None]

    def raw_values(self, spec: ValueSpec, instance: _Instance) -> list[Value]:
        source = spec.source
        if source == "field":
            want_lang = spec.lang == "source"
            for ref in spec.fields:
                found = self.values(instance, ref)
                if found:
                    if want_lang:
                        return [Value(text, lang_of(item) or self.context.language) for text, item in found]
                    return [Value(text) for text, _ in found]
            return []
        if source == "const":
            return [Value(spec.text)]
        if source == "entity":
            return [Value(iri, None, IRI) for iri in self.entity_iris(spec.text, instance)]
        assert spec.template is not None
        filled = self.fill(spec.template, instance)
        if not filled:
            return []
        return [Value(filled, None, IRI if source == "iri" else None)]

    def apply(self, name: str, transform: Transform, values: list[Value], spec: ValueSpec,
              instance: _Instance | None = None) -> list[Value]:
        if len(values) == 1:  # the common case: the transform's own list is the answer
            try:
                return transform(values[0])
            except Unreadable as exc:
                self.unreadable(exc, spec, instance)
                return []
        out: list[Value] = []
        for value in values:
            try:
                out.extend(transform(value))
            except Unreadable as exc:
                self.unreadable(exc, spec, instance)
        return out

    def unreadable(self, exc: Unreadable, spec: ValueSpec, instance: _Instance | None = None) -> None:
        """A value a transform could not read: the record is rejected, or the value reported
        or skipped, as the mapping says."""
        if spec.unreadable not in ("reject", "warn"):
            return
        at = self.culprit(exc.value, spec, instance)
        if spec.unreadable == "reject":
            raise Unmappable("mapping.record.unreadable", field=spec.text, value=exc.value, column=at.column,
                             cell=at.cell, location=at.location) from exc
        self.finding(Severity.WARNING, exc.code, "unreadable-value", field=spec.text, value=exc.value, at=at)

    def columns(self, spec: ValueSpec) -> str | None:
        """The columns (or paths) a value is read from, as a report names them; once per spec."""
        known: dict[int, str | None] = self.mapping.plan.setdefault("value_columns", {})
        key = id(spec)  # specs live as long as their mapping, whose plan this is
        if key not in known:
            known[key] = joined(value_refs(spec), self.mapping.format)
        return known[key]

    def culprit(self, value: str, spec: ValueSpec, instance: _Instance | None) -> _Culprit:
        """Where a value that could not be read (or found no concept) came from, and that cell's
        text: of a field's alternatives, the one that gave it; of a template's cells, the one
        that fails on its own ('31/02/1901' of '31/02/1901/1940'), else all of them and the
        composed value."""
        if instance is None:
            return _Culprit(self.columns(spec), value)
        if spec.fields:
            for ref in spec.fields:
                found = self.values(instance, ref)
                if found:
                    item = next((item for text, item in found if text == value), found[0][1])
                    return self.place(ref, item, instance, value)
            return _Culprit(self.columns(spec), value)
        cells = [(ref, found[0]) for ref in self.refs(spec) if (found := self.values(instance, ref))]
        failing = [(ref, cell) for ref, cell in cells if not self.readable(cell[0], spec)]
        if len(failing) == 1:
            ref, (text, item) = failing[0]
            return self.place(ref, item, instance, text)
        return _Culprit(self.columns(spec), value)

    def refs(self, spec: ValueSpec) -> tuple[FieldRef, ...]:
        """`value_refs`, worked out once per spec."""
        known: dict[int, tuple[FieldRef, ...]] = self.mapping.plan.setdefault("value_refs", {})
        found = known.get(id(spec))  # specs live as long as their mapping, whose plan this is
        if found is None:
            found = known[id(spec)] = value_refs(spec)
        return found

    def readable(self, text: str, spec: ValueSpec) -> bool:
        """`_readable`, remembered per spec and cell. A cell that fails (a '31/02/1901') tends to
        come back record after record, and trying every cell's transforms again for each finding
        cost a tenth of the CSV mapping's time; transforms are pure functions of the text."""
        per_spec: dict[int, dict[str, bool]] = self.mapping.plan.setdefault("readable", {})
        known = per_spec.get(id(spec))
        if known is None:
            known = per_spec[id(spec)] = {}
        found = known.get(text)
        if found is None:
            if len(known) >= REMEMBERED:  # memory stays flat, as the remembering transforms'
                known.clear()
            found = known[text] = _readable(text, spec)
        return found

    def place(self, ref: FieldRef, item: Any, instance: _Instance, text: str) -> _Culprit:
        """Where `item`, read by `ref`, is in the export: its column; in JSON its pointer; in
        XML its element's path, and the line of that element."""
        fmt = self.mapping.format
        if fmt == "xml":
            found = element_place(item, self.record.location)
            if found is not None:
                return _Culprit(found[0], text, found[1])
        elif fmt == "json" and (ref.hops < 0 or instance.node is self.root.node):
            return _Culprit(json_pointer(self.record.location, ref.text), text)
        return _Culprit(column_name(ref), text)

    def look_up(self, spec: ValueSpec, values: list[Value], instance: _Instance) -> list[Value]:
        lookup = spec.lookup
        assert lookup is not None
        scheme = self.vocabularies.scheme(lookup.scheme) if self.vocabularies else None
        hints = Hints(**{name: (found[0][0] if (found := self.first_found(instance, refs)) else "")
                         for name, refs in lookup.context}) if lookup.context else None
        out: list[Value] = []
        for value in values:
            answer = scheme.resolve(value.text, lookup.follow, hints) if scheme else Found()
            if answer.iris:
                out += [_value((iri, None, IRI)) for iri in answer.iris]
                continue
            keep = lookup.otherwise == "keep"
            if answer.outside:  # not in Quebec: no concept applies, nothing is wrong
                if keep:
                    out.append(value)
                continue
            if answer.ambiguous:  # a shared name is never settled by guessing, whatever `else` says
                self.finding(Severity.WARNING, "mapping.value.ambiguous", "lookup-ambiguous", field=spec.text,
                             value=value.text, scheme=lookup.scheme, at=self.culprit(value.text, spec, instance),
                             candidates="; ".join(scheme.describe(c) for c in answer.ambiguous) if scheme else "")
                if keep:
                    out.append(value)
                continue
            if lookup.otherwise == "ignore":
                continue
            self.finding(Severity.WARNING if keep else Severity.INFO, "mapping.value.no_concept",
                         "lookup-miss", field=spec.text, value=value.text, scheme=lookup.scheme,
                         at=self.culprit(value.text, spec, instance))
            if keep:
                out.append(value)
        return out

    def term(self, value: Value, spec: ValueSpec) -> str | None:
        """The value as an N-Triples term; None (and a finding) for an IRI Oxigraph would refuse."""
        datatype = value.datatype
        if datatype == IRI or (datatype is None and spec.datatype == ANY_URI):
            return self.named_node(value.text, spec.text, self.columns(spec))
        if datatype is None and spec.datatype is not None:
            datatype = spec.datatype
        if datatype is not None:
            text = value.text
            if datatype == DATE_TIME and _NAIVE.match(text):
                text = self.zoned(text, spec)
            return ntriples.typed(text, ntriples.datatype_suffix(datatype))
        lang = value.lang
        if spec.lang is not None and (lang is None or spec.lang != "source"):
            lang = self.context.language if spec.lang in ("default", "source") else spec.lang
        if lang:
            tag = ntriples.language(lang)
            if tag is not None:
                return ntriples.tagged(value.text, tag)
            self.finding(Severity.WARNING, "mapping.value.bad_lang", "unreadable-value", field=spec.text,
                         value=lang, column=self.columns(spec))
        return ntriples.plain(value.text)

    def zoned(self, text: str, spec: ValueSpec) -> str:
        """A date-time without an offset, in the source's time zone (the offset of that day,
        summer time included); without a declared zone it stays as it is, with a warning."""
        zone = _zone(self.context.timezone) if self.context.timezone else None
        if zone is None:
            self.finding(Severity.WARNING, "mapping.value.naive_datetime", "naive-datetime", field=spec.text,
                         value=text, column=self.columns(spec))
            return text
        try:
            return datetime.fromisoformat(text).replace(tzinfo=zone).isoformat()
        except ValueError:  # not a date-time Python reads (a year 0): as it is
            return text

    def named_node(self, iri: str, where: str, column: str | None = None) -> str | None:
        term = self.iris.get(iri)
        if term is not None:
            return term
        term = ntriples.iri(iri)
        if term is None:
            self.finding(Severity.WARNING, "mapping.value.bad_iri", "unreadable-value", field=where, value=iri,
                         column=column)
        else:
            self.iris[iri] = term
        return term

    def finding(self, severity: Severity, code: str, rule: str, *, column: str | None = None,
                at: _Culprit | None = None, **params: Any) -> None:
        """A finding of this record; `column` (or `at`) says where in the export the value is, and
        `at` what that cell holds (the message keeps the value as the mapping composed it)."""
        record = self.record
        value = params.get("value")
        if at is not None:
            column, value = at.column, at.cell
        self.findings.append(Finding(
            stage="map", severity=severity, rule=rule, message=both(code, record=record.key, **params),
            source_id=record.source_id, local_id=record.local_id,
            location=at.location if at is not None and at.location else record.location,
            path=params.get("field"), value=value, column=column,
        ))


class _Culprit(NamedTuple):
    """Where a value is in the export: its column (or pointer, or element path), the text of
    that cell, and in XML the record's location with the line of the element."""

    column: str | None
    cell: str
    location: str | None = None


Emitter = Callable[["_Run", "_Instance", str, list[str]], None]  # writes lines to `out`
Plan = list[tuple[EntitySpec, tuple[str, ...], list[Emitter]]]


def _safeties(mapping: Mapping) -> dict[str, tuple[tuple[Template, Safety | None], ...]]:
    """Per entity, its IRI templates, each with whether it makes valid IRIs by construction
    (minting.py)."""
    safeties = mapping.plan.get("safeties")
    if safeties is None:
        entities: dict[str, Safety | None] = {}
        safeties = mapping.plan["safeties"] = {
            spec.name: tuple(zip(spec.iris, entity_safety(spec, entities), strict=True)) for spec in mapping.entities}
    return safeties


def _columns(mapping: Mapping) -> list[tuple[str, str]]:
    """The file-level fields of a CSV mapping, as (cache key, column): see `FieldRef.key`."""
    columns = mapping.plan.get("columns")
    if columns is None:
        columns = mapping.plan["columns"] = [(f".{name}", column) for name, column in mapping.fields.items()
                                             if column != "$"]
    return columns


_UNBOUND: Any = object()


@dataclass(slots=True)
class _SourcePlan:
    """What every record of one source shares under one mapping, worked out once."""

    null_length: int  # no null value is longer: longer texts skip the case-folded comparison
    # The source's language as written in N-Triples: "" when there is none, None when Oxigraph
    # refuses it (then the general path reports it, value by value).
    language: str | None
    safe_context: frozenset[str]
    checked: dict[str, str]  # IRIs known valid for every record
    constants: dict[str, str]  # {base}, {source}, {institution}
    bound: dict[int, Bound | None]  # the mapping's templates bound to the constants, by id, on first use
    # Per entity, its IRI templates bound to the constants, each with whether it can only
    # make valid IRIs for this source (minting.py)
    minting: dict[str, tuple[tuple[Bound | None, bool], ...]]
    # The mapping's own texts and the context's are free of lone surrogates (culturedata/surrogates.py).
    clean: bool = False


def _source_plan(mapping: Mapping, context: MappingContext) -> _SourcePlan:
    # A run hands every record the same context: known by identity, its (Python-level) hash is
    # not computed for each record. One tuple, read at once: safe between threads.
    last: tuple[MappingContext, _SourcePlan] | None = mapping.plan.get("last_source")
    if last is not None and last[0] is context:
        return last[1]
    per_context: dict[MappingContext, _SourcePlan] = mapping.plan.setdefault("sources", {})
    found = per_context.get(context)
    if found is None:
        if len(per_context) >= 64:  # one entry per source; a long-lived process may see many
            per_context.clear()
        safe = _safe_context(context)
        constants = {"base": context.base_iri, "source": context.source_id, "institution": context.institution}
        minting = {name: tuple((bind(template, constants), safety is not None and safety.needs <= safe)
                               for template, safety in pairs)
                   for name, pairs in _safeties(mapping).items()}
        found = per_context[context] = _SourcePlan(
            null_length=max(map(len, mapping.null_values), default=0),
            language=ntriples.language(context.language) if context.language else "",
            safe_context=safe,
            checked={context.institution: f"<{context.institution}>"} if "institution" in safe else {},
            constants=constants,
            bound={},
            minting=minting,
            clean=_texts_clean(mapping) and all(map(encodable, (
                context.base_iri, context.source_id, context.institution, context.language))),
        )
        if not mapping.fast_paths:  # every IRI checked as it is written, every template filled part by part
            found.checked = {}
            found.minting = {name: tuple((template.parts, False) for template, _ in pairs)
                             for name, pairs in _safeties(mapping).items()}
    mapping.plan["last_source"] = (context, found)
    return found


def _texts_clean(mapping: Mapping) -> bool:
    """`all_encodable` of the compiled mapping (a YAML escape can write a lone surrogate), once."""
    found: bool | None = mapping.plan.get("texts_clean")
    if found is None:
        found = mapping.plan["texts_clean"] = all_encodable(mapping)
    return found


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # checked with the configuration; a test context may not be
        return None


@lru_cache(maxsize=64)
def _safe_context(context: MappingContext) -> frozenset[str]:
    return safe_context(context.base_iri, context.source_id, context.institution)


def _naming(mapping: Mapping) -> int:
    """How many of the main entity's emitters write its names (what tells two of its nodes
    apart): `_plan` puts them first."""
    found: int | None = mapping.plan.get("naming")
    if found is None:
        _plan(mapping)
        found = mapping.plan["naming"]
    return found


def _plan(mapping: Mapping) -> Plan:
    """Each entity with its rdf:type lines and one emitter per property value, specialised
    once per mapping: the common cases (a field as a tagged or plain literal, a constant,
    another entity) skip the general path, which matters at hundreds of thousands of triples
    a second. The main entity's naming properties are emitted first (see `_Run.lines`)."""
    plan = mapping.plan.get("emitters")
    if plan is None:
        plan = []
        for position, spec in enumerate(mapping.entities):
            emitters = [(p in NAMING, _emitter(p, v, mapping.fast_paths)) for p, v in spec.properties]
            if position == 0:
                emitters.sort(key=lambda pair: not pair[0])  # stable: naming first, each in its order
                mapping.plan["naming"] = sum(naming for naming, _ in emitters)
            plan.append((spec, tuple(f" {RDF_TYPE} <{t}> .\n" for t in spec.types), [e for _, e in emitters]))
        mapping.plan["emitters"] = plan
    return plan


TermWriter = Callable[["_Run", Value], "str | None"]


def _term_writer(spec: ValueSpec) -> TermWriter:
    """`_Run.term` for the values of one spec, with the spec's own choices (language, datatype)
    made once: untyped literals and IRIs are written here, anything else by `_Run.term`."""
    plain, tagged = ntriples.plain, ntriples.tagged

    def general(run: _Run, value: Value) -> str | None:
        return run.term(value, spec)

    if spec.datatype is not None or spec.lang == "source":
        return general
    if spec.lang is None:
        def untagged(run: _Run, value: Value) -> str | None:
            datatype = value.datatype
            if datatype is None and value.lang is None:
                return plain(value.text)
            if datatype == IRI:
                return run.iris.get(value.text) or run.named_node(value.text, spec.text)
            return run.term(value, spec)

        return untagged
    fixed = None if spec.lang == "default" else ntriples.language(spec.lang)
    if fixed is None and spec.lang != "default":
        return general  # a malformed tag: the general path reports it

    def tagged_literal(run: _Run, value: Value) -> str | None:
        datatype = value.datatype
        if datatype is None:
            tag = fixed or run.language  # run.language: "" when the source has none, None when malformed
            if tag:
                return tagged(value.text, tag)
            if tag == "":
                return plain(value.text)
        elif datatype == IRI:
            return run.iris.get(value.text) or run.named_node(value.text, spec.text)
        return run.term(value, spec)

    return tagged_literal


# --- emitters -------------------------------------------------------------------------------
#
# An emitter writes the triples of one property value of one instance. The general one calls
# `_Run.objects`, which honours every option of a `ValueSpec`. The fast ones below each do the
# same for a common shape of value with the steps it does not need left out, and each names the
# options it honours: `_emitter` picks one only when every option the value sets is among them,
# so an option added to `ValueSpec` later takes the general path until a fast path learns it
# (tests/mapping/test_fast_paths.py checks that both paths write the same triples).

EmitterBuilder = Callable[[str, ValueSpec], "Emitter | None"]
_DESCRIPTIVE = frozenset({"source", "text", "line"})  # what every value has: no option


def _options(spec: ValueSpec) -> frozenset[str]:
    """The options the value sets (fields of `ValueSpec` away from their defaults)."""
    return frozenset(f.name for f in dataclasses.fields(spec)
                     if f.name not in _DESCRIPTIVE and getattr(spec, f.name) != f.default)


def _emitter(predicate_iri: str, spec: ValueSpec, fast_paths: bool = True) -> Emitter:
    predicate = f" <{predicate_iri}> "  # checked by the compiler (language.py)
    if fast_paths:
        options = _options(spec)
        for sources, honoured, build in _FAST_PATHS:
            if spec.source in sources and options <= honoured:
                emitter = build(predicate, spec)
                if emitter is not None:
                    return emitter
    return _general(predicate, spec)


def _general(predicate: str, spec: ValueSpec) -> Emitter:
    def general(run: _Run, instance: _Instance, subject: str, out: list[str]) -> None:
        for term in run.objects(spec, instance):
            out.append(f"{subject}{predicate}{term} .\n")

    return general


def _field_literal(predicate: str, spec: ValueSpec) -> Emitter | None:
    """One field as literals tagged with a fixed or the source's language, or untagged."""
    fixed = ntriples.language(spec.lang) if spec.lang not in (None, "default") else None
    if len(spec.fields) != 1 or spec.lang == "source" or (spec.lang not in (None, "default") and fixed is None):
        return None  # `lang: source` is _field_tagged's; a malformed tag: the general path reports it
    needs_escape, escapes = ntriples.needs_escape, ntriples.ESCAPES
    ref = spec.fields[0]
    key, top = ref.key, ref.hops < 0
    default_lang = spec.lang == "default"

    def field_literal(run: _Run, instance: _Instance, subject: str, out: list[str]) -> None:
        found = run.top.get(key) if top else None  # run.values, inlined for a record-level field
        if found is None:
            found = run.values(instance, ref)
        if not found:
            return
        tag = run.language if default_lang else fixed
        if tag is None and default_lang:  # a malformed source language: the general path reports it
            _general(predicate, spec)(run, instance, subject, out)
            return
        head = subject + predicate
        # Literal writing inlined (ntriples.tagged / plain): this runs for most values.
        end = f'"@{tag} .\n' if tag else '" .\n'
        for text, _ in found:
            if needs_escape(text) is not None:
                text = text.translate(escapes)
            out.append(f'{head}"{text}{end}')

    return field_literal


def _field_tagged(predicate: str, spec: ValueSpec) -> Emitter | None:
    """One field as literals tagged with each value's own language (`lang: source`)."""
    if len(spec.fields) != 1 or spec.lang != "source":
        return None
    needs_escape, escapes, language = ntriples.needs_escape, ntriples.ESCAPES, ntriples.language
    ref = spec.fields[0]

    def field_tagged(run: _Run, instance: _Instance, subject: str, out: list[str]) -> None:
        found = run.values(instance, ref)
        if not found:
            return
        head = subject + predicate
        default = run.context.language
        for text, item in found:
            own = lang_of(item)
            tag = language(own or default)
            if tag is not None:
                if needs_escape(text) is not None:
                    text = text.translate(escapes)
                out.append(f'{head}"{text}"@{tag} .\n')
            else:  # a malformed xml:lang: the general path reports it
                term = run.term(Value(text, own), spec)
                if term is not None:
                    out.append(f"{head}{term} .\n")

    return field_tagged


def _field_transformed(predicate: str, spec: ValueSpec) -> Emitter | None:
    """One field through transforms, the first one replaced by what it does on a field's text
    (`transforms.ON_FIELD_TEXT`)."""
    if len(spec.fields) != 1 or not spec.transforms:
        return None
    ref, want = spec.fields[0], spec.lang == "source"
    key, top = ref.key, ref.hops < 0
    (first_name, first), *rest = spec.transforms
    first = ON_FIELD_TEXT.get(first_name, first)
    write = _term_writer(spec)

    def field_transformed(run: _Run, instance: _Instance, subject: str, out: list[str]) -> None:
        found = run.top.get(key) if top else None  # run.values, inlined for a record-level field
        if found is None:
            found = run.values(instance, ref)
        if not found:
            return
        head = subject + predicate
        default = run.context.language if want else None
        for text, item in found:
            try:  # run.apply, inlined for one value
                values = first(_value((text, (lang_of(item) or default) if want else None, None)))
            except Unreadable as exc:
                run.unreadable(exc, spec, instance)
                continue
            for name, transform in rest:
                values = run.apply(name, transform, values, spec, instance)
            for value in values:
                term = write(run, value)
                if term is not None:
                    out.append(f"{head}{term} .\n")

    return field_transformed


def _const(predicate: str, spec: ValueSpec) -> Emitter | None:
    """A constant, written once per mapping."""
    if spec.datatype == DATE_TIME:
        return None  # a naive one takes the source's zone, record by record: the general path
    if spec.datatype == ANY_URI:
        checked = ntriples.iri(spec.text)
        if checked is None:
            return None  # the general path reports it, record by record
        term = checked
    elif spec.datatype:
        term = ntriples.typed(spec.text, ntriples.datatype_suffix(spec.datatype))
    else:
        term = ntriples.plain(spec.text)
    tail = f"{predicate}{term} .\n"

    def const(run: _Run, instance: _Instance, subject: str, out: list[str]) -> None:
        out.append(subject + tail)

    return const


def _templated(predicate: str, spec: ValueSpec) -> Emitter | None:
    """A template (`template:` or `iri:`); a constant IRI is checked once, here."""
    template, transforms, when, unless = spec.template, spec.transforms, spec.when, spec.unless
    if template is None:
        return None
    kind = IRI if spec.source == "iri" else None
    constant = all(isinstance(part, str) for part in template.parts)
    fixed = ntriples.iri(template.text) if kind == IRI and constant and not transforms else None
    write = _term_writer(spec)

    def templated(run: _Run, instance: _Instance, subject: str, out: list[str]) -> None:
        if when and not run.present(instance, when):
            return
        if unless and run.any_present(instance, unless):
            return
        if fixed is not None:
            out.append(f"{subject}{predicate}{fixed} .\n")
            return
        filled = run.fill(template, instance)
        if not filled:
            return
        values = [_value((filled, None, kind))]
        for name, transform in transforms:
            values = run.apply(name, transform, values, spec, instance)
        head = subject + predicate
        for value in values:
            term = write(run, value)
            if term is not None:
                out.append(f"{head}{term} .\n")

    return templated


def _entity(predicate: str, spec: ValueSpec) -> Emitter | None:
    """Another entity's IRIs (`lang` and `datatype` do not apply to IRIs)."""
    name = spec.text

    def entity(run: _Run, instance: _Instance, subject: str, out: list[str]) -> None:
        # run.entity_iris, inlined for the common case of entities nested in this one
        children = instance.children.get(name) if instance.spec is not None and instance.spec.name != name \
            else None
        if children:
            iris = run.iris
            for child in children:
                iri = child.iri
                if iri:
                    node = iris.get(iri) or run.named_node(iri, name)
                    if node is not None:
                        out.append(f"{subject}{predicate}{node} .\n")
            return
        for iri in run.entity_iris(name, instance):
            node = run.named_node(iri, name)
            if node is not None:
                out.append(f"{subject}{predicate}{node} .\n")

    return entity


def _field_value(predicate: str, spec: ValueSpec) -> Emitter | None:
    """`_Run.objects` for a field value, with the steps the value does not use left out."""
    fields, when, unless, split = spec.fields, spec.when, spec.unless, spec.split
    transforms, lookup, required, want_lang = spec.transforms, spec.lookup, spec.required, spec.lang == "source"
    write = _term_writer(spec)

    def field_value(run: _Run, instance: _Instance, subject: str, out: list[str]) -> None:
        if when and not run.present(instance, when):
            return
        if unless and run.any_present(instance, unless):
            return
        found = run.first_found(instance, fields)
        if not found:
            if required:
                raise Unmappable("mapping.record.required", field=spec.text, line=spec.line, column=run.columns(spec))
            return
        if want_lang:
            default = run.context.language
            values = [_value((text, lang_of(item) or default, None)) for text, item in found]
        else:
            values = [_value((text, None, None)) for text, _ in found]
        if split:
            values = run.split(values, split)
        for name, transform in transforms:
            values = run.apply(name, transform, values, spec, instance)
        if lookup is not None:
            values = run.look_up(spec, values, instance)
        if not values and required:
            raise Unmappable("mapping.record.required", field=spec.text, line=spec.line, column=run.columns(spec))
        head = subject + predicate
        for value in values:
            term = write(run, value)
            if term is not None:
                out.append(f"{head}{term} .\n")

    return field_value


# The fast paths, tried in this order: the sources each serves, the options it honours, and
# its builder (which may still decline a value, e.g. one with two alternative fields).
_FAST_PATHS: tuple[tuple[frozenset[str], frozenset[str], EmitterBuilder], ...] = (
    (frozenset({"field"}), frozenset({"fields", "lang", "unreadable"}), _field_literal),
    (frozenset({"field"}), frozenset({"fields", "lang", "unreadable"}), _field_tagged),
    (frozenset({"field"}), frozenset({"fields", "lang", "datatype", "transforms", "unreadable"}),
     _field_transformed),
    (frozenset({"const"}), frozenset({"datatype"}), _const),
    (frozenset({"iri", "template"}),
     frozenset({"template", "lang", "datatype", "transforms", "when", "unless", "unreadable"}), _templated),
    (frozenset({"entity"}), frozenset({"lang", "datatype", "unreadable"}), _entity),
    (frozenset({"field"}), frozenset({"fields", "lang", "datatype", "split", "transforms", "lookup", "when",
                                      "unless", "required", "unreadable"}), _field_value),
)


def map_records(
    mapping: Mapping, records: Iterable[SourceRecord], context: MappingContext,
    vocabularies: Vocabularies | None = None, *, coverage: Coverage | None = None,
    identities: Identities | None = None,
) -> Iterator[MappedRecord]:
    """The records of one run over one source, mapped. Two of them minting one main-entity IRI
    for different things get an `identity-collision` finding (identities.py; pass `identities`
    to read the pairs afterwards); `coverage` watches which fields the run found (coverage.py)."""
    vocabularies = vocabularies if vocabularies is not None else _vocabularies_for(mapping)
    identities = identities if identities is not None else Identities()
    for record in records:
        yield map_record(mapping, record, context, vocabularies, coverage=coverage, identities=identities)


def map_record(
    mapping: Mapping, record: SourceRecord, context: MappingContext, vocabularies: Vocabularies | None = None,
    *, coverage: Coverage | None = None, identities: Identities | None = None,
) -> MappedRecord:
    if isinstance(mapping, sparqlmap.SparqlMapping):
        return sparqlmap.map_record(mapping, record, context.base_iri, context.source_id, context.language,
                                    context.institution)
    graph = record_graph(context.base_iri, record.source_id, record.local_id)
    if record.deleted:
        return _mapped(record, graph, _EMPTY, ())
    # refused by the harvester (most records have no finding: no generator for them)
    if record.findings and any(f.severity is Severity.VIOLATION for f in record.findings):
        if identities is not None:
            identities.mapped(record)
        return _mapped(record, graph, _EMPTY, record.findings)
    if vocabularies is None:
        vocabularies = _vocabularies_for(mapping)
    run: _Run | None = None
    try:
        run = _Run(mapping, record, context, vocabularies)
        run.build()
        main = mapping.entities[0]
        if main.each is None and not run.by_name.get(main.name):
            missing = _missing(run, main)
            if isinstance(missing, FieldRef):
                raise Unmappable("mapping.record.no_main", entity=main.name, field=missing.name,
                                 column=column_name(missing))
            raise Unmappable("mapping.record.no_main", entity=main.name, field=missing)
        lines = run.lines(named=identities is not None)
        if identities is not None:
            run.findings += identities.check(record, run.main_names)
    except Unmappable as exc:
        if identities is not None:
            identities.mapped(record)  # it mints nothing now, whatever it minted before
        findings = tuple(run.findings) if run else ()
        return _mapped(record, graph, _EMPTY, (*findings, _unmappable(record, exc)))
    finally:
        if run is not None:
            if coverage is not None:
                coverage.see(run)
            run.release()
    if not lines:
        # what was read and could not be used says why the record is empty
        return _mapped(record, graph, _EMPTY, (*run.findings, _unmappable(record, Unmappable("mapping.record.empty"))))
    text = "".join(dict.fromkeys(lines))
    # lxml never yields a lone surrogate; a CSV row read by `read_row` is proven clean already.
    if mapping.format != "xml" and not run.clean and not encodable(text):
        return _mapped(record, graph, _EMPTY, (*run.findings, _unmappable(record, Unmappable(
            "mapping.record.bad_text"))))
    return _mapped(record, graph, NTriples(text), tuple(run.findings))


_EMPTY = NTriples("")


def _readable(text: str, spec: ValueSpec) -> bool:
    """Whether one cell alone goes through the value's transforms."""
    values = [Value(text)]
    try:
        for _, transform in spec.transforms:
            values = [out for value in values for out in transform(value)]
    except Unreadable:
        return False
    return True



def _vocabularies_for(mapping: Mapping) -> Vocabularies | None:
    plan = mapping.plan
    if "vocabularies" not in plan:
        needed = any(v.lookup for e in mapping.entities for _, v in e.properties)
        plan["vocabularies"] = load_vocabularies(ontologies_dir()) if needed else None
    vocabularies: Vocabularies | None = plan["vocabularies"]
    return vocabularies


def _missing(run: _Run, spec: EntitySpec) -> FieldRef | str:
    """The field that kept the main entity from being made, for the finding."""
    for ref in spec.when:
        if not run.values(_Instance(spec, run.root.node, run.root), ref):
            return ref
    for template in spec.iris:
        for field_ref in template_refs(template):
            probe = _Instance(spec, run.root.node, run.root)
            if not run.first_text(probe, field_ref):
                return field_ref
    return spec.each_text or spec.iri


def _unmappable(record: SourceRecord, exc: Unmappable) -> Finding:
    # where the value is in the export, beside the message (which says it as the mapping does)
    params = {name: value for name, value in exc.params.items() if name not in ("column", "cell", "location")}
    cell = exc.params.get("cell")
    return Finding(
        stage="map",
        severity=Severity.VIOLATION,
        rule="unmappable",
        message=both(exc.code, record=record.key, **params),
        source_id=record.source_id,
        local_id=record.local_id,
        location=exc.params.get("location") or record.location,
        path=exc.params.get("field"),
        value=cell if cell is not None else exc.params.get("value"),
        column=exc.params.get("column"),
    )


def _mapped(record: SourceRecord, graph: str, triples: NTriples, findings: tuple[Finding, ...]) -> MappedRecord:
    return MappedRecord.of_text(record.source_id, record.local_id, graph, triples, record.content_hash, record.origin,
                                record.location, record.datestamp, record.deleted, findings)

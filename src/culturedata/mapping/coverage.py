"""What one run of a mapping over a source read, and what it never found.

A field name mistyped in a mapping (`{field: titel_fr}`) reads nothing in every record: no
record fails, and the source's French titles vanish without a word. `Coverage` watches a run
(`map_records(..., coverage=...)`) and reports, once per run, each mapping field that no record
had, with the source's actual fields and the closest of them (difflib). With `detailed=True`
(`culturedata map --coverage`) it also counts, over the records read, how many gave a value for
each mapping field and each source column, JSON key or XML element, and which of those the
mapping never reads.

A field is missing from a CSV source when its column is not in the header (a column present but
empty everywhere is counted 0, not missing). For JSON and XML, "had" means "gave a value where the
mapping looked". Only real losses are reported, each naming the entity that reads the field:
- fields that feed one value of one entity (`field: [a, b]`, or the several values of one
  property) are alternatives: they are reported, together, only when none of them was found;
- an entity that was never made because its `each` path matched nothing is reported once, by
  that path, instead of its fields one by one (unless it is itself one alternative of a value
  that another alternative gave);
- a field the source has, but not where the entity reads it, is said so, never "did you mean"
  its own name.
Kept cheap: once every field has been found, watching a record costs one test; until then, the
entities not yet made cost one look at `run.by_name` each (see bench/mapping.py).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from culturedata.mapping.language import EntitySpec, FieldRef, Mapping, Template
from culturedata.messages import LANGUAGES, t, tn
from culturedata.records import Finding, Severity, SourceRecord

if TYPE_CHECKING:
    from culturedata.mapping.engine import _Run

SAMPLED = 50  # records whose names are collected for the suggestions, when detail is not asked
_XML_NAME = re.compile(r"(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


@dataclass(frozen=True, slots=True)
class MissingField:
    name: str  # the mapping's name for it (an `each`: the path as written)
    selector: str  # the column, path or XPath it reads
    suggestion: str | None  # the closest name the source has, never the field's own
    known: tuple[str, ...]  # the source's names (columns, keys, elements), most frequent first
    entities: tuple[str, ...] = ()  # the entities that read it (an `each`: the entity never made)
    alternatives: tuple[str, ...] = ()  # the other fields of its group, none of them found either
    elsewhere: bool = False  # the source has the name, but not where the entities read it
    empty: bool = False  # JSON: the source has it where an entity reads it, but never with a value
    each: bool = False  # the `each` path of an entity never made, standing for all its fields
    fields: int = 0  # an `each`: how many fields that entity and the entities within it read


@dataclass(frozen=True, slots=True)
class _Group:
    """What feeds one value of one entity: alternatives, any one of which is enough. A member
    is the keys of the fields it needs all of, or the name of an entity (`entity:` values)."""

    entity: str
    members: tuple[tuple[str, ...] | str, ...]
    makes: bool = False  # a `when` or IRI group: without it the entity itself is not made


@dataclass(frozen=True, slots=True)
class _Made:
    """Which entities the run made, and which it reached (made, or their `each` matched)."""

    made: frozenset[str]
    reached: frozenset[str]


@dataclass(slots=True)
class Coverage:
    mapping: Mapping
    detailed: bool = False
    records: int = 0
    found: Counter[str] = field(default_factory=Counter)  # mapping field (by key) -> records with a value
    names: Counter[str] = field(default_factory=Counter)  # source column/key/element -> records holding it
    refs: dict[str, FieldRef] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)  # keys of fields not found yet
    unmade: set[str] = field(default_factory=set)  # entities no record has made yet
    unreached: set[str] = field(default_factory=set)  # of those, the ones whose `each` matched nothing yet
    groups: list[_Group] = field(default_factory=list)
    specs: dict[str, EntitySpec] = field(default_factory=dict)
    # The pending keys by the entity whose instances' caches hold them ("" the record's), while
    # `pending` keeps this size: a field is cached by the entity that declares it (`FieldRef.key`).
    by_entity: dict[str, tuple[str, ...]] = field(default_factory=dict)
    grouped: int = -1

    def __post_init__(self) -> None:
        self.refs = {ref.key: ref for ref in field_refs(self.mapping)}
        self.pending = set(self.refs)
        self.unmade = {e.name for e in self.mapping.entities}
        self.unreached = {e.name for e in self.mapping.entities if e.each is not None}
        self.groups = _groups(self.mapping)
        self.specs = {e.name: e for e in self.mapping.entities}

    # --- watching a run -------------------------------------------------------------------

    def see(self, run: _Run) -> None:
        """One mapped record: which fields it had, and (while needed) which names it holds."""
        self.records += 1
        if not (self.pending or self.detailed):
            return
        node = run.root.node
        if self.unmade and self.pending:
            self.watch_entities(run)
        if self.mapping.format == "csv" and isinstance(node, dict):
            self.pending.difference_update([key for key in self.pending if self.in_row(key, node)])
            if self.detailed:  # the counts say how many rows gave a value, not only the column
                self.found.update(key for key, ref in self.refs.items() if ref.text == "$" or node.get(ref.text))
                self.names.update({str(name): 0 for name in node})  # every column listed, an empty one too
                self.names.update(str(name) for name, value in node.items() if value)
            elif self.pending and self.records <= SAMPLED:
                self.names.update(str(name) for name in node)
            return
        if self.detailed:
            had = [key for key, values in self.cached(run) if values]
            self.found.update(set(had))
        else:  # only the few fields not found yet, each looked up where it is cached
            had = []
            for name, keys in self.pending_by_entity().items():
                for instance in run.by_name.get(name, ()) if name else (run.root,):
                    cache = instance.cache
                    had.extend([key for key in keys if cache.get(key)])
        self.pending.difference_update(had)
        if self.detailed or (self.pending and self.records <= SAMPLED):
            self.names.update(set(source_names(self.mapping.format, node)))

    def pending_by_entity(self) -> dict[str, tuple[str, ...]]:
        """`pending`, grouped by the entity that declares each field (the key is "entity.name")."""
        if self.grouped != len(self.pending):
            grouped: dict[str, list[str]] = {}
            for key in self.pending:
                grouped.setdefault(key[:-len(self.refs[key].name) - 1], []).append(key)
            self.by_entity = {name: tuple(keys) for name, keys in grouped.items()}
            self.grouped = len(self.pending)
        return self.by_entity

    def watch_entities(self, run: _Run) -> None:
        """Which entities this record made; for those it did not, whether their `each` matched
        (a `when` or an IRI may have stopped them: then the fields they lacked speak)."""
        by_name = run.by_name
        for name in [name for name in self.unmade if by_name.get(name)]:
            self.unmade.discard(name)
            self.unreached.discard(name)
        reached = run.reached
        for name in [name for name in self.unreached if name in self.unmade]:
            if reached is not None:  # what `build` saw: the same nodes, the same parents
                if name in reached:
                    self.unreached.discard(name)
                continue
            spec = self.specs[name]
            assert spec.each is not None  # only entities with an `each` are watched for it
            parents = [run.root] if spec.within is None else by_name.get(spec.within, [])
            if any(n.__class__ is not str or run.filled(n) for p in parents for n in spec.each(p.node)):
                self.unreached.discard(name)

    def in_row(self, key: str, row: dict[str, Any]) -> bool:
        """A CSV field is had when its column is in the row (empty or not); `$` always is."""
        text = self.refs[key].text
        return text == "$" or text in row

    @staticmethod
    def cached(run: _Run) -> Iterator[tuple[str, Any]]:
        yield from run.root.cache.items()
        for made in run.by_name.values():
            for instance in made:
                yield from instance.cache.items()

    # --- what it says -----------------------------------------------------------------------

    def header(self, record: SourceRecord) -> list[Finding]:
        """Before any record is mapped: the mapping fields a CSV source's header lacks (the first
        row holds every column of the header, and every row holds the same columns). Nothing
        for other formats, whose records differ: they are known after the run (`findings`)."""
        if self.mapping.format != "csv" or not isinstance(record.payload, dict):
            return []
        columns = tuple(str(name) for name in record.payload)
        lacking = {key for key in self.refs if not self.in_row(key, record.payload)}
        return self._findings(record.source_id, self._missing(lacking, columns, None), "mapping.coverage.header", 0)

    def missing(self) -> list[MissingField]:
        """The mapping fields no record had, each with the closest name the source has."""
        if not self.records:
            return []
        names = self.mapping.entities
        made = frozenset(e.name for e in names if e.name not in self.unmade)
        reached = made | {e.name for e in names if self._reached(e, made)}
        known = tuple(name for name, _ in self.names.most_common())
        return self._missing(self.pending, known, _Made(made, frozenset(reached)))

    def _reached(self, spec: EntitySpec, made: frozenset[str]) -> bool:
        """An entity not made was reached when a node was there to make it from."""
        if spec.within is not None and spec.within not in made:
            return False
        return spec.each is None or spec.name not in self.unreached

    def _missing(self, pending: set[str], known: tuple[str, ...], state: _Made | None) -> list[MissingField]:
        """The groups no member of which was found, then the entities never reached. `state`
        None (a CSV header): every entity counts as made."""

        def found(member: tuple[str, ...] | str) -> bool:
            if isinstance(member, str):
                return state is None or member in state.made
            return not pending.intersection(member)

        # what no alternative gave (by name and selector: several entities reading `sameAs` say so
        # once) -> its keys and the entities reading it
        lost: dict[tuple[tuple[str, str], ...], tuple[tuple[str, ...], list[str]]] = {}
        satisfied: set[str] = set()  # entities that are one alternative of a value another gave
        for group in self.groups:
            if state is not None and group.entity not in state.made \
                    and not (group.makes and group.entity in state.reached):
                continue  # its `each` speaks for it, or its parent's fields do
            if any(found(member) for member in group.members):
                satisfied.update(m for m in group.members if isinstance(m, str))
                continue
            keys = tuple(dict.fromkeys(k for m in group.members if not isinstance(m, str) for k in m if k in pending))
            if keys:
                entities = lost.setdefault(tuple((self.refs[k].name, self.refs[k].text) for k in keys), (keys, []))[1]
                entities += [group.entity] if group.entity not in entities else []
        out = [self._field(keys, tuple(entities), known) for keys, entities in lost.values()]
        if state is not None:
            out += [self._each(spec, known) for spec in self.mapping.entities
                    if spec.name not in state.reached and spec.name not in satisfied
                    and (spec.within is None or spec.within in state.made)]
        return sorted(out, key=lambda one: (one.name, one.entities))

    def _field(self, keys: tuple[str, ...], entities: tuple[str, ...], known: tuple[str, ...]) -> MissingField:
        first = self.refs[keys[0]]
        others = tuple(dict.fromkeys(self.refs[k].name for k in keys[1:] if self.refs[k].name != first.name))
        if others:  # alternatives: which of them was meant is no question a close match settles
            return MissingField(first.name, first.text, None, known, entities, others)
        suggestion, elsewhere = _suggest(self.mapping.format, first.text, known)
        if elsewhere and self.mapping.format not in ("csv", "xml"):
            owners = {self._up(entity, first.hops) if first.hops >= 0 else None for entity in entities}
            # `@nodes[Organization]`: the names are listed for every kind of node together
            untyped = not any(self._typed(owner) for owner in owners)
            if untyped and {self._at(owner, first.text) for owner in owners}.intersection(known):
                # there, but empty or a null value in every record
                return MissingField(first.name, first.text, None, known, entities, empty=True)
        return MissingField(first.name, first.text, suggestion, known, entities, elsewhere=elsewhere)

    def _typed(self, entity: str | None) -> bool:
        """Whether an `each` on the way to the entity's node keeps only some kinds of nodes."""
        while entity is not None:
            if "[" in (self.specs[entity].each_text or ""):
                return True
            entity = self.specs[entity].within
        return False

    def _up(self, entity: str | None, hops: int) -> str | None:
        for _ in range(hops):
            entity = self.specs[entity].within if entity is not None else None
        return entity

    def _each(self, spec: EntitySpec, known: tuple[str, ...]) -> MissingField:
        inside = {spec.name}
        for entity in self.mapping.entities:  # in order: an entity comes after the one it is within
            if entity.within in inside:
                inside.add(entity.name)
        fields = {key for group in self.groups if group.entity in inside
                  for member in group.members if not isinstance(member, str) for key in member}
        text = spec.each_text or ""
        suggestion, _ = _suggest(self.mapping.format, text, known)
        return MissingField(text, text, suggestion, known, (spec.name,), each=True, fields=len(fields))

    def findings(self, source_id: str) -> list[Finding]:
        """One warning (stage `map`) per missing field, for the run report."""
        return self._findings(source_id, self.missing(), "mapping.coverage", self.records)

    @staticmethod
    def _findings(source_id: str, missing: list[MissingField], prefix: str, records: int) -> list[Finding]:
        out = []
        for one in missing:
            out.append(Finding(
                stage="map", severity=Severity.WARNING, rule="missing-field",
                message={lang: t(f"{prefix}.{_code(one)}", lang, field=one.name, selector=one.selector,
                                 records=records, suggestion=one.suggestion or "", known=_listed(one.known),
                                 entity=tn("mapping.coverage.entity", len(one.entities), lang,
                                           names=", ".join(one.entities) or "-"),
                                 alternatives=", ".join(one.alternatives), fields=one.fields)
                         for lang in LANGUAGES},
                source_id=source_id, local_id="", path=one.name, value=one.selector,
            ))
        return out

    def found_counts(self) -> list[tuple[str, str, int]]:
        """Each mapping field (name, selector) with the records that had it (`detailed` runs)."""
        return sorted(((ref.name, ref.text, self.found[key]) for key, ref in self.refs.items()),
                      key=lambda item: (-item[2], item[0]))

    def unread(self) -> list[tuple[str, int]]:
        """The source's columns, keys or elements that no selector of the mapping reads, with
        how many records hold them (`detailed` runs)."""
        texts = [ref.text for ref in self.refs.values()]
        eaches = [e.each_text for e in self.mapping.entities if e.each_text]
        hints = _lookup_hints(self.mapping)  # read to tell homonyms apart, not kept as values
        ways: list[str] = []
        if self.mapping.format in ("csv", "xml"):
            texts += eaches + [ref.text for _, ref in hints]
        else:
            texts += [self._at(None if ref.hops < 0 else self._up(entity, ref.hops), ref.text) for entity, ref in hints]
            # `name` inside `organizer[Organization]` reads organizer.name, and `organizer` nothing else
            texts += self.json_paths()
            ways = eaches + [self._at(spec.within, spec.each_text) for spec in self.mapping.entities if spec.each_text]
            # `offers[Offer]` reads the offers' @type to keep the offers
            texts += [self._at(spec.name, "@type") for spec in self.mapping.entities if "[" in (spec.each_text or "")]
        read = reads(self.mapping.format, texts, ways)
        return [(name, count) for name, count in self.names.most_common() if not read(name)]

    def json_paths(self) -> list[str]:
        """The dotted paths from a record (or a top-level JSON-LD node) that the fields of nested
        entities read, as the source's names are listed."""
        paths = []
        for group in self.groups:
            for member in group.members:
                for key in () if isinstance(member, str) else member:
                    ref = self.refs[key]
                    owner = None if ref.hops < 0 else self._up(group.entity, ref.hops)
                    paths.append(self._at(owner, ref.text))
        return paths

    def _at(self, entity: str | None, text: str) -> str:
        """`text` read from the node of `entity`, as a path from its record."""
        steps = [] if text == "$" else [text]
        while entity is not None:
            spec = self.specs[entity]
            if spec.each_text and spec.each_text != "$":
                steps.append(spec.each_text)
            entity = spec.within
        steps = [re.sub(r"\[.*?\]", "", step) for step in reversed(steps)]
        return ".".join(step for step in steps if step != "@nodes")  # top-level JSON-LD nodes are listed from themselves


def field_refs(mapping: Mapping) -> list[FieldRef]:
    """Every field the mapping reads: in values, conditions, templates and IRIs."""
    refs: dict[str, FieldRef] = {}

    def add(found: Iterable[FieldRef]) -> None:
        for ref in found:
            refs.setdefault(ref.key, ref)

    for entity in mapping.entities:
        add(entity.when)
        for template in entity.iris:
            add(p.field for p in template.parts if not isinstance(p, str) and p.field is not None)
        for _, spec in entity.properties:
            add((*spec.fields, *spec.when, *spec.unless))
            if spec.template is not None:
                add(p.field for p in spec.template.parts if not isinstance(p, str) and p.field is not None)
    return list(refs.values())


def _lookup_hints(mapping: Mapping) -> list[tuple[str, FieldRef]]:
    """The fields a lookup's `context` reads (postal code, province…), with their entity. They
    are hints, not values: a source without them is no loss, so they are never `pending`."""
    return [(entity.name, ref) for entity in mapping.entities for _, spec in entity.properties
            if spec.lookup is not None for _, refs in spec.lookup.context for ref in refs]


def _groups(mapping: Mapping) -> list[_Group]:
    """The mapping's fields grouped by the value they feed: an entity's `when` fields one by one
    (each is needed), its IRI templates together (the first that fills wins), the fields and
    entities of one property together (one value, however given); a value's conditions alone.
    Constants and templates that read no field read nothing from the source: no member."""
    out: list[_Group] = []
    for entity in mapping.entities:
        out += [_Group(entity.name, ((ref.key,),), makes=True) for ref in entity.when]
        out.append(_Group(entity.name, tuple(_template_keys(t) for t in entity.iris), makes=True))
        by_property: dict[str, list[tuple[str, ...] | str]] = {}
        for predicate, spec in entity.properties:
            members = by_property.setdefault(predicate, [])
            if spec.source == "entity":
                members.append(spec.text)
            members += [(ref.key,) for ref in spec.fields]
            if spec.template is not None and (keys := _template_keys(spec.template)):
                members.append(keys)
            out += [_Group(entity.name, ((ref.key,),)) for ref in (*spec.when, *spec.unless)]
        out += [_Group(entity.name, tuple(members)) for members in by_property.values() if members]
    return out


def _template_keys(template: Template) -> tuple[str, ...]:
    return tuple(p.field.key for p in template.parts if not isinstance(p, str) and p.field is not None)


def _code(one: MissingField) -> str:
    if one.each:
        return "missing_each_suggest" if one.suggestion else "missing_each"
    if one.alternatives:
        return "missing_any"
    if one.empty:
        return "missing_empty"
    if one.elsewhere:
        return "missing_elsewhere"
    return "missing_suggest" if one.suggestion else "missing"


def _suggest(fmt: str, text: str, known: tuple[str, ...]) -> tuple[str | None, bool]:
    """The closest of the source's names, and whether the source has the name itself (then it
    is no suggestion: the field is there, just not where the mapping reads it)."""
    step = _last_step(text)
    own = {step, text}
    if _holds(fmt, text, step, known):
        return None, True
    steps: dict[str, str] = {}  # compared by their last steps (`ville` for `vile`), told in full (`lieu.ville`)
    for name in known:
        if (last := _last_step(name)) not in own:
            steps.setdefault(last, name)
    close = difflib.get_close_matches(step, list(steps), n=1, cutoff=0.7)
    return (steps[close[0]] if close else None), False


def source_names(fmt: str, node: Any) -> Iterator[str]:
    """The names a record holds: CSV columns, JSON key paths (dotted, through lists), XML
    element names (prefixed as the document does)."""
    if fmt == "csv":
        if isinstance(node, dict):
            yield from (str(k) for k in node)
    elif fmt == "xml":
        if isinstance(node, etree._Element):
            for element in node.iterdescendants(etree.Element):  # the record element itself is read
                yield _qualified(element)
    else:
        value = getattr(node, "value", node)  # a JSON-LD document is wrapped (selectors._Rooted)
        document = getattr(node, "document", None)
        if document is not None:
            for item in getattr(document, "nodes", ()):
                yield from _paths(item, "")
        else:
            yield from _paths(value, "")


def _paths(value: Any, prefix: str) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _paths(item, prefix)
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}{key}"
            yield path
            if isinstance(item, dict | list):
                yield from _paths(item, path + ".")


def _qualified(element: etree._Element) -> str:
    local = str(element.tag).rpartition("}")[2]  # cheaper than etree.QName, on every element
    prefix = element.prefix
    return f"{prefix}:{local}" if prefix else local


def reads(fmt: str, texts: list[str], ways: Iterable[str] = ()) -> Callable[[str], bool]:
    """A test: does any of the mapping's selector texts read this source name? `ways` (JSON):
    the paths of `each`, which read their nodes but not what is inside them."""
    if fmt == "csv":
        columns = set(texts)
        return lambda name: name in columns
    if fmt == "xml":
        local = {m.group(1) for text in texts for m in _XML_NAME.finditer(text)}
        return lambda name: name.rpartition(":")[2] in local
    paths, nodes = set(texts), set(ways)

    def json_read(name: str) -> bool:
        # "adresse" is read by "adresse.ville" (the way to it) and "adresse.ville" by "adresse"
        return any(p == name or p.startswith(name + ".") or name.startswith(p + ".") for p in paths) \
            or any(p == name or p.startswith(name + ".") for p in nodes)

    return json_read


def _holds(fmt: str, text: str, step: str, known: tuple[str, ...]) -> bool:
    """Whether the source has what the selector names, somewhere: an XML element of that name,
    a JSON path ending with it (`image.url` is had by `event.image.url`), a CSV column."""
    if fmt == "xml":
        return step in known
    path = re.sub(r"\[.*?\]", "", text)  # `location[Text]`: a `location` there is, of another kind
    return any(name == path or name.endswith("." + path) for name in known)


def _last_step(text: str) -> str:
    """The name a selector ends on, to compare with the source's: "a/b:c[1]" → "b:c"."""
    step = re.split(r"[/.]", text.rstrip("/"))[-1] if not text.startswith("string(") else text[7:-1]
    return re.sub(r"\[.*?\]|\(\)|^@", "", step) or text


def _listed(names: tuple[str, ...], most: int = 30) -> str:
    shown = ", ".join(names[:most])
    return shown + (f", … (+{len(names) - most})" if len(names) > most else "") if names else "-"

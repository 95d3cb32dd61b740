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
mapping looked", so a field read only inside an entity that no record makes is counted as never
found too. Kept cheap: once every field has been found, watching a record costs one test (see
bench/mapping.py).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from culturedata.mapping.language import FieldRef, Mapping
from culturedata.messages import both
from culturedata.records import Finding, Severity, SourceRecord

if TYPE_CHECKING:
    from culturedata.mapping.engine import _Run

SAMPLED = 50  # records whose names are collected for the suggestions, when detail is not asked
_XML_NAME = re.compile(r"(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


@dataclass(frozen=True, slots=True)
class MissingField:
    name: str  # the mapping's name for it
    selector: str  # the column, path or XPath it reads
    suggestion: str | None  # the closest name the source has
    known: tuple[str, ...]  # the source's names (columns, keys, elements), most frequent first


@dataclass(slots=True)
class Coverage:
    mapping: Mapping
    detailed: bool = False
    records: int = 0
    found: Counter[str] = field(default_factory=Counter)  # mapping field (by key) -> records with a value
    names: Counter[str] = field(default_factory=Counter)  # source column/key/element -> records holding it
    refs: dict[str, FieldRef] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)  # keys of fields not found yet

    def __post_init__(self) -> None:
        self.refs = {ref.key: ref for ref in field_refs(self.mapping)}
        self.pending = set(self.refs)

    # --- watching a run -------------------------------------------------------------------

    def see(self, run: _Run) -> None:
        """One mapped record: which fields it had, and (while needed) which names it holds."""
        self.records += 1
        if not (self.pending or self.detailed):
            return
        node = run.root.node
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
        else:  # only the few fields not found yet: one set intersection per instance's cache
            pending, had = self.pending, []
            for key in pending & run.root.cache.keys():
                if run.root.cache[key]:
                    had.append(key)
            for made in run.by_name.values():
                for instance in made:
                    cache = instance.cache
                    had.extend(key for key in pending & cache.keys() if cache[key])
        self.pending.difference_update(had)
        if self.detailed or (self.pending and self.records <= SAMPLED):
            self.names.update(set(source_names(self.mapping.format, node)))

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
        lacking = [key for key in self.refs if not self.in_row(key, record.payload)]
        return self._findings(record.source_id, self._missing(lacking, columns), "mapping.coverage.header", 0)

    def missing(self) -> list[MissingField]:
        """The mapping fields no record had, each with the closest name the source has."""
        if not self.records:
            return []
        return self._missing(self.pending, tuple(name for name, _ in self.names.most_common()))

    def _missing(self, keys: Iterable[str], known: tuple[str, ...]) -> list[MissingField]:
        out = []
        for key in sorted(keys, key=lambda k: self.refs[k].name):
            ref = self.refs[key]
            close = difflib.get_close_matches(_last_step(ref.text), known, n=1, cutoff=0.6)
            out.append(MissingField(ref.name, ref.text, close[0] if close else None, known))
        return out

    def findings(self, source_id: str) -> list[Finding]:
        """One warning (stage `map`) per missing field, for the run report."""
        return self._findings(source_id, self.missing(), "mapping.coverage", self.records)

    @staticmethod
    def _findings(source_id: str, missing: list[MissingField], prefix: str, records: int) -> list[Finding]:
        out = []
        for one in missing:
            code = f"{prefix}.missing_suggest" if one.suggestion else f"{prefix}.missing"
            out.append(Finding(
                stage="map", severity=Severity.WARNING, rule="missing-field",
                message=both(code, field=one.name, selector=one.selector, records=records,
                             suggestion=one.suggestion or "", known=_listed(one.known)),
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
        texts = [ref.text for ref in self.refs.values()] + [e.each_text for e in self.mapping.entities if e.each_text]
        read = reads(self.mapping.format, texts)
        return [(name, count) for name, count in self.names.most_common() if not read(name)]


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


def reads(fmt: str, texts: list[str]) -> Callable[[str], bool]:
    """A test: does any of the mapping's selector texts read this source name?"""
    if fmt == "csv":
        columns = set(texts)
        return lambda name: name in columns
    if fmt == "xml":
        local = {m.group(1) for text in texts for m in _XML_NAME.finditer(text)}
        return lambda name: name.rpartition(":")[2] in local
    paths = set(texts)

    def json_read(name: str) -> bool:
        # "adresse" is read by "adresse.ville" (the way to it) and "adresse.ville" by "adresse"
        return any(p == name or p.startswith(name + ".") or name.startswith(p + ".") for p in paths)

    return json_read


def _last_step(text: str) -> str:
    """The name a selector ends on, to compare with the source's: "a/b:c[1]" → "b:c"."""
    step = re.split(r"[/.]", text.rstrip("/"))[-1] if not text.startswith("string(") else text[7:-1]
    return re.sub(r"\[.*?\]|\(\)|^@", "", step) or text


def _listed(names: tuple[str, ...], most: int = 30) -> str:
    shown = ", ".join(names[:most])
    return shown + (f", … (+{len(names) - most})" if len(names) > most else "") if names else "-"

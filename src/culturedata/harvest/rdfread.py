"""Reading one RDF document as it really is: relative IRIs, IRIs with spaces, remote contexts.

Every RDF reader of culturedata (the `rdf` kind, `culturedata validate --rdf`, SPARQL mappings
reading a payload) parses through `parse_rdf`, with Oxigraph's parser:

1. JSON-LD first has its remote contexts inlined from the offline cache (contexts.py).
2. The document is parsed strictly, relative IRIs resolved against `base` (the document's URL,
   or the file's, or a configured `base_iri`). Almost every file stops here.
3. A document the strict parser refuses is parsed again with Oxigraph's `lenient` option, which
   skips IRI validation, and without a base, so that each IRI comes out as written. Each IRI is
   then checked: one that is only surrounded by spaces, or holds characters IRIs forbid
   (spaces, `<>"{}|\\^`` and controls, a `%` not starting an escape), is repaired where that is
   unambiguous (trimmed, those characters percent-encoded, resolved against the base) with a
   `Repair` the caller turns into a warning finding; one that still is no IRI drops its
   statement alone, with a `Repair` too. An empty language tag (`xml:lang=""`) is a plain string.
   (The `rdf` kind first tries the same repairs on RDF/XML's text, `repair_rdfxml`, so that
   the strict parser reads it at once; what that cannot do comes here.)
4. When even the lenient parser stops (RDF/XML with text inside an `rdf:resource` property,
   a broken N-Triples line), the offending property element or line is dropped, with a
   `Repair`, and the rest is read. A Turtle, TriG or JSON-LD syntax error refuses the document,
   with the parser's line: there is no statement boundary to fall back on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import pyoxigraph as ox
from lxml import etree

from culturedata.errors import InputError
from culturedata.harvest import safexml
from culturedata.harvest.contexts import Contexts

F = ox.RdfFormat
# File endings read as RDF; .xml and .json only when their content says so (see `rdf_format`).
SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": F.TURTLE, ".nt": F.N_TRIPLES, ".nq": F.N_QUADS, ".trig": F.TRIG, ".n3": F.N3,
    ".rdf": F.RDF_XML, ".owl": F.RDF_XML, ".jsonld": F.JSON_LD,
}
SNIFFED: dict[str, ox.RdfFormat] = {".xml": F.RDF_XML, ".json": F.JSON_LD}
NAMES: dict[str, ox.RdfFormat] = {
    "turtle": F.TURTLE, "ntriples": F.N_TRIPLES, "nquads": F.N_QUADS, "trig": F.TRIG, "n3": F.N3,
    "rdfxml": F.RDF_XML, "jsonld": F.JSON_LD,
}
MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    **{fmt.media_type: fmt for fmt in NAMES.values()},
    "application/xml": F.RDF_XML, "text/xml": F.RDF_XML, "application/json": F.JSON_LD, "text/plain": F.N_TRIPLES,
}
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RESOURCE = f"{{{RDF_NS}}}resource"
_ILLEGAL = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]|%(?![0-9A-Fa-f]{2})')
# RDF/XML's IRI attributes (`rdf:about`, `rdf:resource`) as written, with the prefix they use.
# (Found by their `:` first, which the regex engine looks for at memchr speed; the prefix after.)
_IRI_ATTRIBUTE = re.compile(rb""":(?:about|resource)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PREFIX_BEFORE = re.compile(rb"[\s<]([A-Za-z_][\w.-]*)$")
_RDF_PREFIXES = re.compile(rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']http://www\.w3\.org/1999/02/22-rdf-syntax-ns#["']""")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class Repair:
    """One IRI repaired (`fixed` set) or one statement dropped (`fixed` None) while reading."""

    value: str  # as written
    fixed: str | None
    subject: str | None  # the statement's subject once read, to attach the finding to its record
    detail: str = ""


@dataclass(slots=True)
class Parsed:
    quads: list[ox.Quad]
    repairs: list[Repair] = field(default_factory=list)


def rdf_format(name: str, head: bytes = b"") -> ox.RdfFormat | None:
    """The format of a file from its ending; `.xml` is RDF/XML when it holds `rdf:RDF` (or the RDF
    namespace) near its top, `.json` is JSON-LD when it names a `@context` or `@id`."""
    suffix = os.path.splitext(name.rpartition("!")[2])[1].lower()  # not Path(): it is once a document
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix == ".xml":
        return F.RDF_XML if RDF_NS.encode() in head[:8192] else None
    if suffix == ".json":
        return F.JSON_LD if b'"@context"' in head or b'"@id"' in head else None
    return None


def format_of_media_type(media_type: str) -> ox.RdfFormat | None:
    return MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())


def parse_rdf(data: bytes, fmt: ox.RdfFormat, base: str | None, contexts: Contexts, document: str,
              strict_first: bool = True) -> Parsed:
    """The statements of one document, repaired where unambiguous (see the module's text).
    `strict_first=False` when the caller already saw the strict parser refuse it."""
    if fmt == F.JSON_LD:
        data = contexts.inline(data, base, document)
    if strict_first:
        try:
            return Parsed(list(ox.parse(data, format=fmt, base_iri=base)))
        except SyntaxError:
            pass  # read again below, leniently, to say which statements are at fault
    repairs: list[Repair] = []
    try:
        quads = list(ox.parse(data, format=fmt, lenient=True))
    except SyntaxError as exc:
        if fmt in (F.N_TRIPLES, F.N_QUADS):
            quads = _by_line(data, fmt, repairs)
        elif fmt == F.RDF_XML:
            quads = _by_property(data, document, repairs, exc)
        else:
            raise InputError("harvest.rdf.syntax", path=document, detail=exc) from exc
    return Parsed(_checked(quads, base, repairs), repairs)


@dataclass(slots=True)
class TextRepairs:
    """RDF/XML repaired in its text, and what was done: IRIs (value as written, IRI it
    became) and the literals whose empty `xml:lang` was dropped."""

    data: bytes
    iris: list[tuple[str, str]]
    plain: list[str]


def repair_rdfxml(data: bytes, base: str | None) -> TextRepairs | None:
    """RDF/XML with the repairs `_checked` would make done in its text instead, so that the
    strict parser can read it at once: `rdf:about` / `rdf:resource` IRIs trimmed and their
    forbidden characters percent-encoded, and `xml:lang=""` dropped from a property whose
    literal inherits no language (no element but a leaf property carries one). None when
    there is nothing of that kind to repair, or an IRI is past repair."""
    prefixes = set(_RDF_PREFIXES.findall(data))
    declared = _XML_ENCODING.match(data)
    if not prefixes or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        return None  # the values are decoded and written back as UTF-8
    edits: list[tuple[int, int, bytes]] = []
    iris = _iri_edits(data, base, prefixes, edits)
    if iris is None:
        return None
    plain = _empty_language_edits(data, edits)
    if not edits:
        return None
    pieces: list[bytes] = []
    done = 0
    for start, end, text in sorted(edits):
        pieces += [data[done:start], text]
        done = end
    pieces.append(data[done:])
    return TextRepairs(b"".join(pieces), iris, plain)


def _iri_edits(data: bytes, base: str | None, prefixes: set[bytes], edits: list[tuple[int, int, bytes]]
               ) -> list[tuple[str, str]] | None:
    checker = _Checker(base)
    repairs: dict[str, str] = {}
    for match in _IRI_ATTRIBUTE.finditer(data):
        group = 1 if match.group(1) is not None else 2
        raw = match.group(group)
        if not _SUSPECT.search(raw):
            continue  # most values: nothing to repair, even when relative (the parser resolves them)
        prefix = _PREFIX_BEFORE.search(data, max(0, match.start() - 100), match.start())
        if prefix is None or prefix.group(1) not in prefixes or not _in_tag(data, match.start()):
            continue
        value = _xml_unescape(raw.decode("utf-8", "replace"))
        text = value.strip()
        if text == value and not _ILLEGAL.search(text):
            continue
        iri, _ = checker.iri(value)
        if iri is None:
            return None  # an IRI past repairing: its statement is dropped, statement by statement
        repairs.setdefault(value, iri)
        # what is left to escape for XML (`<`, `>` and `"` were percent-encoded)
        encoded = _ILLEGAL.sub(_percent, text).replace("&", "&amp;").replace("'", "&apos;")
        edits.append((match.start(group), match.end(group), encoded.encode("utf-8")))
    return list(repairs.items())


def _empty_language_edits(data: bytes, edits: list[tuple[int, int, bytes]]) -> list[str]:
    if _EMPTY_LANGUAGE.search(data) is None:
        return []
    leaves = list(_LANGUAGE_LEAF.finditer(data))
    if len(leaves) != len(_LANGUAGE.findall(data)):
        return []  # a language on an element with children: dropping an empty one could let it in
    plain: list[str] = []
    for leaf in leaves:
        empty = _EMPTY_LANGUAGE.search(leaf.group(0))
        if empty is not None and _in_markup(data, leaf.start()):
            edits.append((leaf.start() + empty.start(), leaf.start() + empty.end(), b""))
            plain.append(_xml_unescape(leaf.group(2).decode("utf-8", "replace")))
    return plain


# A value that may need a repair: a character IRIs forbid, or an entity standing for one.
_SUSPECT = re.compile(rb'[\x00-\x20<>"{}|\\^`\x7f]|%(?![0-9A-Fa-f]{2})|&(?!amp;)')
_XML_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")
# (Each starts with its literal text, which the regex engine finds at memchr speed.)
_LANGUAGE = re.compile(rb"""xml:lang\s*=\s*["']""")
_EMPTY_LANGUAGE = re.compile(rb"""xml:lang\s*=\s*(?:""|'')""")
# An element holding text only, with an `xml:lang`: a literal property, which nothing inherits from.
_LANGUAGE_LEAF = re.compile(rb"""<([\w.-]+(?::[\w.-]+)?)(?=[\s/>])[^<>]*\sxml:lang\s*=\s*["'][^<>]*>([^<]*)</\1\s*>""")
_XML_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _in_tag(data: bytes, at: int) -> bool:
    """Whether `at` is inside an element's start tag, not in text, a comment or a CDATA section."""
    opened = data.rfind(b"<", 0, at)
    return opened > data.rfind(b">", 0, at) and not data.startswith(b"<!", opened) and _in_markup(data, at)


def _in_markup(data: bytes, at: int) -> bool:
    """Whether `at` is outside every comment and CDATA section (what looks like a tag there is text)."""
    for opening, closing in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>")):
        opened = data.rfind(opening, 0, at)
        if opened >= 0 and data.find(closing, opened, at) < 0:
            return False
    return True


def _xml_unescape(text: str) -> str:
    if "&" not in text:
        return text
    return _XML_ENTITY.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else chr(int(m.group(2)))
                           if m.group(2) else _NAMED_ENTITIES[m.group(3)], text)


def _percent(match: re.Match[str]) -> str:
    return "%25" if match.group() == "%" else "".join(f"%{b:02X}" for b in match.group().encode("utf-8"))


def _by_line(data: bytes, fmt: ox.RdfFormat, repairs: list[Repair]) -> list[ox.Quad]:
    """N-Triples and N-Quads hold one statement a line: a broken line is dropped alone."""
    quads: list[ox.Quad] = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            quads.extend(ox.parse(line, format=fmt, lenient=True))
        except SyntaxError as exc:
            text = line.decode("utf-8", "replace").strip()
            repairs.append(Repair(text[:200], None, None, f"line {number}: {exc}"))
    return quads


def _by_property(data: bytes, document: str, repairs: list[Repair], first: SyntaxError) -> list[ox.Quad]:
    """RDF/XML: find the node elements the parser refuses, then within each the property
    elements it refuses; drop those, and parse the rest of the document at once (so that blank
    nodes keep their identity across nodes)."""
    try:
        root = safexml.fromstring(data)
    except etree.XMLSyntaxError as exc:
        raise InputError("harvest.bad_xml", path=document, line=exc.lineno, detail=exc.msg) from exc
    if root.tag != f"{{{RDF_NS}}}RDF":
        raise InputError("harvest.rdf.syntax", path=document, detail=first)
    # The usual fault first, found without a trial parse per node: a property with both an
    # `rdf:resource` and text (EDM's rights statements). Often the only one.
    before = len(repairs)
    for node in root:
        for prop in list(node) if isinstance(node.tag, str) else ():
            if isinstance(prop.tag, str) and prop.get(RESOURCE) is not None and (prop.text or "").strip():
                _drop(node, prop, repairs)
    if len(repairs) > before:
        try:
            return list(ox.parse(etree.tostring(root), format=F.RDF_XML, lenient=True))
        except SyntaxError:
            pass
    for node in list(root):
        if not isinstance(node.tag, str) or _parses(root, [node]):
            continue
        for prop in list(node):
            if isinstance(prop.tag, str) and not _parses(root, [_alone(node, prop)]):
                _drop(node, prop, repairs)
    try:
        return list(ox.parse(etree.tostring(root), format=F.RDF_XML, lenient=True))
    except SyntaxError as exc:
        raise InputError("harvest.rdf.syntax", path=document, detail=exc) from exc


def _drop(node: etree._Element, prop: etree._Element, repairs: list[Repair]) -> None:
    """A property element dropped from its node, with the `Repair` that says so."""
    text = " ".join((prop.text or "").split())
    written = f"<{prop.prefix}:{etree.QName(prop).localname}> {text}" if prop.prefix else text
    repairs.append(Repair(written[:200], None, node.get(f"{{{RDF_NS}}}about"), f"line {prop.sourceline}"))
    node.remove(prop)


def _shell(element: etree._Element) -> etree._Element:
    """The element without its children: same name, attributes and namespaces."""
    nsmap: Any = element.nsmap  # lxml-stubs type the default namespace's None key away
    return etree.Element(element.tag, attrib={str(k): str(v) for k, v in element.attrib.items()}, nsmap=nsmap)


def _alone(node: etree._Element, prop: etree._Element) -> etree._Element:
    copy = _shell(node)
    copy.append(deepcopy(prop))
    return copy


def _parses(root: etree._Element, nodes: Iterable[etree._Element]) -> bool:
    trial = _shell(root)
    for node in nodes:
        trial.append(deepcopy(node))
    try:
        for _ in ox.parse(etree.tostring(trial), format=F.RDF_XML, lenient=True):
            pass
    except SyntaxError:
        return False
    return True


class _Checker:
    """Each IRI once: valid as is, repaired, or None (its statements are dropped)."""

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.seen: dict[str, tuple[str | None, bool]] = {}  # value -> (IRI or None, repaired)

    def iri(self, value: str) -> tuple[str | None, bool]:
        found = self.seen.get(value)
        if found is None:
            found = self.seen[value] = self._check(value)
        return found

    def _check(self, value: str) -> tuple[str | None, bool]:
        if _valid(value):
            return value, False
        text = value.strip()
        repaired = text != value or bool(_ILLEGAL.search(text))
        text = _ILLEGAL.sub(_percent, text)
        if not _SCHEME.match(text) and self.base:
            text = urljoin(self.base, text)
        return (text, repaired) if _valid(text) else (None, True)


def _valid(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return _SCHEME.match(value) is not None


def _checked(quads: list[ox.Quad], base: str | None, repairs: list[Repair]) -> list[ox.Quad]:
    checker = _Checker(base)
    out: list[ox.Quad] = []
    reported: set[tuple[str, str | None]] = set()  # each IRI repaired is reported once per subject
    languages: dict[str, bool] = {}
    # Each IRI once: the node kept for it (itself, or resolved against the base) and whether
    # that is it unchanged; None when it is repaired or past repair (the careful way below).
    kept: dict[str, tuple[ox.NamedNode, bool] | None] = {}
    named, literal, blank, default = ox.NamedNode, ox.Literal, ox.BlankNode, ox.DefaultGraph
    for quad in quads:
        # The usual statement (IRIs valid, or relative and resolved, a known language or none,
        # the default graph) is kept, or rebuilt with its resolved IRIs, with no finding.
        subject, predicate, obj, graph = quad
        if type(graph) is default:
            row: list[Any] = [subject, predicate, obj]
            changed = False
            for i in (0, 1, 2):
                term = row[i]
                kind = type(term)
                if kind is named:
                    value = term.value
                    node = kept.get(value, _UNSEEN)
                    if node is _UNSEEN:
                        node = kept[value] = _plain(checker, value)
                    if node is None:
                        break
                    if not node[1]:
                        row[i] = node[0]
                        changed = True
                elif kind is literal:
                    if term.language is not None and not _known_language(languages, term.language):
                        break
                elif kind is not blank:
                    break
            else:
                out.append(ox.Quad(*row) if changed else quad)
                continue
        terms: list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph] = []
        fixed: list[tuple[str, str]] = []
        problem: str | None = None
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                iri, repaired = checker.iri(term.value)
                if iri is None:
                    problem = term.value
                    break
                if repaired:
                    fixed.append((term.value, iri))
                if iri != term.value:
                    term = ox.NamedNode(iri)
            elif isinstance(term, ox.Literal) and term.language is not None and not _known_language(
                    languages, term.language):
                if term.language.strip():
                    problem = f'"{term.value[:60]}"@{term.language}'
                    break
                fixed.append((f'"{term.value[:60]}"@', f'"{term.value[:60]}"'))
                term = ox.Literal(term.value)
            terms.append(term)
        about = _subject_text(terms[0] if terms else quad.subject)
        if problem is not None:
            repairs.append(Repair(problem, None, about))
            continue
        for value, iri in fixed:
            if (value, about) not in reported:
                reported.add((value, about))
                repairs.append(Repair(value, iri, about))
        if terms[0] is quad.subject and terms[1] is quad.predicate and terms[2] is quad.object:
            out.append(quad)
        else:
            s, p, o, g = terms
            out.append(ox.Quad(s, p, o, g))  # type: ignore[arg-type]  # the kinds parse gave, repaired
    return out



_UNSEEN: Any = object()


def _plain(checker: _Checker, value: str) -> tuple[ox.NamedNode, bool] | None:
    """The node for an IRI that needs no finding (valid, or relative and resolved), and
    whether it is the IRI as read; None for one repaired or past repair."""
    iri, repaired = checker.iri(value)
    if iri is None or repaired:
        return None
    return ox.NamedNode(iri), iri == value


def _subject_text(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _known_language(seen: dict[str, bool], tag: str) -> bool:
    ok = seen.get(tag)
    if ok is None:
        ok = seen[tag] = _language_ok(tag)
    return ok


def _language_ok(tag: str) -> bool:
    try:
        ox.Literal("", language=tag)
    except ValueError:
        return False
    return True

"""Selectors: how a mapping points at values inside a record, compiled once per mapping.

    csv     a column name                              titre_fr
    json    a dotted path; lists are walked through    adresse.ville, contributors.fc
    jsonld  the same over schema.org local names;      location.address.addressLocality,
            `Name[Type]` keeps nodes of that type      @nodes[Event]  (all top-level events)
            (schema.org subtypes included)
    xml     an XPath 1.0 expression, namespaces        lido:titleWrap/lido:titleSet/lido:appellationValue
            declared once under `namespaces`

`$` is the current node itself. A selector returns *items*: strings for values, nodes for
`each`. `text_of` and `lang_of` read an item's text and its language tag (xml:lang in XML,
@language in JSON-LD), the latter only when a mapping asks for the source's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from culturedata.mapping import jsonld

Selector = Callable[[Any], list[Any]]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_STEP = re.compile(r"^([^\[\]]+)(?:\[([A-Za-z|]+)\])?$")


class SelectorError(ValueError):
    pass


def compile_selector(fmt: str, text: str, namespaces: dict[str, str]) -> Selector:
    if text == "$":
        return lambda node: [node] if node not in (None, "") else []
    if fmt == "xml":
        return _xpath(text, namespaces)
    if fmt == "csv":
        return lambda row: _cell(row.get(text)) if isinstance(row, dict) else []
    return _json_path(text, fmt == "jsonld")


def compile_each(fmt: str, text: str, namespaces: dict[str, str]) -> Selector:
    """The selector of an entity's `each`: in XML, only the elements it gives, since an entity
    repeats over elements and reads its fields below them (`count(...)` or a bare number gives none)."""
    select = compile_selector(fmt, text, namespaces)
    if fmt != "xml" or text == "$":
        return select

    def elements(node: Any) -> list[Any]:
        return [item for item in select(node) if isinstance(item, etree._Element)]

    return elements


def _cell(value: Any) -> list[Any]:
    """A CSV cell's items: the parts of a `multivalue` cell (a list), else the cell if filled."""
    if isinstance(value, list):
        return value
    return [value] if value else []


_PROBE = etree.Element("probe")


def _xpath(text: str, namespaces: dict[str, str]) -> Selector:
    try:
        compiled = etree.XPath(text, namespaces=namespaces, smart_strings=True)
        # lxml finds an undeclared prefix or an unknown function only when it evaluates: once
        # here, on an empty element, rather than on the first record, as an internal error
        compiled(_PROBE)
    except etree.XPathError as exc:
        raise SelectorError(f"XPath {text!r}: {exc}") from exc

    def select(node: Any) -> list[Any]:
        found = compiled(node)
        return found if isinstance(found, list) else xpath_scalar(found)

    select.compiled = compiled  # type: ignore[attr-defined]  # the engine calls it directly
    return select


def xpath_scalar(found: Any) -> list[Any]:
    """An XPath result that is not a node-set (string(), count(), a comparison) as items."""
    if isinstance(found, bool):
        return ["true" if found else "false"]
    if isinstance(found, float):
        return [str(int(found)) if found.is_integer() else str(found)]
    return [found] if found else []


def _json_path(text: str, linked: bool) -> Selector:
    steps: list[tuple[str, frozenset[str] | None]] = []
    for part in text.split("."):
        match = _STEP.match(part)
        if not match:
            raise SelectorError(f"path {text!r}: cannot read step {part!r}")
        types = jsonld.with_subtypes(match.group(2).split("|")) if match.group(2) else None
        steps.append((match.group(1), types))
    steps_t = tuple(steps)

    def select(node: Any) -> list[Any]:
        document = node.document if isinstance(node, _Rooted) else None
        current = [node.value if isinstance(node, _Rooted) else node]
        for key, types in steps_t:
            following: list[Any] = []
            for item in current:
                if key == "@nodes" and document is not None:
                    following.extend(document.nodes)
                    continue
                if not isinstance(item, dict):
                    continue
                value = item.get(key)
                if value is None:
                    continue
                following.extend(value if isinstance(value, list) else [value])
            if document is not None:
                following = [document.resolve(i) for i in following]
            if types is not None:
                following = [i for i in following if _typed(i, types)]
            current = following
        if document is not None:
            return [_Rooted(i, document) if isinstance(i, dict) and "@value" not in i else i for i in current]
        return current

    return select


def _typed(item: Any, types: frozenset[str]) -> bool:
    """`[Place]` keeps nodes of that type; `[Text]` keeps plain values, not nodes."""
    if not isinstance(item, dict) or "@value" in item:
        return "Text" in types
    return jsonld.is_a(item, types)


class _Rooted:
    """A JSON-LD node together with its document, so that paths can follow @id references."""

    __slots__ = ("document", "value")

    def __init__(self, value: Any, document: jsonld.Document) -> None:
        self.value = value
        self.document = document


def rooted(document: jsonld.Document) -> _Rooted:
    return _Rooted({}, document)


def text_of(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, etree._Element):
        # Most values are leaves, whose text is .text: itertext() costs ten times more.
        # lxml-stubs type itertext() as str | bytes; a parsed document's text is str
        return (item.text or "") if len(item) == 0 else "".join(item.itertext())  # type: ignore[arg-type]
    if isinstance(item, _Rooted):
        value = item.value
        return str(value.get("@id", "")) if isinstance(value, dict) else str(value)
    if isinstance(item, dict):
        if "@value" in item:
            return str(item["@value"])
        return str(item.get("@id", ""))
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, float) and item.is_integer():
        return str(int(item))
    return "" if item is None else str(item)


def lang_of(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get("@language")
    element = item if isinstance(item, etree._Element) else getattr(item, "getparent", lambda: None)()
    while element is not None:
        lang = element.get(XML_LANG)
        if lang:
            return lang
        element = element.getparent()
    return None

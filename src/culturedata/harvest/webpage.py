"""A web page as its bytes came: its text, then the structured data it publishes.

Text: the encoding is chosen as browsers choose it (w3lib's `html_to_unicode`, the WHATWG
order): a byte-order mark, then the HTTP `Content-Type` charset (none for a saved copy), then
`<meta charset>` / `http-equiv` / the XML declaration, then detection. Detection takes a body
that is valid UTF-8 as UTF-8 (pages without a declared charset are mostly UTF-8, and legacy
French text is never valid UTF-8 by accident), else charset-normalizer's best guess.

Structured data: every `<script type="application/ld+json">` block (repaired as
`jsonrepair.py` explains; a `null` block is empty, an array gives its objects), then
microdata and RDFa read by extruct, a maintained extractor, as schema.org JSON-LD. Each block
keeps its kind ("json-ld", "microdata", "rdfa") so that a record can say where it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import charset_normalizer
import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from culturedata.harvest import jsonrepair
from culturedata.harvest.limits import DEPTH, TooDeep, depth_exceeds

JSON_LD, MICRODATA, RDFA = "json-ld", "microdata", "rdfa"
# Cheap signs that a page has microdata or RDFa at all: extruct's RDFa pass is the slow one.
HAS_MICRODATA = re.compile(r"\bitemscope\b", re.IGNORECASE)
HAS_RDFA = re.compile(r"\b(?:typeof|vocab)\s*=", re.IGNORECASE)
SCHEMA = ("http://schema.org/", "https://schema.org/")
LEGACY = "cp1252"


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of structured data: its kind, its number among the page's blocks of that kind,
    and its value as JSON-LD (an object, or a list of objects)."""

    kind: str
    number: int
    value: Any


@dataclass(slots=True)
class Extracted:
    encoding: str
    blocks: list[Block] = field(default_factory=list)
    broken: list[int] = field(default_factory=list)  # JSON-LD blocks beyond repair, by number

    @property
    def kinds(self) -> list[str]:
        return sorted({block.kind for block in self.blocks}, key=(JSON_LD, MICRODATA, RDFA).index)

    def objects(self) -> list[Any]:
        """Every block's objects in one flat list (an array block gives its members)."""
        found: list[Any] = []
        for block in self.blocks:
            found.extend(block.value if isinstance(block.value, list) else [block.value])
        return found


def decode(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(encoding, text) of an HTML page; undecodable bytes become U+FFFD, never an error."""
    encoding, text = html_to_unicode(content_type, content, auto_detect_fun=detect)
    return encoding, text


def detect(body: bytes) -> str | None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return likeliest(body)
    return "utf-8"


def likeliest(body: bytes) -> str | None:
    """charset-normalizer's best guess; among guesses that read the page equally well (French
    text reads the same in windows-1250, 1252 and 1257 but for a few letters), windows-1252,
    the legacy encoding browsers assume for an undeclared page in French or English."""
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        same = match.chaos == best.chaos and match.coherence == best.coherence
        if same and LEGACY in match.could_be_from_charset:
            return LEGACY
    return best.encoding


def extract(content: bytes, content_type: str | None, url: str, max_depth: int = DEPTH) -> Extracted:
    """The page's structured data. `TooDeep` when a block nests more than `max_depth` levels."""
    encoding, text = decode(content, content_type)
    extracted = Extracted(encoding)
    tree = parse(text, rdfa=HAS_RDFA.search(text) is not None)
    if tree is None:
        return extracted
    for number, script in enumerate(scripts(tree), start=1):
        try:
            value = jsonrepair.load(script, max_depth)
        except jsonrepair.Irreparable:
            extracted.broken.append(number)
            continue
        if value is not None and value != []:
            extracted.blocks.append(Block(JSON_LD, number, value))
    syntaxes = [kind for kind, sign in ((MICRODATA, HAS_MICRODATA), (RDFA, HAS_RDFA)) if sign.search(text)]
    for kind, values in embedded(tree, url, syntaxes).items():
        for number, value in enumerate(values, start=1):
            if depth_exceeds(value, max_depth):
                raise TooDeep()
            extracted.blocks.append(Block(kind, number, value))
    return extracted


def parse(text: str, rdfa: bool) -> lxml.html.HtmlElement | None:
    """The page's tree; with `rdfa`, in the DOM flavour extruct's RDFa reader needs.

    The text goes back to UTF-8 bytes with the parser told so: lxml refuses a `str` that
    carries an XML declaration, and a `<meta charset>` must not override the decoding above.
    """
    from extruct.xmldom import XmlDomHTMLParser  # imported with extruct, when a page has RDFa

    body = text.encode("utf-8", "surrogatepass")
    if not body.strip():
        return None
    parser = XmlDomHTMLParser(encoding="utf-8") if rdfa else lxml.html.HTMLParser(encoding="utf-8")
    try:
        tree: lxml.html.HtmlElement | None = lxml.html.fromstring(body, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError):
        return None
    return tree


def scripts(tree: lxml.html.HtmlElement) -> Iterator[str]:
    for script in tree.iter("script"):
        if (script.get("type") or "").split(";")[0].strip().lower() == "application/ld+json":
            yield script.text or ""


def embedded(tree: lxml.html.HtmlElement, url: str, syntaxes: list[str]) -> dict[str, list[Any]]:
    """Microdata items and RDFa nodes about schema.org things, as JSON-LD."""
    if not syntaxes:
        return {}
    import extruct  # extruct and pyRdfa take a moment to import; most pages never need them

    found: dict[str, list[Any]] = extruct.extract(tree, base_url=url, syntaxes=syntaxes, errors="log", uniform=True)
    result: dict[str, list[Any]] = {}
    items = [item for item in found.get(MICRODATA, []) if isinstance(item, dict)]
    if items:
        result[MICRODATA] = items
    nodes = schema_nodes(found.get(RDFA, []))
    if nodes:
        result[RDFA] = [nodes]
    return result


def schema_nodes(nodes: list[Any]) -> list[dict[str, Any]]:
    """The RDFa nodes that say something in schema.org (pages also carry Open Graph and XHTML
    vocabulary terms), with pyRdfa's random blank-node names renumbered in order of appearance
    so that an unchanged page gives the same record on every run."""
    names: dict[str, str] = {}

    def rename(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("_:"):
            return names.setdefault(value, f"_:b{len(names)}")
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, dict):
            return {k: rename(v) if k == "@id" or isinstance(v, list | dict) else v for k, v in value.items()}
        return value

    kept = [node for node in nodes if isinstance(node, dict) and about_schema(node)]
    return [rename(node) for node in kept]


def about_schema(node: dict[str, Any]) -> bool:
    types = node.get("@type", [])
    return any(str(t).startswith(SCHEMA) for t in (types if isinstance(types, list) else [types])) or any(
        key.startswith(SCHEMA) for key in node
    )

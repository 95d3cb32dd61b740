"""XML parsing that a hostile or huge file cannot turn against us.

No external entities or DTDs are loaded (no reading `/etc/passwd` through an entity), no
network access, no entity expansion (no "billion laughs"), and lxml's limits on tree depth
and text size stay on (`huge_tree=False`): libxml2 refuses elements nested more than 256
deep and text nodes over 10 MB, as a syntax error that fails the file, not the process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any, Protocol

from lxml import etree

SAFE: dict[str, Any] = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}


def parser() -> etree.XMLParser:
    return etree.XMLParser(**SAFE)


def fromstring(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser())


class _Unbuilt:
    """A parser target that takes no events: libxml2 reads the document and builds nothing."""

    def close(self) -> None:
        return None


def check(data: bytes) -> None:
    """Raise `XMLSyntaxError` unless `fromstring(data)` would parse, without building the tree.

    A third of the time of a parse, and lxml lets the other threads run meanwhile. A parser
    without a tree only stops at fatal errors; namespace errors (an undeclared prefix, an
    attribute given twice through two prefixes) are only logged, and `fromstring` refuses
    them, so they are raised from the log.
    """
    # lxml-stubs' ParserTarget wants every event method; this target has none on purpose.
    checking = etree.XMLParser(target=_Unbuilt(), **SAFE)  # type: ignore[arg-type]
    etree.fromstring(data, checking)
    for error in checking.error_log:
        if error.level >= etree.ErrorLevels.ERROR:
            raise etree.XMLSyntaxError(  # type: ignore[call-arg]  # lxml-stubs lack its 4-argument __init__
                f"{error.message}, line {error.line}, column {error.column}", error.type, error.line, error.column
            )


class Events(Protocol):
    """What we use of lxml's `iterparse` (lxml-stubs do not describe it): its ("end",
    element) events and, once read, the root."""

    root: etree._Element | None

    def __iter__(self) -> Iterator[tuple[str, etree._Element]]: ...

    def __next__(self) -> tuple[str, etree._Element]: ...


def iterparse(
    source: str | IO[bytes], tag: str | tuple[str, ...] | None = None, events: tuple[str, ...] = ("end",)
) -> Events:
    """`lxml.etree.iterparse` with the safe settings; `tag` filters elements as lxml does."""
    parsing: Events = etree.iterparse(source, events=events, tag=tag, remove_blank_text=False, **SAFE)
    return parsing


def release(element: etree._Element) -> None:
    """Free a streamed element and the emptied siblings before it, so memory stays flat."""
    element.clear(keep_tail=True)  # type: ignore[call-arg]  # lxml-stubs lack keep_tail (lxml has it since 4.4)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]

"""Each streamed record's bytes cut from the file lxml is parsing, instead of re-serialised.

`etree.tostring` of every record costs about a third of the parse itself. The record is
already in the file: lxml still parses the whole document (it stays the judge of
well-formedness, of which elements are records and of their identifiers), and this module
only finds the same element's bytes, `<lido:lido …>…</lido:lido>`, and hands them out with
the namespace declarations of its ancestors added to the start tag, so that the payload is
a document of its own, as `tostring` made it.

A cut is only used when it is proven to be the element lxml gave; otherwise `cut` returns
None and the caller serialises the element as before. The proof:

- the file is UTF-8 (or ASCII) without a DOCTYPE (no entities or default attributes);
- the record's body holds no comment, CDATA section or processing instruction (which could
  hide a tag) and no element of the same name (nesting);
- a record that follows the previous cut record after nothing but whitespace, under the
  same parent, with its prefix bound to the record's namespace, is the next record lxml
  gives (same parent, same name, so the record path matches it too);
- any other record (the first one, or one after other markup) must start on the line lxml
  reports (`sourceline`, exact below 65,535 lines), with no comment, CDATA section or
  processing instruction before it since the previous cut, and contain its identifier.

The payload then differs from `tostring`'s only in form (quotes, character references,
`<a></a>` for `<a/>`), not in content: parsed, it is the same element.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path
from typing import TYPE_CHECKING, cast

from lxml import etree

if TYPE_CHECKING:
    from types import TracebackType

PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml\s[^>]*?\?>)?")
ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
UTF8 = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
DECLARED = re.compile(rb"""(?:^|\s)xmlns(?::([^\s=]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
ATTRIBUTES = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
AFTER_NAME = frozenset(b" \t\r\n/>")
RELEASE_EVERY = 16 * 1024 * 1024
RELIABLE_LINES = 65535  # libxml2 keeps exact line numbers below this; above, an estimate
ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord('"'): "&quot;"}


class Tag:
    """The patterns for one record name as it is written in the file (`lido:lido`)."""

    def __init__(self, qname: bytes, namespace: str | None) -> None:
        self.qname = qname
        self.prefix = qname.split(b":", 1)[0].decode() if b":" in qname else None
        self.namespace = namespace or None
        name = re.escape(qname)
        self.next_start = re.compile(rb"\s*(<" + name + ATTRIBUTES + rb")")
        self.any_start = re.compile(rb"(<" + name + ATTRIBUTES + rb")")
        self.end = re.compile(rb"</" + name + rb"\s*>")


class Slicer:
    """Cuts records out of one memory-mapped file, in the order lxml gives them."""

    def __init__(self, data: mmap.mmap, start: int) -> None:
        self.data = data
        self.length = len(data)
        self.origin = self.pos = start  # just after the previous cut record, or after the XML declaration
        self.parent: etree._Element | None = None  # the previous cut record's parent, while in step
        self.tags: dict[tuple[str, str | None], Tag] = {}
        self.context: tuple[etree._Element | None, bytes, bytes] | None = None
        self.line_pos, self.line_no = 0, 1
        self.released = 0
        self.inherited: tuple[etree._Element | None, dict[str | None, str]] = (None, {})
        self.known: tuple[etree._Element | None, dict[tuple[bytes, bytes], dict[str | None, str] | None]] = (None, {})

    @classmethod
    def open(cls, path: Path) -> Slicer | None:
        """A slicer for `path`, or None when its records cannot be cut (not UTF-8, a DOCTYPE…).

        The file is memory-mapped. Reading a mapped page that a truncation took away would
        kill the process, so each record first checks that the file is whole (`intact`): a
        dump rewritten in place during a harvest then ends in a clean error from lxml, as it
        did before (a download from a URL goes to a temporary file of its own).
        """
        try:
            with path.open("rb") as handle:
                data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # an empty file cannot be mapped
            return None
        head = data[:4096]
        prolog = PROLOG.match(head)
        declared = ENCODING.search(prolog.group(0)) if prolog else None
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (declared and declared.group(1).lower() not in UTF8):
            data.close()
            return None
        slicer = cls(data, prolog.end() if prolog else 0)
        if data.find(b"<!DOCTYPE", slicer.pos, _first_element(data, slicer.pos)) != -1:
            data.close()
            return None
        return slicer

    def close(self) -> None:
        self.parent = self.context = None
        self.inherited, self.known = (None, {}), (None, {})
        self.data.close()

    def __enter__(self) -> Slicer:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def intact(self) -> bool:
        """Is the file still as long as when it was mapped?"""
        return self.data.size() >= self.length

    def cut(self, element: etree._Element, local_id: str | None) -> bytes | None:
        """`element`'s bytes as a standalone document, or None when they cannot be proven."""
        if not self.intact():
            return None
        tag = self._tag(element)
        parent = element.getparent()
        found = tag.next_start.match(self.data, self.pos) if self.parent is not None and parent is self.parent else None
        in_step = found is not None
        if found is None:
            self.parent = None
            found = tag.any_start.search(self.data, self.pos)
            if found is None:
                return None
        start, attributes = found.start(1), found.group(2)
        own = self.bindings(tag, attributes, parent)
        end = None if own is None else found.end(0) if found.group(3) else self.end_of(tag, found.end(0))
        if own is None or end is None or not (in_step or self._resynced(element, tag, start, end, local_id)):
            self._lost(start)
            return None
        self.parent = parent
        self.advance(end)
        return self.payload(tag, parent, start, end, attributes, own)

    def _tag(self, element: etree._Element) -> Tag:
        key = (element.tag, element.prefix)
        tag = self.tags.get(key)
        if tag is None:
            qname = etree.QName(element)
            written = f"{element.prefix}:{qname.localname}" if element.prefix else qname.localname
            tag = self.tags[key] = Tag(written.encode(), qname.namespace)
        return tag

    def bindings(
        self, tag: Tag, attributes: bytes, parent: etree._Element | None
    ) -> dict[str | None, str] | None:
        """The namespaces the start tag declares, or None when its prefix is not the record's.

        Records of one file mostly have the same start tag: the answer is kept per parent.
        """
        if self.known[0] is not parent:
            self.known = (parent, {})
        known, key = self.known[1], (tag.qname, attributes)
        if key in known:
            return known[key]
        own: dict[str | None, str] | None = {}
        declared: dict[str | None, str] = {}
        for found in DECLARED.finditer(attributes) if b"xmlns" in attributes else ():
            value = found.group(2) if found.group(2) is not None else found.group(3)
            if b"&" in value:  # a character reference in a namespace name: leave it to tostring
                own = None
                break
            declared[found.group(1).decode() if found.group(1) else None] = value.decode()
        if own is not None:
            bound = declared[tag.prefix] if tag.prefix in declared else self._inherited(parent).get(tag.prefix)
            own = declared if (bound or None) == tag.namespace else None
        if len(known) < 64:
            known[key] = own
        return own

    def _inherited(self, parent: etree._Element | None) -> dict[str | None, str]:
        """The namespaces in scope at `parent` (asked of lxml once per parent)."""
        if parent is None:
            return {}
        if self.inherited[0] is not parent:
            self.inherited = (parent, parent.nsmap)
        return self.inherited[1]

    def advance(self, end: int) -> None:
        """The records before `end` are done: their pages may leave our memory."""
        self.pos = end
        if end - self.released > RELEASE_EVERY:
            self._release(end)

    def restart(self) -> None:
        """Back to the first record, for another pass over the file."""
        self.pos, self.parent, self.context = self.origin, None, None
        self.line_pos, self.line_no, self.released = 0, 1, 0
        self.inherited, self.known = (None, {}), (None, {})

    def _release(self, end: int) -> None:
        """Unmap the pages already cut, so that a big file does not count as our memory."""
        upto = end - end % mmap.PAGESIZE
        if hasattr(self.data, "madvise") and upto > self.released:
            self.data.madvise(mmap.MADV_DONTNEED, self.released, upto - self.released)
        self.released = upto

    def end_of(self, tag: Tag, body: int, plain: bool = True) -> int | None:
        """Where the record's end tag ends, if its body holds no nesting (nor, if `plain`, any
        comment, CDATA section or PI)."""
        data, qname, at = self.data, tag.qname, body
        while True:
            at = data.find(qname, at)
            if at == -1:
                return None
            after = at + len(qname)
            if after < len(data) and data[after] in AFTER_NAME:
                if data[at - 1] == 0x3C:  # "<": the same element inside the record
                    return None
                if data[at - 2 : at] == b"</":
                    closing = tag.end.match(data, at - 2)
                    if closing is None:
                        return None
                    return closing.end() if not plain or _plain(data, body, at - 2) else None
            at = after

    def _resynced(self, element: etree._Element, tag: Tag, start: int, end: int, local_id: str | None) -> bool:
        """A record not directly after the previous one: the line and identifier must agree."""
        line = cast("int | None", element.sourceline)  # lxml-stubs give its type in a comment only
        if not local_id or line is None or line >= RELIABLE_LINES or not _plain(self.data, self.pos, start):
            return False
        if start < self.line_pos:
            self.line_pos, self.line_no = 0, 1
        self.line_no += _newlines(self.data, self.line_pos, start)
        self.line_pos = start
        return self.line_no == line and local_id.encode() in self.data[start:end]

    def _lost(self, start: int) -> None:
        """Out of step: the next record is looked for after this start tag, and proven again."""
        self.parent = None
        self.pos = start + 1

    def payload(
        self, tag: Tag, parent: etree._Element | None, start: int, end: int, attributes: bytes,
        own: dict[str | None, str],
    ) -> bytes:
        """The bytes from `start` to `end`, with the namespaces in scope at `parent` declared."""
        context = self.context
        if context is None or context[0] is not parent or context[1] != attributes:
            inherited = self._inherited(parent)
            declarations = "".join(
                f' xmlns:{prefix}="{uri.translate(ESCAPES)}"' if prefix else f' xmlns="{uri.translate(ESCAPES)}"'
                for prefix, uri in inherited.items()
                if prefix not in own
            )
            context = self.context = (parent, attributes, declarations.encode())
        extra = context[2]
        if not extra:
            return self.data[start:end]
        name_end = start + 1 + len(tag.qname)
        return b"".join((self.data[start:name_end], extra, self.data[name_end:end]))


def _plain(data: mmap.mmap, start: int, end: int) -> bool:
    """No comment, CDATA section or processing instruction between `start` and `end`."""
    for mark in (b"!", b"?"):
        at = data.find(mark, start, end)
        while at != -1:
            if data[at - 1] == 0x3C:
                return False
            at = data.find(mark, at + 1, end)
    return True


def _newlines(data: mmap.mmap, start: int, end: int) -> int:
    step = 1 << 20  # a megabyte at a time: the stretch may be long, memory stays flat
    return sum(data[at : min(at + step, end)].count(b"\n") for at in range(start, end, step))


def _first_element(data: mmap.mmap, start: int) -> int:
    """Offset of the root element's start tag (past comments, PIs and a DOCTYPE)."""
    found = re.compile(rb"<[A-Za-z_]").search(data, start)
    return found.start() if found else len(data)

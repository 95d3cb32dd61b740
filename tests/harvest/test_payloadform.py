"""A record's payload, and so its content hash, does not depend on the path that read it.

An OAI-PMH page is read from its bytes when it has the regular shape (`oaislice.py`), from
its tree otherwise, streamed when it is big: a repository's page can switch path from one
run to the next (a comment appears, a page grows), and an unchanged record must not then
hash as changed. Every page here is read through all three paths, which must give the same
headers, the same payload bytes and the same content hashes: the OAI-PMH pages of the test
suite and of ../shared/data/oai-pmh, the XML records of ../shared/data and sample_inputs
served as payloads, and pages generated with character references, CDATA sections,
comments, namespaces declared far up, attributes with references and every spelling of a tag.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_oaislice import IRREGULAR, REGULAR, page, record

from culturedata.harvest import oaipmh, oaislice, payloadform
from culturedata.records import content_hash

ROOT = Path(__file__).resolve().parents[2]
OAI = "http://www.openarchives.org/OAI/2.0/"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI}"{{declarations}}><responseDate>2026-01-01T00:00:00Z</responseDate>'


def read_three_ways(content: bytes) -> bool:
    """Read `content` from its bytes (if regular), its tree and as a stream; all the same.
    True when the bytes path took it."""
    frame = oaislice.Frame.of(content)
    sliced = frame is not None and frame.read(oaipmh.Header) is not None
    pages = [
        oaipmh.parse_page(content, "http://x/oai"),
        oaipmh.read_tree(oaipmh.parse_tree(content), "http://x/oai", oaipmh.RECORD),
        oaipmh.stream_page(content, "http://x/oai"),
    ]
    fast, tree, stream = ([(header, payload, content_hash(payload or b"")) for header, payload in p.records]
                          for p in pages)
    assert fast == tree, content
    assert stream == tree, content
    assert [(p.token, p.response_date, p.error) for p in pages[1:]] == [(pages[0].token, pages[0].response_date,
                                                                         pages[0].error)] * 2
    return sliced


@pytest.mark.parametrize("name", sorted(REGULAR) + sorted(IRREGULAR))
def test_the_pages_of_the_slicing_tests(name: str) -> None:
    read_three_ways({**REGULAR, **IRREGULAR}[name])


def test_the_recorded_oai_pmh_pages(shared_data: Path) -> None:
    names = sorted((shared_data / "oai-pmh").glob("*.xml"))
    assert names
    for path in names:
        content = path.read_bytes()
        try:
            root = oaipmh.parse_tree(content)
        except oaipmh.BadPage:
            continue  # a broken recording: refused by every path (tests/harvest/test_oaipmh_recorded.py)
        if root.find(f"{{{OAI}}}ListIdentifiers") is None:
            read_three_ways(content)


# A payload spelled otherwise than `tostring` spells it: read from the bytes, the same bytes as the tree's.
SPELLINGS = {
    "character references": '<m xmlns="urn:m" a="&#233;&#x3c;">caf&#233; &#xE9; &#60; &#62; &#38;</m>',
    "entities": '<m xmlns="urn:m" a="&amp;&lt;&gt;&quot;&apos;">&amp;&lt;&gt;&quot;&apos;</m>',
    "single quotes": "<m xmlns='urn:m' a='x\"y'>t</m>",
    "blanks in tags": '<m  xmlns="urn:m"\n a = "1"\t><n\n/><o ></o ></m>',
    "empty as start and end tag": '<m xmlns="urn:m"><n></n></m>',
    "empty root as start and end tag": '<m xmlns="urn:m"></m>',
    "carriage returns": '<m xmlns="urn:m" a="x\ry">a\r\nb\rc</m>',
    "tab and line feed in an attribute": '<m xmlns="urn:m" a="x\ty\nz" b="&#9;&#10;&#13;"/>',
    "greater-than in text and attribute": '<m xmlns="urn:m" a="x>y">a > b</m>',
    "declarations after attributes": '<m a="1" xmlns="urn:m" xmlns:p="urn:p"><p:n b="2" xmlns:q="urn:q"/></m>',
    "prefix declared on the root only": '<p:m xmlns:p="urn:p" q:a="1"><q:n/></p:m>',
}


@pytest.mark.parametrize("name", sorted(SPELLINGS))
def test_a_payload_spelled_otherwise_is_read_from_the_bytes_as_the_tree_writes_it(name: str) -> None:
    head = HEAD.format(declarations=' xmlns:q="urn:q" xmlns:z="urn:z&amp;&#x7a;"')
    content = page(record(1, metadata=SPELLINGS[name]) + record(2), head=head)
    assert read_three_ways(content), "the page should have been read from its bytes"


def test_a_payload_already_spelled_as_tostring_is_used_as_it_is() -> None:
    """The usual case costs no parse: the cut bytes are checked, not rewritten."""
    payload = b'<m xmlns="urn:m" xmlns:p="urn:p" a="&amp;&lt;&gt;&quot;&#10;&#9;&#13;\'"><p:n/>\xc3\xa9 &amp; "\'\n\t</m>'
    assert etree.tostring(etree.fromstring(payload), encoding="utf-8") == payload
    start, spelled = payloadform.splice(b'<m xmlns="urn:m" a="&amp;&lt;&gt;&quot;&#10;&#9;&#13;\'"', b' xmlns:p="urn:p"')
    assert spelled
    assert payloadform.spelled(start, payload[len(start):], spelled) is not None
    assert payloadform.REST.fullmatch(payload[len(start):]) is not None


# XML records of the shared test data and the sample inputs, served as OAI-PMH payloads.
PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?\s*")


def xml_files(shared_data: Path) -> list[Path]:
    folders = [shared_data / "lido", shared_data / "edm", shared_data / "dpla-records", ROOT / "sample_inputs"]
    return sorted(path for folder in folders for path in folder.rglob("*.xml"))


def as_payloads(path: Path) -> list[tuple[str, str]]:
    """The file's root element as its bytes are written, and each of its children with their
    namespace declarations moved up to the OAI-PMH root: (root declarations, payload)."""
    content = path.read_bytes()
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    if b"<!DOCTYPE" in content or root.tag is etree.Comment:
        return []
    body = PROLOG.sub(b"", content).decode("utf-8", errors="strict")
    found = [("", body.strip())]
    for child in root.iterchildren("*"):
        written = etree.tostring(child, encoding="utf-8", with_tail=False).decode()
        tag_end = written.index(">")
        declarations = re.findall(r' xmlns:[^=\s]+="[^"]*"', written[:tag_end])
        start = written[:tag_end]
        for declaration in declarations:
            start = start.replace(declaration, "", 1)
        found.append(("".join(declarations), start + written[tag_end:]))
    return found


def test_the_xml_records_of_the_test_data_as_payloads(shared_data: Path) -> None:
    paths = xml_files(shared_data)
    assert len(paths) > 20
    sliced = 0
    for path in paths:
        for declarations, payload in as_payloads(path):
            if "xmlns:xml=" in declarations:
                continue
            content = page(record(1, metadata=payload), head=HEAD.format(declarations=declarations))
            try:
                etree.fromstring(content)
            except etree.XMLSyntaxError:
                continue  # a clash of a moved declaration with the OAI-PMH frame
            sliced += read_three_ways(content)
    assert sliced > 50, sliced  # most of them go through the bytes path


# Generated pages: tags spelled every way, references, CDATA, comments, namespaces far up.
BLANK = st.sampled_from([" ", " ", "  ", "\n", "\t", "\r\n"])
PIECES = [
    "a", "é", " ", "\n", "\t", "\r\n", "\r", ">", '"', "'", "]]&gt;", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;",
    "&#233;", "&#xE9;", "&#60;", "&#13;", "&#10;", "&#9;", "&#38;", "\u00a0", "\U0001f600",
]
PLAIN_TEXT = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)  # a page the bytes path may read
TEXT = st.lists(st.sampled_from([*PIECES, "<![CDATA[x<&>]]>", "<!-- c -->"]), max_size=6).map("".join)
NAMES = ["a", "b", "p:a", "q:b", "z:c", "p:metadata"]
LIST_NAMES = ["record", "metadata"]  # an element of these names in a payload sends the page to its tree


@st.composite
def attribute_value(draw: st.DrawFn) -> str:
    quote = draw(st.sampled_from(['"', "'"]))
    pieces = ["x", "é", " ", "\t", "\n", "\r", ">", "=", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#233;",
              "&#9;", "&#10;", "&#13;", "&#34;", "'" if quote == '"' else '"']
    return quote + "".join(draw(st.lists(st.sampled_from(pieces), max_size=5))) + quote


@st.composite
def element(draw: st.DrawFn, depth: int = 0, root: bool = False, plain: bool = True) -> str:
    if root:  # mostly a name not used inside: a payload holding its own name is read from the tree
        name = draw(st.sampled_from(["r", "p:r", "z:r", "a"]))
    else:
        name = draw(st.sampled_from(NAMES if plain else NAMES + LIST_NAMES))
    attributes = []
    if root and draw(st.booleans()):
        attributes.append(f'xmlns="{draw(st.sampled_from(["urn:d", "urn:p", OAI]))}"')
    if draw(st.booleans()):
        attributes.append(f'xmlns:{draw(st.sampled_from(["p", "q", "r"]))}="{draw(st.sampled_from(["urn:p", "urn:r"]))}"')
    for attribute in draw(st.lists(st.sampled_from(["x", "y", "p:x", "q:y", "xml:lang"]), max_size=3, unique=True)):
        equals = draw(st.sampled_from(["=", "=", " = ", "\n="]))
        attributes.append(f"{attribute}{equals}{draw(attribute_value())}")
    attributes = draw(st.permutations(attributes))
    start = "<" + name + "".join(draw(BLANK) + a for a in attributes) + draw(st.sampled_from(["", "", " ", "\n"]))
    children = draw(st.lists(element(depth + 1, plain=plain), max_size=3)) if depth < 3 else []
    text = PLAIN_TEXT if plain else TEXT
    content = draw(text) + "".join(child + draw(text) for child in children)
    if not content and draw(st.booleans()):
        return start + "/>"
    return f"{start}>{content}</{name}{'' if root else draw(st.sampled_from(['', '', ' ']))}>"


@st.composite
def oai_page(draw: st.DrawFn) -> bytes:
    far_up = draw(st.sampled_from([
        ' xmlns:p="urn:p" xmlns:q="urn:q" xmlns:z="urn:z"',
        ' xmlns:z="urn:z" xmlns:q="urn:q&amp;&#x71;" xmlns:p="urn:p"',
        " xmlns:p='urn:p' xmlns:q=\"urn:q\" xmlns:z=\"urn:&#x7a;\"",
    ]))
    records, plain = [], draw(st.booleans())
    for n in range(draw(st.integers(1, 3))):
        metadata = draw(element(root=True, plain=plain))
        records.append(record(n, metadata=metadata) + ("" if plain else draw(st.sampled_from(["", "<!-- c -->"]))))
    content = page("".join(records), head=HEAD.format(declarations=far_up))
    return content


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(oai_page())
@example(page(record(1, metadata='<p:a xmlns:p="urn:p" x="&#233;">&#233;<![CDATA[<>]]></p:a>'),
              head=HEAD.format(declarations=' xmlns:p="urn:p"')))
def test_generated_pages_give_the_same_payloads_on_every_path(content: bytes) -> None:
    try:
        etree.fromstring(content)
    except etree.XMLSyntaxError:
        return  # e.g. an attribute given twice through two prefixes: every path refuses it (test_oaislice)
    read_three_ways(content)

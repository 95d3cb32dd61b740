"""Records read from a page's bytes (oaislice.py) are those its tree gives, or the tree is read."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from culturedata.harvest import oaipmh, oaislice, safexml

OAI = "http://www.openarchives.org/OAI/2.0/"
LIDO = "http://www.lido-schema.org"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI}"><responseDate>2026-01-01T00:00:00Z</responseDate>'


def page(records: str, tail: str = "<resumptionToken>t2</resumptionToken>", head: str = HEAD) -> bytes:
    return f"{head}<request verb=\"ListRecords\">http://x/oai</request><ListRecords>{records}{tail}</ListRecords></OAI-PMH>".encode()


def record(n: int, metadata: str | None = None, header: str = "<header>", sets: str = "<setSpec>a</setSpec>") -> str:
    if metadata is None:
        metadata = f'<lido:lido xmlns:lido="{LIDO}"><lido:lidoRecID>R{n}</lido:lidoRecID></lido:lido>'
    body = f"<metadata>{metadata}</metadata>" if metadata else ""
    return (
        f"<record>{header}<identifier>oai:x:{n}</identifier><datestamp>2024-01-0{n % 9 + 1}</datestamp>"
        f"{sets}</header>{body}</record>"
    )


def fast_and_tree(content: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[bool, oaipmh.Page, oaipmh.Page]:
    frame = oaislice.Frame.of(content)
    proven = frame is not None and frame.read(oaipmh.Header) is not None
    fast = oaipmh.parse_page(content, "http://x/oai")
    with monkeypatch.context() as patch:
        patch.setattr(oaislice.Frame, "of", staticmethod(lambda content: None))
        tree = oaipmh.parse_page(content, "http://x/oai")
    return proven, fast, tree


def same(fast: oaipmh.Page, tree: oaipmh.Page) -> None:
    assert (fast.token, fast.response_date, fast.error) == (tree.token, tree.response_date, tree.error)
    assert [h for h, _ in fast.records] == [h for h, _ in tree.records]
    for (_, ours), (_, theirs) in zip(fast.records, tree.records, strict=True):
        if ours is None or theirs is None or not theirs:
            assert ours == theirs
            continue
        assert parts(etree.fromstring(ours)) == parts(etree.fromstring(theirs))


def parts(element: etree._Element) -> tuple:
    """Everything a parsed element is: name, namespaces, attributes, text, children."""
    return (
        element.tag, element.nsmap, dict(element.attrib), element.text, element.tail if element.getparent() is not None
        else None, [parts(child) for child in element],
    )


REGULAR = {
    "plain": page("".join(record(n) for n in range(3))),
    "last page": page("".join(record(n) for n in range(3)), tail=""),
    "empty list with token": page("", tail="<resumptionToken/>"),
    "blanks and line ends": page("\n  ".join(record(n) for n in range(3)).replace("<header>", "<header>\n   ")),
    "deleted": page(record(1) + record(2, metadata="", header='<header status="deleted">') + record(3)),
    "deleted with metadata": page(record(1, header="<header status='deleted'>")),
    "no metadata": page(record(1, metadata="")),
    "no and many sets": page(record(1, sets="") + record(2, sets="<setSpec>a</setSpec>\n<setSpec> b </setSpec>")),
    "inherited namespaces": page(
        record(1) + record(2, metadata='<dc xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></dc>'),
        head=HEAD.replace("<OAI-PMH ", '<OAI-PMH xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:q="a&amp;b" '),
    ),
    "own default namespace": page(record(1, metadata='<dc xmlns="http://purl.org/dc/elements/1.1/"><title>T</title></dc>')),
    "empty payload element": page(record(1, metadata=f'<lido:lido xmlns:lido="{LIDO}"/>')),
    "references in the payload": page(record(1, metadata=f'<lido:lido xmlns:lido="{LIDO}" a=\'&lt;x&#233;\'>&amp;&#xE9;\r\n</lido:lido>')),
    "payload names like the record's": page(
        record(1, metadata=f'<lido:lido xmlns:lido="{LIDO}"><lido:lidoX/><lido:lido-note/></lido:lido>')
    ),
    "empty element named metadata in the payload": page(record(1, metadata='<m xmlns="urn:m"><metadata/></m>')),
    "non-ASCII": page(record(1).replace("oai:x:1", "oai:x:é1")),
    "OAI-PMH record inside a payload": page(
        record(1, metadata=f'<m xmlns="urn:m"><o:record xmlns:o="{OAI}"><o:header><o:identifier>fake</o:identifier>'
               "</o:header></o:record></m>")
    ),
}

IRREGULAR = {
    "comment": page(record(1) + "<!-- <record> -->" + record(2)),
    "CDATA": page(record(1, metadata=f'<lido:lido xmlns:lido="{LIDO}"><![CDATA[</metadata></record>]]></lido:lido>')),
    "processing instruction": page(record(1) + "<?pi x?>"),
    "other encoding": page(record(1)).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'),
    "prefixed OAI-PMH": page(record(1).replace("<record>", "<o:record xmlns:o=\"" + OAI + "\">").replace("</record>", "</o:record>")),
    "attribute on record": page(record(1).replace("<record>", '<record xmlns:z="urn:z">')),
    "about": page(record(1).replace("</metadata>", "</metadata><about><x/></about>")),
    "reference in identifier": page(record(1).replace("oai:x:1", "oai:x:&#49;")),
    "carriage return in identifier": page(record(1).replace("oai:x:1", "oai:x:\r1")),
    "text beside the payload": page(record(1, metadata=f'<lido:lido xmlns:lido="{LIDO}"/> stray >')),
    "two payload elements": page(record(1, metadata=f'<lido:lido xmlns:lido="{LIDO}"/><lido:lido xmlns:lido="{LIDO}"/>')),
    "two payloads of one name": page(
        record(1, metadata='<a xmlns="urn:a"><b/></a><a xmlns="urn:a"><b/></a>'.replace("</a><a", "</a> <a"))
    ),
    "record inside a payload": page(
        record(1, metadata='<m xmlns="urn:m"><record><metadata></metadata></record></m>') + record(2)
    ),
    "metadata inside a payload": page(record(1, metadata='<m xmlns="urn:m"><metadata>x</metadata></m>')),
    "empty metadata inside a payload": page(record(1, metadata='<m xmlns="urn:m"><metadata></metadata></m>')),
    "payload named metadata": page(record(1, metadata='<metadata xmlns="urn:m"><a/></metadata>')),
    "payload named record": page(record(1, metadata='<record xmlns="urn:m"/>')),
    "foreign list first": page(
        record(1),
        head=HEAD + f'<x xmlns="urn:x"><ListRecords>{record(7)}</ListRecords></x>',
    ).replace(b"<responseDate>", b"<responseDate>", 1),
    "status not deleted": page(record(1, header='<header status="other">')),
    "no datestamp": page(record(1).replace("<datestamp>2024-01-02</datestamp>", "")),
    "header only": page("<record><header><identifier>i</identifier><datestamp>2024-01-01</datestamp></header>"
                        "<metadata>text only</metadata></record>"),
}


@pytest.mark.parametrize("name", sorted(REGULAR))
def test_a_regular_page_is_read_from_its_bytes_with_the_same_records(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proven, fast, tree = fast_and_tree(REGULAR[name], monkeypatch)
    assert proven, name
    same(fast, tree)


@pytest.mark.parametrize("name", sorted(IRREGULAR))
def test_an_irregular_page_is_read_from_its_tree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    content = IRREGULAR[name]
    try:
        etree.fromstring(content)
    except etree.XMLSyntaxError:
        pytest.fail(f"{name}: the test page itself is not XML")
    proven, fast, tree = fast_and_tree(content, monkeypatch)
    assert not proven, name
    same(fast, tree)


def test_the_payload_is_tostring_byte_for_byte_on_a_typical_page() -> None:
    content = REGULAR["inherited namespaces"]
    root = etree.fromstring(content)
    expected = [
        etree.tostring(next(m.iterchildren("*")), encoding="utf-8", with_tail=False)
        for m in root.iter(f"{{{OAI}}}metadata")
    ]
    assert [payload for _, payload in oaipmh.parse_page(content, "http://x/oai").records] == expected


# Pages in the regular shape whose bytes are not XML: the slicing alone would accept them,
# so each must be refused by lxml's check, as the tree path refuses it.
REGULAR_BUT_BROKEN = {
    "undeclared prefix in a payload": page(record(1, metadata='<x:lido xmlns:lido="urn:l"><x:a/></x:lido>')),
    "undeclared attribute prefix": page(record(1, metadata=f'<lido:lido xmlns:lido="{LIDO}" q:a="1"/>')),
    "attribute twice through two prefixes": page(
        record(1, metadata='<m xmlns="urn:m" xmlns:a="urn:x" xmlns:b="urn:x"><n a:k="1" b:k="2"/></m>')
    ),
    "mismatched tags in a payload": page(record(1, metadata='<m xmlns="urn:m"><a><b>x</a>y</b></m>')),
    "undefined entity": page(record(1, metadata='<m xmlns="urn:m">&nbsp;</m>')),
    "control character": page(record(1, metadata='<m xmlns="urn:m">\x01</m>')),
    "bad UTF-8": page(record(1, metadata='<m xmlns="urn:m">é</m>')).replace("é".encode(), b"\xe9"),
    "unquoted attribute": page(record(1, metadata="<m xmlns='urn:m'><a k=1/></m>")),
}


@pytest.mark.parametrize("name", sorted(REGULAR_BUT_BROKEN))
def test_a_regular_page_that_is_not_xml_is_a_bad_page(name: str) -> None:
    content = REGULAR_BUT_BROKEN[name]
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(content)
    frame = oaislice.Frame.of(content)
    if frame is not None and frame.read(oaipmh.Header) is not None:  # the bytes alone look regular
        with pytest.raises(etree.XMLSyntaxError):
            safexml.check(content)
    with pytest.raises(oaipmh.BadPage, match="not well-formed"):
        oaipmh.parse_page(content, "http://x/oai")
    with ThreadPoolExecutor(1) as checker, pytest.raises(oaipmh.BadPage, match="not well-formed"):
        oaipmh.parse_page(content, "http://x/oai", oaipmh.RECORD, checker)


def test_most_broken_pages_still_look_regular_so_the_check_is_what_refuses_them() -> None:
    """Guards the test above: if the slicing grew stricter, it would no longer test the check."""
    looking_regular = [
        name for name, content in REGULAR_BUT_BROKEN.items()
        if (frame := oaislice.Frame.of(content)) is not None and frame.read(oaipmh.Header) is not None
    ]
    assert len(looking_regular) >= 6, looking_regular


def test_the_check_refuses_what_fromstring_refuses_and_accepts_the_rest() -> None:
    documents = [*REGULAR.values(), *IRREGULAR.values(), *REGULAR_BUT_BROKEN.values(), b"<a/>", b"<a>", b"", b"<a/><b/>"]
    for content in documents:
        try:
            etree.fromstring(content)
            parsed = True
        except etree.XMLSyntaxError:
            parsed = False
        try:
            safexml.check(content)
            checked = True
        except etree.XMLSyntaxError:
            checked = False
        assert checked == parsed, content


@pytest.mark.parametrize("name", sorted(REGULAR) + sorted(IRREGULAR))
def test_a_page_read_with_the_check_on_another_thread_is_the_same(name: str) -> None:
    content = {**REGULAR, **IRREGULAR}[name]
    with ThreadPoolExecutor(1) as checker:
        threaded = oaipmh.parse_page(content, "http://x/oai", oaipmh.RECORD, checker)
    same(threaded, oaipmh.parse_page(content, "http://x/oai"))


@pytest.mark.parametrize("name", sorted(REGULAR) + sorted(IRREGULAR))
def test_a_streamed_page_has_the_records_of_its_tree(name: str) -> None:
    """Pages too big to parse whole are streamed: same records, nested ones not taken for the list's."""
    content = {**REGULAR, **IRREGULAR}[name]
    tree = oaipmh.read_tree(oaipmh.parse_tree(content), "http://x/oai", oaipmh.RECORD)
    same(oaipmh.stream_page(content, "http://x/oai"), tree)


def test_reading_a_page_pauses_every_few_records_for_the_fetching_thread() -> None:
    """`pause` (OAIClient.let_fetch_run) is how the fetching thread gets the GIL without a
    process-wide switch interval: it must be called while a long page is read."""
    content = page("".join(record(n) for n in range(3 * oaislice.PAUSE_EVERY + 1)))
    calls = []
    listing = oaislice.Frame.of(content).read(oaipmh.Header, lambda: calls.append(1))
    assert listing is not None and len(listing.records) == 3 * oaislice.PAUSE_EVERY + 1
    assert len(calls) == 3

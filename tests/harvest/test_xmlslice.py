"""XML dump payloads cut from the file (xmlslice.py) are the records lxml parsed, whatever the file.

Each case harvests a file and compares every payload, canonicalised, with `etree.tostring` of
the same element from a plain `iterparse` of the file: the payload may differ in form, never in
content. Awkward files (comments, CDATA, nesting, namespaces declared far up, other
encodings, records beyond line 65,535) must still come out right, cut or serialised.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harvest_peers import make_source, sample, shared
from lxml import etree

from culturedata.harvest import HarvestOptions, harvest, safexml
from culturedata.harvest.xmlslice import Slicer

LIDO = "http://www.lido-schema.org"


def canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def expected(path: Path, tag: str) -> list[bytes]:
    """What the harvester gave before payloads were cut: each record serialised, then freed."""
    out = []
    for _, element in safexml.iterparse(str(path), tag=tag):
        out.append(canonical(etree.tostring(element)))
        safexml.release(element)
    return out


def harvested(path: Path, **opts) -> list[bytes]:
    records = list(harvest(make_source("xml", path=path, **opts), HarvestOptions()))
    return [canonical(r.payload) for r in records]


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "dump.xml"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    "path",
    [
        sample("musee-anse-aux-brumes", "lido.xml"),
        shared("lido", "kenom_oai_chunk20.xml"),
        shared("lido", "LIDO-Example_FMobj20344012-Fontana_del_Moro.xml"),
        shared("lido", "minimaldatensatz.xml"),
    ],
    ids=["demo", "kenom-oai", "fontana", "minimal"],
)
def test_real_lido_files(path):
    assert harvested(path) == expected(path, f"{{{LIDO}}}lido")


AWKWARD = {
    "ancestor namespaces": (
        '<w:wrap xmlns:w="urn:w" xmlns:lido="{L}" xmlns="urn:default"><w:group>'
        '<lido:lido><lido:lidoRecID>1</lido:lidoRecID><note>n</note></lido:lido>\n'
        '<lido:lido a="x>y" b=\'q"\'><lido:lidoRecID>2</lido:lidoRecID></lido:lido>'
        '</w:group></w:wrap>'
    ),
    "comment, CDATA and PI inside": (
        '<wrap xmlns:lido="{L}"><lido:lido><lido:lidoRecID>1</lido:lidoRecID>'
        '<!-- </lido:lido> --></lido:lido>'
        '<lido:lido><lido:lidoRecID>2</lido:lidoRecID><x><![CDATA[</lido:lido><lido:lido>]]></x></lido:lido>'
        '<lido:lido><?pi </lido:lido>?><lido:lidoRecID>3</lido:lidoRecID></lido:lido>'
        '<lido:lido><lido:lidoRecID>4</lido:lidoRecID></lido:lido></wrap>'
    ),
    "records between other markup": (
        '<wrap xmlns:lido="{L}"><!-- <lido:lido><lido:lidoRecID>fake</lido:lidoRecID></lido:lido> -->'
        '<lido:lido><lido:lidoRecID>1</lido:lidoRecID></lido:lido><other/>'
        '<lido:lido ><lido:lidoRecID>2</lido:lidoRecID></lido:lido >'
        '<x xmlns:lido="urn:not-lido"><lido:lido><lido:lidoRecID>3</lido:lidoRecID></lido:lido></x>'
        '<lido:lido/><lido:lido><lido:lidoRecID>4</lido:lidoRecID></lido:lido></wrap>'
    ),
    "prefix bound elsewhere between records": (
        '<wrap xmlns:lido="{L}"><lido:lido><lido:lidoRecID>1</lido:lidoRecID></lido:lido>\n'
        '<lido:lido xmlns:lido="urn:other"><lido:lidoRecID>no</lido:lidoRecID></lido:lido>\n'
        '<lido:lido><lido:lidoRecID>2</lido:lidoRecID></lido:lido>\n'
        '<l:lido xmlns:l="{L}"><l:lidoRecID>3</l:lidoRecID></l:lido></wrap>'
    ),
    "nested records": (
        '<wrap xmlns:lido="{L}"><lido:lido><lido:lidoRecID>1</lido:lidoRecID>'
        '<lido:lido><lido:lidoRecID>1.1</lido:lidoRecID></lido:lido></lido:lido>\n'
        '<lido:lido><lido:lidoRecID>2</lido:lidoRecID></lido:lido></wrap>'
    ),
    "default namespace and references": (
        '<wrap xmlns="{L}"><lido><lidoRecID>a&amp;b &#233;</lidoRecID></lido>\n'
        '<lido><lidoRecID>2</lidoRecID></lido></wrap>'
    ),
}


@pytest.mark.parametrize("text", AWKWARD.values(), ids=AWKWARD.keys())
def test_awkward_files_give_the_records_lxml_sees(tmp_path, text):
    path = write(tmp_path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text.replace("{L}", LIDO))
    assert harvested(path) == expected(path, f"{{{LIDO}}}lido")


def test_a_file_in_another_encoding_is_serialised(tmp_path):
    text = f'<?xml version="1.0" encoding="ISO-8859-1"?><w xmlns:lido="{LIDO}"><lido:lido><lido:lidoRecID>été'
    path = write(tmp_path, text + "</lido:lidoRecID></lido:lido></w>", "iso-8859-1")
    assert Slicer.open(path) is None
    records = list(harvest(make_source("xml", path=path), HarvestOptions()))
    assert records[0].local_id == "été" and "été".encode() in records[0].payload


def test_records_far_beyond_line_65535(tmp_path):
    records = "".join(
        f'<lido:lido>\n<lido:lidoRecID>{n}</lido:lidoRecID>\n{"<x/>" * 3}\n' + "\n" * 40 + "</lido:lido>\n"
        for n in range(2000)
    )
    path = write(tmp_path, f'<wrap xmlns:lido="{LIDO}">\n{records}<!-- end --></wrap>')
    assert harvested(path) == expected(path, f"{{{LIDO}}}lido")
    slicer = Slicer.open(path)
    assert slicer is not None
    cut = 0
    for _, element in etree.iterparse(str(path), tag=f"{{{LIDO}}}lido"):
        cut += slicer.cut(element, element.findtext(f"{{{LIDO}}}lidoRecID")) is not None
    slicer.close()
    assert cut == 2000  # every record came from the file, none was serialised


def test_an_unverifiable_record_beyond_line_65535_is_serialised(tmp_path):
    """Past libxml2's exact line numbers, a record after a comment cannot be proven: tostring."""
    head = "\n" * 70_000
    text = (
        f'<wrap xmlns:lido="{LIDO}">{head}<lido:lido><lido:lidoRecID>1</lido:lidoRecID></lido:lido>'
        '<!-- x --><lido:lido><lido:lidoRecID>2</lido:lidoRecID></lido:lido></wrap>'
    )
    path = write(tmp_path, text)
    assert harvested(path) == expected(path, f"{{{LIDO}}}lido")
    assert [r.local_id for r in harvest(make_source("xml", path=path), HarvestOptions())] == ["1", "2"]

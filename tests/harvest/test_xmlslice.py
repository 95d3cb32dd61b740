"""XML dump payloads cut from the file (xmlslice.py) are the records lxml parsed, whatever the file.

Each case harvests a file and compares every payload, canonicalised, with `etree.tostring` of
the same element from a plain `iterparse` of the file: the payload may differ in form, never in
content. Awkward files (comments, CDATA, nesting, namespaces declared far up, other
encodings, records beyond line 65,535) must still come out right, cut or serialised.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from harvest_peers import make_source, sample, shared
from lxml import etree

from culturedata.errors import InputError
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


# Resolved inside the test: a missing file is a skip there, but an error at collection.
REAL_LIDO = {
    "demo": lambda: sample("musee-anse-aux-brumes", "lido.xml"),
    "kenom-oai": lambda: shared("lido", "kenom_oai_chunk20.xml"),
    "fontana": lambda: shared("lido", "LIDO-Example_FMobj20344012-Fontana_del_Moro.xml"),
    "minimal": lambda: shared("lido", "minimaldatensatz.xml"),
}


@pytest.mark.parametrize("name", REAL_LIDO)
def test_real_lido_files(name):
    path = REAL_LIDO[name]()
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


# --- the fast way through (xmlsplit.py) and its way back to iterparse ------------------------

def split_count(path: Path, caplog) -> int | None:
    """How many records the split reader gave before handing over to iterparse (None: all)."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="culturedata.harvest.xmldump"):
        list(harvest(make_source("xml", path=path), HarvestOptions()))
    handed = [r.getMessage() for r in caplog.records if "read with iterparse" in r.getMessage()]
    return int(handed[0].rsplit("after ", 1)[1].split()[0]) if handed else None


def test_a_regular_dump_is_split_to_the_end(caplog):
    assert split_count(sample("musee-anse-aux-brumes", "lido.xml"), caplog) is None


@pytest.mark.parametrize(
    ("name", "given"),
    [("comment, CDATA and PI inside", 0), ("prefix bound elsewhere between records", 1), ("nested records", 0)],
)
def test_an_irregular_dump_goes_back_to_iterparse(tmp_path, caplog, name, given):
    path = write(tmp_path, AWKWARD[name].replace("{L}", LIDO))
    assert split_count(path, caplog) == given
    assert harvested(path) == expected(path, f"{{{LIDO}}}lido")


def test_a_dump_broken_after_its_records_still_names_the_line(tmp_path):
    records = "".join(f"<lido:lido><lido:lidoRecID>{n}</lido:lidoRecID></lido:lido>\n" for n in range(5))
    path = write(tmp_path, f'<lido:lidoWrap xmlns:lido="{LIDO}">\n{records}<oops>\n</lido:lidoWrap>\n')
    stream = harvest(make_source("xml", path=path), HarvestOptions())
    assert [next(stream).local_id for _ in range(5)] == ["0", "1", "2", "3", "4"]
    with pytest.raises(InputError) as caught:
        next(stream)
    assert caught.value.params["line"] == 8


def test_a_broken_record_in_the_middle_is_reported_once_with_its_line(tmp_path):
    records = "".join(f"<lido:lido><lido:lidoRecID>{n}</lido:lidoRecID></lido:lido>\n" for n in range(3))
    broken = "<lido:lido><lido:lidoRecID>x</lido:lidoRecid></lido:lido>\n"
    path = write(tmp_path, f'<lido:lidoWrap xmlns:lido="{LIDO}">\n{records}{broken}{records}</lido:lidoWrap>')
    stream = harvest(make_source("xml", path=path), HarvestOptions())
    assert [next(stream).local_id for _ in range(3)] == ["0", "1", "2"]
    with pytest.raises(InputError) as caught:
        next(stream)
    assert caught.value.params["line"] == 5


def test_an_id_xpath_that_looks_outside_the_record_is_read_in_the_document(tmp_path):
    path = write(tmp_path, '<w><g n="a"><item><id>1</id></item></g><g n="b"><item><id>2</id></item></g></w>')
    records = list(harvest(make_source("xml", path=path, record="item", id_xpath="concat(../@n, id)"),
                           HarvestOptions()))
    assert [r.local_id for r in records] == ["a1", "b2"]


@pytest.mark.parametrize("first", ["", "<!-- read with iterparse -->"], ids=["split", "iterparse"])
def test_a_dump_truncated_in_place_during_the_harvest_ends_in_a_clean_error(tmp_path, first):
    """The file is memory-mapped: reading a page a truncation took away would kill the process."""
    records = "".join(
        f"<lido:lido><lido:lidoRecID>{n}</lido:lidoRecID>{first if n == 0 else ''}</lido:lido>\n" for n in range(3000)
    )
    path = write(tmp_path, f'<lido:lidoWrap xmlns:lido="{LIDO}">\n{records}</lido:lidoWrap>\n')
    stream = harvest(make_source("xml", path=path), HarvestOptions())
    assert next(stream).local_id == "0"
    with path.open("r+b") as handle:
        handle.truncate(100)  # a download rewriting the dump in place
    with pytest.raises(InputError):
        list(stream)

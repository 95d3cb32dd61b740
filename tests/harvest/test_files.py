"""Files and dumps: CSV, JSON and XML from paths, folders, zip archives and URLs.

Third-party data read in place from ../shared/data: Tate collection (CC0,
tategallery/collection), ODCAF (Open Government Licence – Canada, Statistics Canada),
LIDO examples (nfdi4objects/lido-examples).
"""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest
from harvest_peers import FAST, make_source, sample, serve_wsgi, shared
from lxml import etree

from culturedata.errors import ConfigError, InputError
from culturedata.harvest import HarvestOptions, harvest

LIDO = "http://www.lido-schema.org"


def collect(kind: str, path: Path | None = None, url: str | None = None, options=None, **opts) -> list:
    return list(harvest(make_source(kind, path=path, url=url, **opts), options or HarvestOptions()))


# --- CSV -----------------------------------------------------------------------------------

def test_excel_export_in_windows_1252_with_semicolons_is_detected():
    records = collect("csv", sample("musee-fjord-bleu", "collection.csv"))
    assert len(records) == 40
    text = json.dumps([r.payload for r in records], ensure_ascii=False)
    assert "é" in text and "\ufffd" not in text
    assert records[0].location == "line 2"
    assert len({r.content_hash for r in records}) == 40


def test_tate_artists_with_a_byte_order_mark():
    records = collect("csv", shared("tate", "artist_data.csv"))
    assert len(records) == 3532
    first = records[0].payload
    assert "id" in first and first["id"] == "10093"  # the BOM did not stick to the first column
    abbey = next(r for r in records if r.local_id == "0")
    assert abbey.payload["dates"] == "1852–1911"  # en dash kept


def test_odcaf_sentinels_and_quebec_facilities():
    records = collect("csv", shared("odcaf", "ODCAF_V1.0.csv"), id_column="Index", sentinels=[".."])
    assert len(records) == 7972
    quebec = [r for r in records if r.payload["Prov_Terr"] == "qc"]
    assert len(quebec) == 2220
    assert not any(".." in r.payload.values() for r in records)


def test_multivalue_columns_become_lists(tmp_path):
    path = tmp_path / "objets.csv"
    path.write_text("id;materiaux;date\nA1;bois | fer |  ;n/d\nA2;;1905\n", encoding="utf-8")
    records = collect("csv", path, multivalue={"materiaux": "|"}, sentinels=["n/d"])
    assert records[0].payload == {"id": "A1", "materiaux": ["bois", "fer"], "date": ""}
    assert records[1].payload["materiaux"] == []


def test_a_wrong_declared_encoding_names_the_file(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("id,titre\n1,Été\n".encode("cp1252"))
    file, row = collect("csv", path, encoding="utf-8")
    assert "export.csv" in file.findings[0].message["en"] and file.findings[0].rule == "encoding"
    assert row.payload["titre"] == "Été"


def test_an_unknown_option_names_the_source_and_key(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        collect("csv", path, delimeter=";")
    assert "options.delimeter" in str(caught.value) and "test-source" in str(caught.value)


# --- JSON ----------------------------------------------------------------------------------

def test_nested_record_path_of_a_rest_export():
    records = collect(
        "json", sample("reseau-culture-laurentides", "organismes.json"), record_path="data.organismes"
    )
    assert [r.local_id for r in records] == [f"RCL-{n:04d}" for n in range(1, 16)]
    assert records[11].payload["nom"] is None  # kept as given: the mapper reports it
    assert records[0].location == "data.organismes[0]"


def test_json_lines_skip_a_broken_line_with_a_warning(tmp_path, caplog):
    path = tmp_path / "export.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b",}\n\n{"id": "c"}\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        records = collect("json", path)
    assert [r.local_id for r in records] == ["a", "c"]
    assert [r.location for r in records] == ["line 1", "line 4"]
    assert "line 2" in caplog.text


def test_a_plain_array(tmp_path):
    path = tmp_path / "array.json"
    path.write_text('[{"code": {"id": 1}}, {"code": {"id": 2}}, "stray"]', encoding="utf-8")
    records = collect("json", path, id_field="code.id")
    assert [r.local_id for r in records] == ["1", "2"]


def test_a_folder_of_tate_artwork_files():
    records = collect("json", shared("tate", "artworks"), files="**/*.json", id_field="acno")
    assert len(records) == 198
    assert all(r.local_id[0].isalpha() for r in records)
    assert all(r.origin.endswith(".json") for r in records)


def test_a_wrong_record_path_is_an_input_error():
    with pytest.raises(InputError) as caught:
        collect("json", sample("reseau-culture-laurentides", "organismes.json"), record_path="data.organisations")
    assert "organisations" in str(caught.value)


# --- XML -----------------------------------------------------------------------------------

def test_lido_wrap_of_the_demo_museum():
    records = collect("xml", sample("musee-anse-aux-brumes", "lido.xml"))
    assert [r.local_id for r in records] == [f"MMAB-{n:04d}" for n in range(1, 21)]
    assert records[2].location == "/lidoWrap/lido[3], line 405"  # the element path and the line it starts on
    for record in records:
        assert etree.fromstring(record.payload).tag == f"{{{LIDO}}}lido"


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("kenom_oai_chunk20.xml", 20),
        ("LIDO-Example_FMobj20344012-Fontana_del_Moro.xml", 3),
        ("LIDO-Example_FMobj00154983-LaPrimavera.xml", 1),
        ("minimaldatensatz.xml", 1),
    ],
)
def test_official_lido_examples(name, count):
    records = collect("xml", shared("lido", name))
    assert len(records) == count
    assert all(r.local_id and not r.local_id.startswith("record-") for r in records)


def test_an_anchored_record_path_only_matches_there():
    wrap = shared("lido", "kenom_oai_chunk20.xml")
    single = shared("lido", "LIDO-Example_FMobj00154983-LaPrimavera.xml")
    assert len(collect("xml", wrap, record="/lido:lidoWrap/lido:lido")) == 20
    assert collect("xml", single, record="/lido:lidoWrap/lido:lido") == []


def test_external_entities_are_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY s SYSTEM "file://{secret}">]>'
        f'<r><item><id>1</id><t>&s;</t></item></r>',
        encoding="utf-8",
    )
    records = collect("xml", path, record="item", id_xpath="string(id)")
    assert len(records) == 1 and b"TOP-SECRET" not in records[0].payload


def test_an_entity_expansion_bomb_does_not_explode(tmp_path):
    levels = "".join(
        f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
    )
    path = tmp_path / "bomb.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "ha">{levels}]><r><item>&l9;</item></r>')
    try:
        records = collect("xml", path, record="item", id_xpath="'x'")
    except InputError:
        return  # refused outright is fine too
    assert len(records[0].payload) < 10_000


def test_broken_xml_names_the_line(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(f'<lido:lidoWrap xmlns:lido="{LIDO}">\n<lido:lido><lido:lidoRecID>A</lido:lidoRecID></lido:lido>\n<lido:lido>', encoding="utf-8")
    stream = harvest(make_source("xml", path=path), HarvestOptions())
    assert next(stream).local_id == "A"
    with pytest.raises(InputError) as caught:
        next(stream)
    assert "cut.xml" in str(caught.value)


# --- zip and HTTP --------------------------------------------------------------------------

def test_zip_archive_members(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("lisezmoi.txt", "rien")
        zf.writestr("data/a.csv", "id,titre\n1,Un\n2,Deux\n")
        zf.writestr("data/b.csv", "id,titre\n3,Trois\n")
    records = collect("csv", archive, files="*.csv")
    assert [r.local_id for r in records] == ["1", "2", "3"]
    assert records[2].origin == "export.zip!data/b.csv"


def file_server(body: bytes, etag: str, log: list):
    state = {"body": body, "etag": etag}

    def app(environ, start_response):
        log.append(environ.get("HTTP_IF_NONE_MATCH"))
        if environ.get("HTTP_IF_NONE_MATCH") == state["etag"]:
            start_response("304 Not Modified", [("ETag", state["etag"])])
            return [b""]
        start_response("200 OK", [("Content-Type", "text/csv"), ("ETag", state["etag"]),
                                  ("Content-Length", str(len(state["body"])))])
        return [state["body"]]

    return app, state


def test_an_unchanged_dump_is_not_fetched_again(tmp_path):
    log: list = []
    app, state = file_server(b"id,titre\n1,Un\n2,Deux\n", '"v1"', log)
    with serve_wsgi(app) as base:
        source = make_source("csv", url=base + "/export.csv", **FAST)
        options = HarvestOptions(state_dir=tmp_path)
        first = list(harvest(source, options))
        second = list(harvest(source, options))
        state.update(body=b"id,titre\n1,Un\n2,Deux\n3,Trois\n", etag='"v2"')
        third = list(harvest(source, options))
        full = list(harvest(source, HarvestOptions(state_dir=tmp_path, full=True)))
    assert len(first) == 2 and second == [] and len(third) == 3 and len(full) == 3
    assert log == [None, '"v1"', '"v1"', None]
    assert first[0].origin == base + "/export.csv"


def test_a_cut_short_harvest_does_not_store_the_validators(tmp_path):
    log: list = []
    app, _ = file_server(b"id\n1\n2\n3\n", '"v1"', log)
    with serve_wsgi(app) as base:
        source = make_source("csv", url=base + "/e.csv", **FAST)
        assert len(list(harvest(source, HarvestOptions(state_dir=tmp_path, limit=1)))) == 1
        assert len(list(harvest(source, HarvestOptions(state_dir=tmp_path)))) == 3


def test_declared_json_lines_are_streamed_and_checked(tmp_path, caplog):
    path = tmp_path / "export.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a"}\r\n{oops}\n{"id": "c"}\n')
    with caplog.at_level(logging.WARNING):
        records = collect("json", path, format="lines")
    assert [(r.local_id, r.location) for r in records] == [("a", "line 1"), ("c", "line 3")]
    assert "line 2" in caplog.text


def test_cp1252_detected_after_a_long_utf8_looking_start(tmp_path):
    path = tmp_path / "long.csv"
    body = "id;titre\n" + "".join(f"{n};Objet {n}\n" for n in range(120_000)) + "999999;Été\n"
    path.write_bytes(body.encode("cp1252"))
    records = collect("csv", path)
    assert records[-1].payload["titre"] == "Été" and len(records) == 120_001

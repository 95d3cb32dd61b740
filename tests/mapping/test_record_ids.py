"""Record ids (issue 16): without an id they are named by where they sit inside the source, never
by the server's path to it (moving the file must not rename every graph), and a record can be
identified by several values (`id_field = ["PageUrl", "EventDate"]`). Through the real harvesters."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from culturedata.config import Source
from culturedata.errors import InputError
from culturedata.harvest import HarvestOptions, harvest
from culturedata.iris import record_graph
from culturedata.records import composite_id

from .conftest import BASE


def ids(kind: str, path: Path, **options: object) -> list[str]:
    source = Source(id="s", name={"fr": "s", "en": "s"}, kind=kind, mapping="m.yaml", path=path, options=options)
    return [record.local_id for record in harvest(source, HarvestOptions())]


def test_json_records_without_an_id_keep_their_ids_when_the_file_moves(tmp_path: Path) -> None:
    first = tmp_path / "here" / "events.json"
    first.parent.mkdir()
    first.write_text(json.dumps([{"name": "a"}, {"name": "b"}]), encoding="utf-8")
    moved = tmp_path / "elsewhere" / "deeper" / "events.json"
    moved.parent.mkdir(parents=True)
    shutil.copy(first, moved)
    before, after = ids("json", first), ids("json", moved)
    assert before == after == ["$[0]", "$[1]"]
    assert all(str(tmp_path) not in record_graph(BASE, "s", local_id) for local_id in before)


def test_rows_without_an_id_in_a_folder_are_named_by_their_file(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("a.csv", "b.csv"):
        (folder / name).write_text("id,titre\n,Sans numéro\n", encoding="utf-8")
    assert ids("csv", folder) == ["a.csv#line-2", "b.csv#line-2"]  # not "line-2" twice
    json_folder = tmp_path / "json"
    json_folder.mkdir()
    for name in ("a.json", "b.json"):
        (json_folder / name).write_text('[{"name": "x"}]', encoding="utf-8")
    assert ids("json", json_folder) == ["a.json#$[0]", "b.json#$[0]"]


def test_a_single_csv_keeps_its_line_ids(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,titre\n,Sans numéro\n7,Avec\n", encoding="utf-8")
    assert ids("csv", path) == ["line-2", "7"]


def test_composite_ids_join_the_values_unambiguously(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "PageUrl,EventDate,Title\n"
        "https://x.example/e/1,2024-05-01,A\n"
        "https://x.example/e/1,2024-05-02,A again\n"
        "https://x.example/e/2?a|b,2024-05-01,Pipe in the URL\n"
        "https://x.example/e/3,,No date\n",
        encoding="utf-8",
    )
    found = ids("csv", path, id_column=["PageUrl", "EventDate"])
    assert found == [
        "https://x.example/e/1|2024-05-01", "https://x.example/e/1|2024-05-02",
        "https://x.example/e/2?a%7Cb|2024-05-01", "https://x.example/e/3|",
    ]
    assert len({record_graph(BASE, "s", local_id) for local_id in found}) == 4
    assert composite_id(["a|b", "c"]) != composite_id(["a", "b|c"])
    assert composite_id(["50%", "x"]) == "50%25|x"


def test_composite_ids_in_json_and_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([{"page": {"url": "u1"}, "date": "d1"}, {"page": {"url": "u1"}, "date": "d2"},
                                {"other": 1}]), encoding="utf-8")
    assert ids("json", path, id_field=["page.url", "date"]) == ["u1|d1", "u1|d2", "$[2]"]
    csv_path = tmp_path / "feed.csv"
    csv_path.write_text("PageUrl,Title\nu,t\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        ids("csv", csv_path, id_column=["PageUrl", "EventDate"])
    assert "EventDate" in str(raised.value.params)


def test_a_bare_file_takes_a_composite_id_from_its_mapping(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.csv"
    feed.write_text("PageUrl,EventDate,Title\nhttps://x.example/e/1,2024-05-01,A\nhttps://x.example/e/1,2024-05-02,B\n",
                    encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("""
format: csv
id: [page, date]
fields: {page: PageUrl, date: EventDate, title: Title}
entities:
  event:
    iri: "{base}id/{source}/evenement/{page|slug}-{date|slug}"
    types: [schema:Event]
    properties:
      schema:name: {field: title, lang: fr}
""", encoding="utf-8")
    done = cli("--lang", "en", "map", str(feed), "--mapping", str(mapping))
    assert done.code == 0, done.err
    assert "# ── feed:https://x.example/e/1|2024-05-01 (line 2)" in done.out
    assert "# ── feed:https://x.example/e/1|2024-05-02 (line 3)" in done.out


def test_xml_records_without_an_id_in_a_folder_are_named_by_their_file(tmp_path: Path) -> None:
    """Record 1 of a.xml and record 1 of b.xml are two records (issue 16), by either reader:
    the split one (a plain file) and iterparse (an XPath that looks outside the record)."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    for name in ("a.xml", "b.xml"):
        (folder / name).write_text("<items><item><t>x</t></item><item><t>y</t></item></items>", encoding="utf-8")
    expected = ["a.xml#record-1", "a.xml#record-2", "b.xml#record-1", "b.xml#record-2"]
    assert ids("xml", folder, record="item", id_xpath="string(id)") == expected
    assert ids("xml", folder, record="item", id_xpath="string(../id)") == expected
    moved = tmp_path / "elsewhere"
    shutil.copytree(folder, moved)
    assert ids("xml", moved, record="item", id_xpath="string(id)") == expected
    assert ids("xml", folder / "a.xml", record="item", id_xpath="string(id)") == ["record-1", "record-2"]


def test_xml_records_without_an_id_in_an_archive_are_named_by_their_member(tmp_path: Path) -> None:
    archive = tmp_path / "dumps.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("lot1/a.xml", "lot2/a.xml"):
            zf.writestr(name, "<items><item><t>x</t></item></items>")
    assert ids("xml", archive, record="item", id_xpath="string(id)") == ["lot1/a.xml#record-1", "lot2/a.xml#record-1"]

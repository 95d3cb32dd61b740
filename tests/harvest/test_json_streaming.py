"""Big JSON exports are streamed record by record (ijson), with the same records as reading
them whole: memory stays flat whatever the size of the export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harvest_peers import make_source, sample

from culturedata.errors import InputError
from culturedata.harvest import HarvestOptions, harvest, jsonfile

ORGANISMES = sample("reseau-culture-laurentides", "organismes.json")


def collect(path: Path, **opts) -> list:
    return list(harvest(make_source("json", path=path, **opts), HarvestOptions()))


@pytest.fixture
def stream_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonfile, "STREAM_ABOVE", 0)


def _same(streamed: list, whole: list) -> None:
    assert [(r.local_id, r.location, r.content_hash, r.payload) for r in streamed] == [
        (r.local_id, r.location, r.content_hash, r.payload) for r in whole
    ]


def test_a_nested_array_streamed_gives_the_same_records(monkeypatch: pytest.MonkeyPatch):
    whole = collect(ORGANISMES, record_path="data.organismes")
    monkeypatch.setattr(jsonfile, "STREAM_ABOVE", 0)
    streamed = collect(ORGANISMES, record_path="data.organismes")
    assert len(streamed) == 15
    _same(streamed, whole)


def test_a_top_level_array_with_a_bom_and_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "export.json"
    items = [{"id": n, "hauteur": 12.5 + n, "titre": f"Objet {n} « é »", "tags": [1, None, True]} for n in range(50)]
    path.write_bytes(b"\xef\xbb\xbf \n" + json.dumps(items, ensure_ascii=False).encode())
    whole = collect(path)
    monkeypatch.setattr(jsonfile, "STREAM_ABOVE", 0)
    streamed = collect(path)
    assert len(streamed) == 50 and streamed[3].payload["hauteur"] == 15.5
    _same(streamed, whole)


def test_json_lines_are_still_told_apart(tmp_path: Path, stream_everything: None):
    path = tmp_path / "export.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b"}\n', encoding="utf-8")
    assert [r.location for r in collect(path)] == ["line 1", "line 2"]


def test_one_object_is_one_record(tmp_path: Path, stream_everything: None):
    path = tmp_path / "one.json"
    path.write_text('{"data": {"organisme": {"id": "x"}}}', encoding="utf-8")
    records = collect(path, record_path="data.organisme")
    assert [(r.local_id, r.location) for r in records] == [("x", "data.organisme")]


def test_a_broken_big_export_names_the_file_and_the_last_good_record(tmp_path: Path, stream_everything: None):
    path = tmp_path / "cut.json"
    path.write_text('[{"id": 1}, {"id": 2}, {"id": 3', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        collect(path)
    assert "cut.json" in str(caught.value) and "2" in str(caught.value)


def test_memory_stays_flat_on_a_big_array(tmp_path: Path):
    """60 MB of records, over the streaming threshold, harvested in a fresh process."""
    path = tmp_path / "big.json"
    record = {"id": 0, "titre": "Objet " + "x" * 400, "dimensions": {"h": 1.5, "l": 2.5}, "mots": ["a"] * 20}
    with path.open("w", encoding="utf-8") as out:
        out.write('{"data": {"objets": [')
        for n in range(100_000):
            out.write(("," if n else "") + json.dumps(dict(record, id=n)))
        out.write("]}}")
    assert path.stat().st_size > jsonfile.STREAM_ABOVE
    code = (
        "import resource, sys\nfrom pathlib import Path\n"
        "from culturedata.config import Source\n"
        "from culturedata.harvest import HarvestOptions, harvest\n"
        f"source = Source(id='s', name={{'fr': 's'}}, kind='json', mapping='none', path=Path({str(path)!r}),\n"
        "                options={'record_path': 'data.objets'})\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "count = sum(1 for _ in harvest(source, HarvestOptions()))\n"
        "print(count, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    from culturedata.config import Source  # noqa: F401  (the child imports it; fail here first if it moved)

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    count, grown_mb = map(int, done.stdout.split())
    assert count == 100_000
    assert grown_mb < 30, f"peak RSS grew by {grown_mb} MB for a {path.stat().st_size // 2**20} MB export"


def test_an_id_that_is_no_unicode_is_kept_as_its_escape(tmp_path: Path):
    path = tmp_path / "export.json"
    path.write_text('[{"id": "A\\ud800"}, {"id": "B"}]', encoding="utf-8")
    assert [r.local_id for r in collect(path)] == ["A\\ud800", "B"]

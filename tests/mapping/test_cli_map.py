"""`culturedata map`: the mapping playground, run as a steward runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from .conftest import ROOT, sample, shared


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "culturedata", *args], cwd=cwd, capture_output=True, timeout=120,
                          env={"CULTUREDATA_LANG": "en", "PATH": "/usr/bin:/bin"})


def test_configured_source_prints_each_record_with_its_line() -> None:
    sample("musee-fjord-bleu", "collection.csv")
    done = run("map", "musee-fjord-bleu", "--limit", "3")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert text.count("# ── musee-fjord-bleu:") == 3 and "(line 2)" in text
    assert "3 records mapped" in done.stderr.decode()
    # every block is Turtle on its own
    for block in text.split("# ── ")[1:]:
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#") and "·" not in line)
        assert list(ox.parse(body.encode(), format=ox.RdfFormat.TURTLE))


def test_file_with_a_mapping_as_ntriples() -> None:
    path = sample("musee-anse-aux-brumes", "lido.xml")
    done = run("map", str(path), "--mapping", "lido", "--limit", "1", "--format", "nt")
    assert done.returncode == 0, done.stderr
    triples = list(ox.parse(done.stdout, format=ox.RdfFormat.N_TRIPLES))
    assert any(t.object.value == "Sextant de capitaine" for t in triples)


def test_json_file_as_jsonld(tmp_path: Path) -> None:
    path = shared("tate", "artworks", "t", "007", "t00771-5337.json")
    out = tmp_path / "out.jsonld"
    done = run("map", str(path), "--mapping", "tate", "--format", "jsonld", "--out", str(out))
    assert done.returncode == 0, done.stderr
    quads = list(ox.parse(out.read_bytes(), format=ox.RdfFormat.JSON_LD))
    assert any(q.object.value == "The Marble-Topped Table" for q in quads)


def test_unmappable_records_are_shown_and_exit_1(tmp_path: Path) -> None:
    data = tmp_path / "objets.csv"
    data.write_text("id;titre_fr;numero_accession\n1;Berceau;1988.4.12\n;;\n3;;\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text('format: csv\nentities:\n  o:\n    iri: "{base}id/{source}/o/{id}"\n    properties:\n'
                       '      schema:name: {field: titre_fr, lang: default, required: true}\n', encoding="utf-8")
    done = run("map", str(data), "--mapping", str(mapping))
    assert done.returncode == 1
    text = done.stdout.decode()
    assert "Berceau" in text and "VIOLATION [titre_fr]" in text and "(line 4)" in text


def test_a_broken_mapping_is_a_usage_error_naming_the_line(tmp_path: Path) -> None:
    sample("musee-fjord-bleu", "collection.csv")
    mapping = tmp_path / "broken.yaml"
    mapping.write_text('format: csv\nentities:\n  o:\n    iri: "{id}"\n    properties:\n      schema:name: {feld: x}\n',
                       encoding="utf-8")
    done = run("map", "musee-fjord-bleu", "--mapping", str(mapping))
    assert done.returncode == 2 and done.stdout == b""
    assert f"{mapping}, line 6" in done.stderr.decode() and "feld" in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()

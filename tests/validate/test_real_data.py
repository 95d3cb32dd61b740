"""Real exports through their mappings: the LIDO examples in ../shared/data (nfdi4objects/
lido-examples @ c6d8c7d4, published with the LIDO schema; KENOM coin records) and the demo
museums in sample_inputs/. Checked against the shipped shapes once they exist, else against
the test shapes: either way every finding must point at a record and a line of the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from validation_inputs import ROOT, SHAPES, SHARED, VOCAB

from culturedata.resources import shapes_dir

LIDO = SHARED / "lido"


def _shape_args() -> list[str | Path]:
    if any(shapes_dir().glob("*.ttl")):
        return []
    return ["--shapes", SHAPES, "--vocabularies", VOCAB]


def _lido_files() -> list[Path]:
    return sorted(LIDO.glob("*.xml")) if LIDO.is_dir() else []


@pytest.mark.skipif(not LIDO.is_dir(), reason="../shared/data/lido is not present")
@pytest.mark.parametrize("export", _lido_files(), ids=lambda p: p.name)
def test_lido_examples_through_the_lido_mapping(cli, export: Path):
    result = cli("validate", export, "--mapping", "lido", "--format", "json", *_shape_args())
    assert result.code in (0, 1), result.err
    report = result.json()
    assert report["summary"]["records"] >= 1
    assert report["summary"]["records"] == len(report["records"])
    for record in report["records"]:
        assert record["id"] and record["location"]  # a line, or the element path in the file
        for finding in record["findings"]:
            assert finding["location"] == record["location"]
            assert finding["message"]["fr"] and finding["message"]["en"]
    assert result.code == (1 if report["summary"]["with_violations"] else 0)


@pytest.mark.skipif(not (LIDO / "kenom_oai_chunk20.xml").exists(), reason="../shared/data/lido is not present")
def test_kenom_coins_are_twenty_records(cli):
    report = cli("validate", LIDO / "kenom_oai_chunk20.xml", "--mapping", "lido", "--format", "json",
                 *_shape_args()).json()
    assert report["summary"]["records"] == 20
    assert len({r["id"] for r in report["records"]}) == 20


SAMPLES = ROOT / "sample_inputs"


@pytest.mark.skipif(not (SAMPLES / "musee-fjord-bleu").is_dir(), reason="sample_inputs not present")
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_museum_export_gives_a_grouped_bilingual_report_with_lines(cli, lang: str):
    export = SAMPLES / "musee-fjord-bleu" / "collection.csv"
    result = cli("validate", export, "--mapping", "musee-csv", "--lang", lang, *_shape_args())
    assert result.code == 1, result.err  # the demo export is messy on purpose
    line = "ligne" if lang == "fr" else "line"
    heading = "notices vérifiées" if lang == "fr" else "records checked"
    assert heading in result.out.splitlines()[0]
    assert f"({line} " in result.out
    report = cli("validate", export, "--mapping", "musee-csv", "--format", "json", *_shape_args()).json()
    duplicates = [f for r in report["records"] for f in r["findings"] if f["rule"] == "duplicate-id"]
    assert [f["record"] for f in duplicates] == ["10007"]  # the export repeats one id


@pytest.mark.skipif(not (SAMPLES / "musee-anse-aux-brumes").is_dir(), reason="sample_inputs not present")
def test_lido_museum_export(cli):
    export = SAMPLES / "musee-anse-aux-brumes" / "lido.xml"
    result = cli("validate", export, "--mapping", "lido", "--format", "json", *_shape_args())
    assert result.code in (0, 1), result.err
    assert result.json()["summary"]["records"] > 0

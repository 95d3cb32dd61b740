"""The validation page under a decompression bomb: a small zip posing as a CSV is refused
with a message, the real server's memory stays bounded, and it goes on answering."""

from __future__ import annotations

import resource
from pathlib import Path

import httpx
import pytest
from harness import publish

from bombs import MIB, zip_bomb
from culturedata.resources import shapes_dir


@pytest.fixture
def page_server(serve, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if not any(shapes_dir().glob("*.ttl")):
        pytest.skip("no SHACL shapes in shapes/ yet")
    return serve(publish(tmp_path / "store", []))


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@pytest.mark.parametrize("lang, words", [("en", "decodes to more than"), ("fr", "une fois décompressé")])
def test_a_zip_bomb_uploaded_as_a_csv_is_refused_and_the_server_lives_on(
    page_server: str, client: httpx.Client, tmp_path: Path, lang: str, words: str
) -> None:
    # 400 MiB of rows in a zip of a few hundred kilobytes; an upload may decode to the upload
    # limit (20 MB) at most, as its records are all held in memory.
    bomb = zip_bomb(tmp_path / "collection.csv", "collection.csv", 400 * MIB).read_bytes()
    assert len(bomb) < 2 * MIB
    before = peak_rss_mb()
    answer = client.post(f"{page_server}/validate?lang={lang}", data={"profile": "mapping:musee-csv"},
                         files={"file": ("collection.csv", bomb)})
    assert peak_rss_mb() - before < 200
    assert answer.status_code == 422
    assert words in answer.text and "Traceback" not in answer.text
    assert client.get(page_server + "/validate").status_code == 200


def test_an_upload_zip_within_the_limit_is_still_read(
    page_server: str, client: httpx.Client, tmp_path: Path
) -> None:
    import zipfile

    sample = Path(__file__).resolve().parents[2] / "sample_inputs/musee-fjord-bleu/collection.csv"
    archive = tmp_path / "collection.csv"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(sample, "collection.csv")
    answer = client.post(page_server + "/validate/report.json", data={"profile": "mapping:musee-csv"},
                         files={"file": ("collection.csv", archive.read_bytes())})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["summary"]["records"] == 40


def test_a_bomb_under_the_ratio_threshold_is_held_to_the_upload_limit(
    serve, tmp_path: Path, client: httpx.Client
) -> None:
    if not any(shapes_dir().glob("*.ttl")):
        pytest.skip("no SHACL shapes in shapes/ yet")
    url = serve(publish(tmp_path / "store", []), upload_limit=2_000_000)
    bomb = zip_bomb(tmp_path / "collection.csv", "collection.csv", 6 * MIB).read_bytes()
    answer = client.post(f"{url}/validate?lang=en", data={"profile": "mapping:musee-csv"},
                         files={"file": ("collection.csv", bomb)})
    assert answer.status_code == 422
    assert "more than 2000000 bytes once decompressed" in answer.text

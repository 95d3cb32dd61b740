"""The wheel carries mappings/, shapes/, ontologies/ and contexts/, so an install works without the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_runs_without_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    (wheel,) = dist.glob("culturedata-*.whl")
    with zipfile.ZipFile(wheel) as archive:  # the map's library is served from the package, never a CDN
        assert {"culturedata/server/static/leaflet/leaflet.js", "culturedata/server/static/leaflet/LICENSE",
                "culturedata/server/static/leaflet/images/marker-icon.png"} <= set(archive.namelist())
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, timeout=900,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    export = elsewhere / "export.csv"
    shutil.copy(ROOT / "sample_inputs" / "musee-fjord-bleu" / "collection.csv", export)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(bin_dir / "culturedata"), *args], cwd=elsewhere, capture_output=True,
                              text=True, timeout=300)

    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("culturedata ")

    located = subprocess.run(
        [str(bin_dir / "python"), "-c", "from culturedata.resources import shapes_dir, mappings_dir, contexts_dir; "
         "print(shapes_dir()); print(mappings_dir()); print(contexts_dir())"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
    )
    for line in located.stdout.split():
        assert "site-packages/culturedata/data/" in line

    # A shipped mapping and the shipped shapes, read from the installed package.
    report = run("validate", str(export), "--mapping", "musee-csv", "--format", "json")
    assert report.returncode == 1, report.stderr
    assert '"records": 40' in report.stdout

    # JSON-LD naming schema.org's context is read with the shipped offline copy.
    page = elsewhere / "event.jsonld"
    page.write_text('{"@context": "https://schema.org/", "type": "Event", "id": "https://t.example/e/1", '
                    '"name": "Pièce"}', encoding="utf-8")
    rdf = run("validate", str(page), "--rdf", "--format", "json", "--fail-on", "never")
    assert rdf.returncode == 0 and '"records": 1' in rdf.stdout, rdf.stderr

"""Entity pages as a museum visitor and a search engine read them, on the demo project's store
(`culturedata run` over sample_inputs/, then the server `culturedata serve` runs)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from harness import running

from culturedata.config import load_config
from culturedata.server import create_app
from culturedata.server.settings import ServerSettings
from culturedata.store import Snapshots

ROOT = Path(__file__).resolve().parents[2]
DRAWING = "/id/musee-fjord-bleu/objet/10010"  # by a person, made in Saguenay (a municipality concept)
SCHOONER = "/id/musee-anse-aux-brumes/objet/mmab-0003"  # two photographs, credited and licensed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo project, run once through the real command line, served for the module's tests."""
    project = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "culturedata.toml", project / "culturedata.toml")
    shutil.copytree(ROOT / "sample_inputs", project / "sample_inputs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CULTUREDATA_")} | {"LANG": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "culturedata", "run"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]  # the demo has records to fix on purpose
    config = load_config(project / "culturedata.toml")
    with running(create_app(Snapshots(project / config.store_path), ServerSettings.from_config(config))) as url:
        yield url


def page(site: str, path: str, lang: str) -> httpx.Response:
    response = httpx.get(site + path, headers={"Accept": "text/html", "Accept-Language": lang}, trust_env=False,
                         timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response


def main(html: str) -> str:
    found = re.search(r"<main>(.*)</main>", html, re.S)
    assert found is not None
    return found.group(1)


def shows_term(html: str, curie: str, label: str) -> bool:
    """The property's row names it by `label`, a link to its IRI with the CURIE on hover."""
    return re.search(f'<a class="term" href="[^"]+" title="{re.escape(curie)}">{re.escape(label)}</a>', html) is not None


def test_title_type_and_linked_concepts_in_the_page_language(demo_site: str) -> None:
    french = page(demo_site, DRAWING, "fr").text
    assert '<h1 id="entity-name">Étude pour « Le cœur du Fjord »</h1>' in french
    assert "<title>Étude pour « Le cœur du Fjord » · culturedata</title>" in french
    assert 'title="qcp:HeritageObject">Objet patrimonial</a>' in french  # the type, named by the ontology
    # The municipality concept by its label from the vocabulary in the store, its IRI only on hover.
    assert re.search(r'<a href="https://w3id.org/culturedata/vocab/municipalities/94068"[^>]*>Saguenay</a>', french)
    assert ">https://w3id.org/culturedata/vocab/municipalities/94068<" not in french
    assert ">Marc-Antoine Simard</a>" in french  # the creator, by name
    # Property names from the label table (schema.org) and the ontology (qcp:), CURIEs on hover.
    assert shows_term(french, "schema:locationCreated", "Lieu de création")
    assert shows_term(french, "qcp:heldBy", "Détenu par")
    english = page(demo_site, DRAWING + "?lang=en", "fr").text
    assert '<h1 id="entity-name">Study for “Heart of the Fjord”</h1>' in english
    assert 'title="qcp:HeritageObject">Heritage object</a>' in english
    assert shows_term(english, "schema:locationCreated", "Place created")
    assert shows_term(english, "qcp:heldBy", "Held by")
    assert ">Fjord-Bleu Museum</a>" in english  # the organisation's English name
    assert re.search(r'<a href="https://w3id.org/culturedata/vocab/municipalities/94068"[^>]*>Saguenay</a>', english)


def test_images_are_shown_with_their_credit_and_licence(demo_site: str) -> None:
    response = page(demo_site, SCHOONER, "en")
    html = main(response.text)
    figures = re.findall(r'<figure class="image">(.*?)</figure>', html, re.S)
    assert len(figures) == 2
    first = figures[0]
    assert '<img src="https://collections.anse-aux-brumes.example/images/MMAB-0003_1.jpg" alt="Profil tribord"' in first
    assert "Photo : Musée maritime de l&#39;Anse-aux-Brumes" in first
    assert '<a href="https://creativecommons.org/licenses/by-nc/4.0/"' in first and ">CC BY-NC 4.0</a>" in first
    # The page's policy lets the browser load them (http and https images only).
    policy = response.headers["content-security-policy"]
    assert "img-src 'self' data: http: https:" in policy and "script-src 'self'" in policy

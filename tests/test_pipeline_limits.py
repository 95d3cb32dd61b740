"""A source past a limit fails alone: the nightly run over real servers on 127.0.0.1 that answer
with decompression bombs, and a site whose JSON-LD nests too deep, while the other sources publish."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "harvest"))
from harvest_peers import serve_wsgi  # noqa: E402

from bombs import gzip_bomb, nested_json  # noqa: E402

BASE = "http://127.0.0.1:8000/"
MUSEUM = """[[sources]]
id = "musee-fjord-bleu"
name = "Musée du Fjord-Bleu"
kind = "csv"
path = "sample_inputs/musee-fjord-bleu/collection.csv"
mapping = "musee-csv"
options = { encoding = "cp1252", delimiter = ";" }
"""
QUICK = "backoff = 0.01, retries = 1, connect_timeout = 2, read_timeout = 20"


def bomb_app(content_type: str):  # type: ignore[no-untyped-def]
    """Every request answered with 2 GiB of zeros, gzip-encoded in 2 MB."""
    body = gzip_bomb()

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("Content-Type", content_type), ("Content-Encoding", "gzip"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return app


def write_url_export(project: Path, url: str, options: str = "") -> None:
    """A project whose one source is a CSV export fetched from `url`."""
    (project / "culturedata.toml").write_text(f"""[publish]
base_iri = "{BASE}"
[[sources]]
id = "export-url"
name = "Export en ligne"
kind = "csv"
url = "{url}/collection.csv"
mapping = "musee-csv"
options = {{ {options}{QUICK} }}
""", encoding="utf-8")


def sources(project: Path) -> dict[str, dict]:
    path = sorted((project / "var/store/reports").glob("run-*.json"))[-1]
    return {s["source"]: s for s in json.loads(path.read_text(encoding="utf-8"))["sources"]}


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def test_a_gzip_bomb_from_an_oai_pmh_server_fails_its_source_and_the_others_publish(
    cli, demo_project: Path
) -> None:
    with serve_wsgi(bomb_app("text/xml; charset=utf-8")) as url:
        (demo_project / "culturedata.toml").write_text(f"""[publish]
base_iri = "{BASE}"
{MUSEUM}
[[sources]]
id = "brumes-oai"
name = "Musée maritime (OAI-PMH)"
kind = "oai-pmh"
url = "{url}/oai"
mapping = "lido"
options = {{ metadata_prefix = "lido", {QUICK} }}
""", encoding="utf-8")
        before = peak_rss_mb()
        outcome = cli("run")
    assert peak_rss_mb() - before < 300
    assert outcome.code == 3, outcome.err
    assert "brumes-oai" in outcome.err and "decompression bomb" in outcome.err
    report = sources(demo_project)
    assert report["brumes-oai"]["failed"] is True and "200 times its size" in report["brumes-oai"]["error"]
    assert report["musee-fjord-bleu"]["failed"] is False and report["musee-fjord-bleu"]["published"] > 30
    assert (demo_project / "var/store/current").exists()


def test_a_gzip_bomb_for_a_csv_fetched_by_url_fails_its_source(cli, demo_project: Path) -> None:
    with serve_wsgi(bomb_app("text/csv")) as url:
        write_url_export(demo_project, url)
        outcome = cli("run")
    assert outcome.code == 3, outcome.err
    assert "export-url" in outcome.err and "decompression bomb" in outcome.err


def test_a_redirect_carrying_a_bomb_fails_its_source(cli, demo_project: Path) -> None:
    """requests reads a redirect's body itself, before the harvester sees any response."""
    body = gzip_bomb()

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        if environ["PATH_INFO"] == "/moved.csv":
            start_response("200 OK", [("Content-Type", "text/csv")])
            return [b"id,titre_fr\n1,Un\n"]
        start_response("302 Found", [("Location", "/moved.csv"), ("Content-Encoding", "gzip"),
                                     ("Content-Length", str(len(body)))])
        return [body]

    with serve_wsgi(app) as url:
        write_url_export(demo_project, url)
        before = peak_rss_mb()
        outcome = cli("run")
    assert peak_rss_mb() - before < 300
    assert outcome.code == 3, outcome.err
    assert "decompression bomb" in outcome.err


def test_a_byte_limit_set_in_the_options_stops_a_plain_download(cli, demo_project: Path) -> None:
    body = (demo_project / "sample_inputs/musee-fjord-bleu/collection.csv").read_bytes()

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("Content-Type", "text/csv"), ("Content-Length", str(len(body)))])
        return [body]

    with serve_wsgi(app) as url:
        write_url_export(demo_project, url, 'encoding = "cp1252", delimiter = ";", max_decoded_bytes = 1000, ')
        outcome = cli("run")
    assert outcome.code == 3, outcome.err
    assert "more than 1000 bytes once decompressed" in outcome.err


def test_a_page_whose_json_ld_nests_too_deep_is_quarantined_and_the_site_publishes(
    cli, demo_project: Path
) -> None:
    page = demo_project / "sample_inputs/theatre-deux-rives/evenements/brise-glace.html"
    deep = '<script type="application/ld+json">{"@context": "https://schema.org", "about": ' \
        + nested_json(5000) + "}</script>"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", deep + "</body>"), encoding="utf-8")
    outcome = cli("run", "theatre-deux-rives")
    assert outcome.code == 1, outcome.err
    report = sources(demo_project)["theatre-deux-rives"]
    assert report["failed"] is False and report["published"] > 5
    refused = [q for q in report["quarantine"] if q["rule"] == "too-deep"]
    assert [q["record"] for q in refused] == ["evenements/brise-glace.html"]
    assert "more than 100 levels" in refused[0]["message"]


@pytest.mark.parametrize("lang, words", [("fr", "bombe de décompression"), ("en", "decompression bomb")])
def test_the_bomb_is_reported_in_the_users_language(cli, demo_project: Path, lang: str, words: str) -> None:
    with serve_wsgi(bomb_app("text/csv")) as url:
        write_url_export(demo_project, url)
        outcome = cli("--lang", lang, "run")
    assert outcome.code == 3 and words in outcome.err

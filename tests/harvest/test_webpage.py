"""Web pages as event sites really publish them: their encodings, declared or not, and their
structured data (JSON-LD broken in the ordinary ways, microdata, RDFa), read live from a real
WSGI server on 127.0.0.1 and from a saved copy of the site."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from harvest_peers import FAST, make_source, serve_wsgi

from culturedata.harvest import HarvestOptions, harvest
from culturedata.harvest.webpage import decode

TITLE = "Théâtre « Le Café-Crème » : été à l'Île-d'Orléans — 25 €"
SCHEMA = "http://schema.org/"


def html_page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html>\n<html lang=\"fr\"><head>{head}<title>{TITLE}</title></head>\n<body>{body}</body></html>\n"


def jsonld(value: str) -> str:
    return f'<script type="application/ld+json">{value}</script>'


EVENT = json.dumps({"@context": "https://schema.org", "@type": "TheaterEvent", "name": TITLE,
                    "startDate": "2026-07-04T20:00-04:00",
                    "location": {"@type": "Place", "name": "Salle Désilets", "address": "Laval, QC"}},
                   ensure_ascii=False)

# (name, bytes, Content-Type the server sends): every page must read as TITLE.
ENCODED = [
    ("utf8-undeclared", html_page(jsonld(EVENT)).encode("utf-8"), "text/html"),
    ("cp1252-undeclared", html_page(jsonld(EVENT)).encode("cp1252"), "text/html"),
    ("meta-charset", html_page(jsonld(EVENT), '<meta charset="windows-1252">').encode("cp1252"), "text/html"),
    ("http-equiv", html_page(jsonld(EVENT), '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
     .encode("cp1252"), "text/html"),
    # the server's header wins over a stale <meta> left by the site's template
    ("header-over-meta", html_page(jsonld(EVENT), '<meta charset="iso-8859-1">').encode("utf-8"),
     "text/html; charset=UTF-8"),
    # a byte-order mark is the strongest sign of all (as in browsers)
    ("bom", b"\xef\xbb\xbf" + html_page(jsonld(EVENT)).encode("utf-8"), "text/html"),
    ("utf16-bom", html_page(jsonld(EVENT)).encode("utf-16"), "text/html"),
]


def site(pages: dict[str, tuple[bytes, str]]) -> Callable:
    def app(environ: dict, start_response: Callable) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/robots.txt":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"User-agent: *\nAllow: /\n"]
        if path.lstrip("/") not in pages:
            start_response("404 Not Found", [("Content-Type", "text/html")])
            return [b"introuvable"]
        body, content_type = pages[path.lstrip("/")]
        start_response("200 OK", [("Content-Type", content_type)])
        return [body]

    return app


def crawl_live(pages: dict[str, tuple[bytes, str]], urls: list[str] | None = None) -> list:
    with serve_wsgi(site(pages)) as base:
        source = make_source("jsonld-pages", url=base + "/", urls=urls or sorted(pages), **{**FAST, "crawl_delay": 0})
        return list(harvest(source, HarvestOptions()))


def crawl_saved(folder: Path, urls: list[str]) -> list:
    source = make_source("jsonld-pages", url="https://salle.example/", path=folder, urls=urls)
    return list(harvest(source, HarvestOptions()))


def names(record) -> list[str]:
    data = json.loads(record.payload)
    return [node.get("name") for node in (data if isinstance(data, list) else [data])]


@pytest.mark.parametrize(("name", "body", "content_type"), ENCODED, ids=[e[0] for e in ENCODED])
def test_each_encoding_live(name, body, content_type):
    [record] = crawl_live({f"{name}.html": (body, content_type)})
    assert names(record) == [TITLE]


SAVED = [e for e in ENCODED if e[0] != "header-over-meta"]  # a saved copy has no HTTP header


@pytest.mark.parametrize(("name", "body", "content_type"), SAVED, ids=[e[0] for e in SAVED])
def test_each_encoding_in_a_saved_copy(name, body, content_type, tmp_path):
    (tmp_path / f"{name}.html").write_bytes(body)
    [record] = crawl_saved(tmp_path, [f"{name}.html"])
    assert names(record) == [TITLE]


def test_sixteen_undeclared_utf8_pages_none_in_mojibake():
    # The pages that came out as mojibake: UTF-8 with a few accents among much ASCII markup.
    pages = {}
    for n in range(16):
        event = json.loads(EVENT) | {"name": f"Spectacle n° {n} — {TITLE[: 10 + n]}"}
        filler = "<p>" + "Lorem ipsum dolor sit amet. " * (n * 20) + "</p>"
        pages[f"p{n}.html"] = (html_page(filler + jsonld(json.dumps(event, ensure_ascii=False))).encode(), "text/html")
    records = crawl_live(pages)
    assert len(records) == 16
    assert all("Ã" not in names(r)[0] and "\ufffd" not in names(r)[0] for r in records)


def test_decode_names_the_encoding_it_chose():
    assert decode("<p>Une pièce très attendue, à l'été, au café-théâtre</p>".encode("cp1252"))[0] == "cp1252"
    assert decode(b"<meta charset='koi8-r'>\xf0\xd2\xc9\xd7\xc5\xd4")[1].endswith("Привет")

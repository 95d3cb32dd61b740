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
from culturedata.harvest.webpage import decode, extract
from culturedata.mapping import MappingContext, load_mapping, map_record

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


# --- structured data as pages publish it ----------------------------------------------------

GRAPH = json.dumps({"@context": "https://schema.org", "@graph": [
    {"@type": "Event", "name": "Dans le @graph", "startDate": "2026-05-01"},
    {"@type": "BreadcrumbList", "name": "Accueil > Spectacles"}]})
ARRAY = json.dumps([{"@context": "https://schema.org", "@type": "DanceEvent", "name": "Premier du tableau"},
                    {"@context": "https://schema.org", "@type": "DanceEvent", "name": "Second du tableau"}])
# What theme and plugin authors leave around and inside their blocks, one block each.
BROKEN = [
    jsonld("null"),
    jsonld("  "),
    jsonld('<!-- Yoast SEO plugin v21 --> {"@context": "https://schema.org", "@type": "Event", "name": "Après un commentaire"}'),
    jsonld('\n//<![CDATA[\n{"@context": "https://schema.org", "@type": "Event", "name": "Dans du CDATA"}\n//]]>\n'),
    jsonld('/*<![CDATA[*/{"@context": "https://schema.org", "@type": "Event", "name": "CDATA commenté"}/*]]>*/'),
    jsonld('{"@context": "https://schema.org", "@type": "Event", "name": "Avec\tune tabulation",\n'
           ' "description": "Ligne 1\nLigne 2"}'),
    jsonld('{"@context": "https://schema.org", "@type": "Event", "name": "Rock &amp; swing au caf&eacute;",'
           ' "description": "<p>On y &eacute;crit &lt;b&gt; en toutes lettres</p>"}'),
    jsonld(GRAPH),
    jsonld(ARRAY),
    jsonld('{"@context": "https://schema.org", "@type": "Event", "name": "Brisé" "startDate": }'),
]
MICRODATA = """<main><article itemscope itemtype="https://schema.org/TheaterEvent" itemid="https://salle.example/e/belles-soeurs">
<h1 itemprop="name">Les Belles-s&oelig;urs</h1>
<time itemprop="startDate" datetime="2026-03-12T20:00-04:00">12 mars, 20 h</time>
<div itemprop="location" itemscope itemtype="https://schema.org/Place"><span itemprop="name">Salle Désilets</span>
 <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
  <span itemprop="streetAddress">2000, boul. Daniel-Johnson</span> <span itemprop="addressLocality">Laval</span>
 </div></div>
<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
 <meta itemprop="price" content="35.00"><meta itemprop="priceCurrency" content="CAD"></div>
</article></main>"""
RDFA = """<main vocab="https://schema.org/" lang="fr"><article typeof="MusicEvent" resource="#concert">
<h1 property="name">Concert d'été au parc</h1>
<span property="startDate" content="2026-07-01T19:30:00-04:00">1er juillet</span>
<div property="location" typeof="Place"><span property="name">Parc de la Rivière</span></div>
</article></main>"""


def test_every_block_of_a_messy_page_is_read_except_the_broken_one(caplog):
    [record] = crawl_live({"festival.html": (html_page("".join(BROKEN)).encode(), "text/html; charset=utf-8")})
    found = names(record)
    assert found == [
        "Après un commentaire", "Dans du CDATA", "CDATA commenté", "Avec\tune tabulation", "Rock & swing au café",
        None, "Premier du tableau", "Second du tableau",  # the @graph block is one object holding its nodes
    ]
    assert "festival.html" in caplog.text and "10" in caplog.text  # block 10 is beyond repair, and said so
    assert record.location.endswith("festival.html (json-ld)")
    data = json.loads(record.payload)
    assert data[3]["description"] == "Ligne 1\nLigne 2"
    # entities in markup belong to the markup: decoded once, later, by the mapping's html transform
    assert data[4]["description"] == "<p>On y &eacute;crit &lt;b&gt; en toutes lettres</p>"
    assert [n["name"] for n in data[5]["@graph"]] == ["Dans le @graph", "Accueil > Spectacles"]


def test_a_page_whose_only_block_is_null_gives_no_record(caplog):
    assert crawl_live({"vide.html": (html_page(jsonld("null")).encode(), "text/html")}) == []
    assert "vide.html" in caplog.text


def mapped(record) -> dict[str, list[str]]:
    """Each event's name and start date, as the shipped schema-events mapping makes them."""
    result = map_record(load_mapping("schema-events"), record, MappingContext.for_source("http://x.example/", "s", "fr"))
    triples = list(result.triples)
    events = {t.subject for t in triples if t.predicate.value.endswith("#type") and t.object.value == SCHEMA + "Event"}
    return {
        key: sorted(t.object.value for t in triples if t.subject in events and t.predicate.value == SCHEMA + key)
        for key in ("name", "startDate", "location", "offers")
    }


def test_a_microdata_only_page_gives_its_event():
    [record] = crawl_live({"belles-soeurs.html": (html_page(MICRODATA).encode(), "text/html; charset=utf-8")})
    assert record.location.endswith("belles-soeurs.html (microdata)")
    assert names(record) == ["Les Belles-sœurs"]
    found = mapped(record)
    assert found["name"] == ["Les Belles-sœurs"] and found["startDate"] == ["2026-03-12T20:00:00-04:00"]
    assert len(found["location"]) == 1 and len(found["offers"]) == 1


def test_an_rdfa_only_page_gives_its_event_the_same_on_every_run():
    pages = {"concert.html": (html_page(RDFA, '<meta property="og:title" content="Concert">').encode(), "text/html")}
    [record] = crawl_live(pages)
    assert record.location.endswith("concert.html (rdfa)")
    body, url = pages["concert.html"][0], "https://salle.example/concert.html"
    # pyRdfa names blank nodes at random; renumbered, an unchanged page gives an unchanged record
    assert extract(body, None, url).objects() == extract(body, None, url).objects()
    assert '"_:b0"' in record.payload.decode()
    assert "og:title" not in record.payload.decode() and "ogp.me" not in record.payload.decode()
    found = mapped(record)
    assert found["name"] == ["Concert d'été au parc"] and len(found["location"]) == 1


def test_json_ld_and_microdata_on_one_page_both_count():
    body = html_page(jsonld(EVENT) + MICRODATA).encode()
    extracted = extract(body, "text/html", "https://salle.example/p.html")
    assert extracted.kinds == ["json-ld", "microdata"]
    assert [b.kind for b in extracted.blocks] == ["json-ld", "microdata"]


# --- saved copies: file names as wget saves them ---------------------------------------------

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{}</urlset>"""


def test_a_saved_copy_finds_pages_whose_names_have_spaces_ampersands_and_accents(tmp_path):
    pages = {
        "Salle & Café.html": "Salle%20%26%20Caf%C3%A9.html",
        "programmation/Été 2026/soirée n°1.html": "programmation/%C3%89t%C3%A9%202026/soir%C3%A9e%20n%C2%B01.html",
        "encoded%20name.html": "encoded%20name.html",  # saved under its encoded name (wget --restrict-file-names)
    }
    for number, name in enumerate(pages, start=1):
        file = tmp_path / name
        file.parent.mkdir(parents=True, exist_ok=True)
        event = json.loads(EVENT) | {"name": f"Page {number}"}
        file.write_bytes(html_page(jsonld(json.dumps(event, ensure_ascii=False))).encode())
    (tmp_path / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    locs = "".join(f"<url><loc>https://salle.example/{link}</loc></url>\n" for link in pages.values())
    (tmp_path / "sitemap.xml").write_text(SITEMAP.format(locs), encoding="utf-8")
    records = list(harvest(make_source("jsonld-pages", url="https://salle.example/", path=tmp_path), HarvestOptions()))
    assert sorted(names(r)[0] for r in records) == ["Page 1", "Page 2", "Page 3"]


def test_a_decoded_path_never_leaves_the_saved_copy(tmp_path):
    site_folder = tmp_path / "site"
    site_folder.mkdir()
    (tmp_path / "secret.html").write_bytes(html_page(jsonld(EVENT)).encode())
    records = crawl_saved(site_folder, ["%2e%2e/secret.html", "..%2Fsecret.html", "%2E%2E%2Fsecret.html"])
    assert records == []

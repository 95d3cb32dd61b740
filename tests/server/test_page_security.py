"""The pages against a hostile web: security headers on every page, nothing inline that a
strict policy would refuse, links only to http, https and mailto IRIs whatever a record
names, and no request path, however malformed, answered with a 500. Over real HTTP (and raw
sockets, for the bytes an HTTP client would not send); test_pages_browser.py checks in
Chromium that the policy refuses nothing the pages need."""

from __future__ import annotations

import csv
import io
import socket
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from harness import BASE, SCHEMA, demo_quads, publish
from test_pages import post, upload

HOSTILE = "javascript:alert(document.domain)"
MUSEUM = BASE + "id/musee-test/organisation/musee-test"


def hostile_quads() -> list[ox.Quad]:
    """An object whose record names javascript:, data: and vbscript: IRIs in every position a
    page turns into a link (type, property, value), beside ordinary http and mailto ones."""
    n = ox.NamedNode
    entity = n(BASE + "id/musee-test/objet/piege")
    graph = n(BASE + "graph/musee-test/piege")
    system = n(BASE + "graph/system")
    return [
        ox.Quad(entity, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(HOSTILE), graph),
        ox.Quad(entity, n(SCHEMA + "name"), ox.Literal("Objet piégé", language="fr"), graph),
        ox.Quad(entity, n(SCHEMA + "sameAs"), n(HOSTILE), graph),
        ox.Quad(entity, n(SCHEMA + "image"), n("data:text/html,%3Cscript%3Ealert(1)%3C/script%3E"), graph),
        ox.Quad(entity, n(SCHEMA + "url"), n("JavaScript:alert(2)"), graph),
        ox.Quad(entity, n("vbscript:msgbox"), ox.Literal("x"), graph),
        ox.Quad(entity, n(SCHEMA + "email"), n("mailto:info@example.org"), graph),
        ox.Quad(entity, n(SCHEMA + "mainEntityOfPage"), n("https://example.org/objet"), graph),
        ox.Quad(entity, n(SCHEMA + "isPartOf"), n(MUSEUM), graph),
        ox.Quad(graph, n("http://www.w3.org/ns/prov#wasDerivedFrom"), n(HOSTILE), system),
    ]


@pytest.fixture
def hostile_server(serve, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    return serve(publish(tmp_path / "store", [*demo_quads(), *hostile_quads()]))


class Page(HTMLParser):
    """What a policy without 'unsafe-inline' would refuse, and every link of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "a" and "href" in named:
            self.links.append(named["href"] or "")
        if tag == "style":
            self.inline.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}={value!r}>")
        # Data blocks (JSON, JSON-LD) are never run; any other script without src would be.
        if tag == "script" and "src" not in named and named.get("type") not in ("application/json", "application/ld+json"):
            self.inline.append(f"<script {named}>")


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def pages(base: str) -> list[str]:
    return [f"{base}/query?lang=en", f"{base}/query?lang=fr", f"{base}/validate", f"{base}/dashboard",
            f"{base}/id/musee-test/objet/1", f"{base}/id/musee-test/objet/nowhere", f"{base}/id/musee-test/objet/piege"]


def assert_secured(response: httpx.Response) -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy and "*" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"] and "geolocation=()" in headers["permissions-policy"]


def test_every_page_carries_the_security_headers_and_nothing_inline(
    hostile_server: str, client: httpx.Client
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    responses = [client.get(url, headers=browser) for url in pages(hostile_server)]
    responses.append(post(client, f"{hostile_server}/validate?lang=en"))  # a page with a report
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 404, 200, 200]
    for response in responses:
        assert response.headers["content-type"].startswith("text/html")
        assert_secured(response)
        assert parsed(response.text).inline == [], response.url


def test_the_query_page_names_a_fresh_nonce_for_its_editor_only(hostile_server: str, client: httpx.Client) -> None:
    first, second = (client.get(f"{hostile_server}/query") for _ in range(2))
    nonces = []
    for response in (first, second):
        style = next(d for d in response.headers["content-security-policy"].split(";") if "style-src" in d)
        nonce = style.split("'nonce-")[1].rstrip("'")
        assert f'data-style-nonce="{nonce}"' in response.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
    dashboard = client.get(f"{hostile_server}/dashboard").headers["content-security-policy"]
    assert "nonce-" not in dashboard


def test_other_answers_carry_the_headers_too(hostile_server: str, client: httpx.Client) -> None:
    json = {"Accept": "application/sparql-results+json"}
    hot = client.get(f"{hostile_server}/sparql", params={"query": "ASK {}"}, headers=json)  # the hot path
    routed = client.post(f"{hostile_server}/sparql", data={"query": "ASK {}"}, headers=json)
    static = client.get(f"{hostile_server}/static/query.js")
    rdf = client.get(f"{hostile_server}/id/musee-test/objet/1.ttl")
    missing = client.get(f"{hostile_server}/nowhere")
    for response in (hot, routed, static, rdf, missing):
        assert_secured(response)


def test_entity_pages_link_only_http_https_and_mailto(hostile_server: str, client: httpx.Client) -> None:
    response = client.get(f"{hostile_server}/id/musee-test/objet/piege", headers={"Accept": "text/html"})
    assert response.status_code == 200
    links = parsed(response.text).links
    assert links and all(urlsplit(link).scheme in ("http", "https", "mailto", "") for link in links), links
    assert "mailto:info@example.org" in links and "https://example.org/objet" in links
    assert f"{hostile_server}/id/musee-test/organisation/musee-test" in links  # our own IRIs open here
    assert "http://schema.org/sameAs" in links  # a property with an http IRI keeps its link
    # The other IRIs are still shown, as text.
    assert "javascript:alert(document.domain)" in response.text and "JavaScript:alert(2)" in response.text
    assert "vbscript:msgbox" in response.text


def test_the_csv_report_neutralises_formulas(hostile_server: str, client: httpx.Client) -> None:
    header, *rows = upload().decode("utf-8").splitlines()
    formulas = ['=HYPERLINK("http://evil.example")', "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0"]
    export = "\n".join([header, *(f"{f};{row.split(';', 1)[1]}" for f, row in zip(formulas, rows, strict=True))])
    response = client.post(f"{hostile_server}/validate/report.csv", data={"profile": "mapping:musee-csv"},
                           files={"file": ("collection.csv", export.encode(), "text/csv")})
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert {row["record"] for row in table} == {"'" + f for f in formulas}
    assert not [cell for row in table for cell in row.values() if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def raw_status(url: str, target: bytes) -> int:
    """The status the server answers to `GET target`, sent byte for byte."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    assert host is not None and port is not None
    with socket.create_connection((host, port), timeout=30) as connection:
        connection.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nAccept: text/html\r\n"
                           b"Connection: close\r\n\r\n")
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1]) if answer else 0


BYTES = [b"%00", b"%FF", b"%C0%80", b"%ED%A0%80", b"%0A", b"%0D%0A", b"%20", b"%22", b"%3C", b"%3E", b"%5C",
         b"%7B%7D", b"%60", b"%5E", b"%7C", b"%25", b"%", b"%G0", b"\xff", b"\xc3\xa9", b"%E4%B8%AD",
         b"..", b"../..", b"%2e%2e/%2e%2e", b"..%2F..%2Fetc%2Fpasswd", b"a/../../b", b"//", b";", b"a?b=%00",
         b"#x", b"%23", b"\x7f", b"%7F", b"%01", b"%C3%A9.ttl", b"%00.ttl", b"%FF.jsonld", b".ttl", b"[", b"%5B"]
ROUTES = [b"/query", b"/dashboard", b"/validate", b"/id/musee-test/objet/1", b"/id/musee-test/objet/1.ttl",
          b"/sparql", b"/store", b"/.well-known/void", b"/sitemap.xml", b"/dumps/x", b"/-/versions", b"/"]
QUERIES = [b"lang=%00", b"lang=%FF", b"query=%00", b"query=%FF", b"graph=%00", b"graph=%FF", b"example=%00",
           b"format=%00", b"%00=%00", b"a=%", b"query=ASK%7B%7D&default-graph-uri=%00",
           b"query=ASK%7B%7D&named-graph-uri=%FF", b"query=" + b"%7B" * 5000]
PREFIXES = [b"/id/", b"/id/musee-test/objet/", b"/store/", b"/dumps/", b"/static/", b"/validate/report.",
            b"/", b"/sparql/", b"/.well-known/", b"/-/"]


def test_no_request_path_gets_a_500(hostile_server: str, client: httpx.Client) -> None:
    seen: dict[bytes, int] = {}
    for prefix in PREFIXES:
        for tail in BYTES:
            seen[prefix + tail] = raw_status(hostile_server, prefix + tail)
    for route in ROUTES:
        for query in QUERIES:
            seen[route + b"?" + query] = raw_status(hostile_server, route + b"?" + query)
    for length in (2_000, 8_000, 60_000):
        seen[b"/id/" + b"a" * length] = raw_status(hostile_server, b"/id/" + b"a" * length)
        seen[b"/id/" + b"%FF" * (length // 3)] = raw_status(hostile_server, b"/id/" + b"%FF" * (length // 3))
    failed = {target[:60]: status for target, status in seen.items() if not 200 <= status < 500}
    assert not failed, failed
    assert {seen[b"/id/%00"], seen[b"/id/%FF"], seen[b"/id/%C0%80"], seen[b"/store/%00"]} == {400}
    # The server is still there, and still answers.
    assert client.get(f"{hostile_server}/id/musee-test/objet/1", headers={"Accept": "text/turtle"}).status_code == 200
    params = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}
    assert client.get(f"{hostile_server}/sparql", params=params).status_code == 200


def test_a_non_ascii_entity_iri_is_a_uri_in_its_link_header(serve, tmp_path: Path, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    n = ox.NamedNode
    entity = n(BASE + "id/musee-test/objet/中-é")
    quads = [ox.Quad(entity, n(SCHEMA + "name"), ox.Literal("中"), n(BASE + "graph/musee-test/zh"))]
    base = serve(publish(tmp_path / "store", quads))
    for accept in ("text/html", "text/turtle"):
        response = client.get(f"{base}/id/musee-test/objet/%E4%B8%AD-%C3%A9", headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["link"] == f'<{BASE}id/musee-test/objet/%E4%B8%AD-%C3%A9>; rel="canonical"'

"""/search over a real demo run's index: names without accents, facets that narrow, JSON the
same, and any text a visitor types answered (server/search.py)."""

from __future__ import annotations

import httpx
import pytest
from harness import BASE

BOUCHARD = {f"{BASE}id/musee-fjord-bleu/personne/helene-bouchard", f"{BASE}id/musee-anse-aux-brumes/agent/bouchard-helene"}



def test_the_page_finds_names_without_accents_and_links_to_entity_pages(site: str, web: httpx.Client) -> None:
    page = web.get(f"{site}/search", params={"q": "Helene bouchard", "lang": "fr"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Hélène Bouchard" in page.text and "2 résultat(s)" in page.text
    assert 'href="/id/musee-fjord-bleu/personne/helene-bouchard"' in page.text
    assert web.get(f"{site}/id/musee-fjord-bleu/personne/helene-bouchard").status_code == 200
    assert "Musée du Fjord-Bleu" in page.text  # the institution facet, by its provider's name
    english = web.get(f"{site}/search", params={"q": "Helene bouchard", "lang": "en"})
    assert "2 result(s)" in english.text and "Fjord-Bleu Museum" in english.text


def test_json_by_format_or_accept_with_facet_counts(site: str, web: httpx.Client) -> None:
    by_format = web.get(f"{site}/search", params={"q": "helene", "format": "json"}).json()
    by_accept = web.get(f"{site}/search", params={"q": "helene"}, headers={"Accept": "application/json"}).json()
    assert by_format == by_accept
    assert {r["id"] for r in by_format["results"]} == BOUCHARD and by_format["total"] == 2
    assert {r["cluster"] for r in by_format["results"]} == {by_format["results"][0]["cluster"]}
    assert by_format["facets"]["type"] == [
        {"value": "http://schema.org/Person", "label": "Person", "count": 2, "selected": False}]
    assert sum(f["count"] for f in by_format["facets"]["institution"]) == 2


def test_a_facet_link_narrows_and_a_second_click_widens_again(site: str, web: httpx.Client) -> None:
    every = web.get(f"{site}/search", params={"q": "orchestre", "format": "json"}).json()
    assert every["total"] >= 2 and every["facets"]["region"]
    page = web.get(f"{site}/search", params={"q": "orchestre", "lang": "en"})
    link = next(part.split('"', 1)[0] for part in page.text.split('href="')[1:] if "institution=theatre-deux-rives" in part.split('"', 1)[0])
    narrowed = web.get(site + link.replace("&amp;", "&"), headers={"Accept": "application/json"}).json()
    assert narrowed["total"] == 1 and narrowed["results"][0]["institution"] == "theatre-deux-rives"
    assert narrowed["facets"]["institution"][0]["selected"] is True
    region = every["facets"]["region"][0]["value"]
    by_region = web.get(f"{site}/search", params={"q": "orchestre", "region": region, "format": "json"}).json()
    assert by_region["total"] == every["facets"]["region"][0]["count"]
    assert all(r["region"] == region for r in by_region["results"])


@pytest.mark.parametrize("text", ['NEAR("a" "b")', '"', "*", "OR", "a:b", "(", "\x00", "é" * 5000, "", " ",
                                  "<script>alert(1)</script>", "orchestre OR 1=1 --"])
def test_any_text_is_answered_never_a_crash(site: str, web: httpx.Client, text: str) -> None:
    for params in ({"q": text}, {"q": text, "format": "json"}, {"q": text, "page": "x", "type": text}):
        answer = web.get(f"{site}/search", params=params)
        assert answer.status_code == 200, answer.text[-300:]
        if "text/html" in answer.headers["content-type"]:
            assert "<script>alert" not in answer.text


def test_paging_is_bounded(site: str, web: httpx.Client) -> None:
    answer = web.get(f"{site}/search", params={"q": "de", "page": "1000000", "format": "json"}).json()
    assert answer["page"] == 50 and answer["results"] == []


def test_crawlers_are_kept_off_the_endless_search_pages(site: str, web: httpx.Client) -> None:
    lines = web.get(f"{site}/robots.txt").text.splitlines()
    assert "Disallow: /search" in lines and "Disallow: /reconcile" in lines

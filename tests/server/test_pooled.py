"""Entity pages of pooled entities (server/pooled.py) over a real demo run: a member's page names
its cluster and lists the other sources' records of the same person or organisation; the
cluster's own IRI dereferences, as a page and as RDF; a page costs the same for any cluster size."""

from __future__ import annotations

import json
import re

import httpx
import pyoxigraph as ox
from harness import BASE

from culturedata.server.labels import Labeller
from culturedata.server.lookups import Lookups
from culturedata.server.pooled import READ, SHOWN, pooled

SCHEMA = "http://schema.org/"
FJORD = "/id/musee-fjord-bleu/personne/helene-bouchard"
ANSE = "/id/musee-anse-aux-brumes/agent/bouchard-helene"
NETWORK = "/id/reseau-culture-laurentides/organisation/rcl-0010"
THEATRE = "/id/theatre-deux-rives/interprete/orchestre-de-chambre-des-basses-laurentides"


def html(web: httpx.Client, url: str, lang: str = "en") -> str:
    answer = web.get(url, headers={"Accept": "text/html"}, params={"lang": lang})
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


def section(page: str) -> str:
    found = re.search(r'<section class="related pooled".*?</section>', page, re.S)
    assert found, "no pooled section"
    return found.group(0)


def cluster_href(page: str) -> str:
    found = re.search(r'<a class="cluster" href="([^"]+)"', section(page))
    assert found
    return found.group(1)


def test_a_persons_page_shows_the_other_museums_record_and_the_cluster(site: str, web: httpx.Client) -> None:
    page = html(web, site + FJORD, "fr")
    shown = section(page)
    assert f'href="{site}{ANSE}"' in shown and "Musée maritime de l&#39;Anse-aux-Brumes" in shown
    assert f'href="{site}{FJORD}"' not in shown  # the page's own record is not "another" one
    assert "/organisation/musee-anse-aux-brumes" in shown  # the institution links to its page
    cluster = cluster_href(page)
    assert cluster.startswith(f"{site}/id/_pooled/")
    # For search engines: schema:sameAs names the other record and the cluster.
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    same = data["sameAs"] if isinstance(data["sameAs"], list) else [data["sameAs"]]
    assert {f"{BASE}{ANSE[1:]}", BASE + cluster[len(site) + 1:]} <= set(same)
    # Said once: the properties table no longer repeats the links the section explains.
    table = re.search(r'<table class="properties">.*?</table>', page, re.S)
    assert table and cluster not in table.group(0) and f"{site}{ANSE}" not in table.group(0)
    # And from the other museum's page, the same cluster.
    assert cluster_href(html(web, site + ANSE)) == cluster


def test_an_organisations_pages_link_the_network_and_the_theatre(site: str, web: httpx.Client) -> None:
    from_network = section(html(web, site + NETWORK))
    assert f'href="{site}{THEATRE}"' in from_network and "Deux-Rives Theatre" in from_network
    from_theatre = section(html(web, site + THEATRE))
    assert f'href="{site}{NETWORK}"' in from_theatre and "Laurentides Culture Network" in from_theatre


def test_the_cluster_dereferences_as_a_page_listing_its_members_and_as_rdf(site: str, web: httpx.Client) -> None:
    cluster = cluster_href(html(web, site + NETWORK))
    page = html(web, cluster)
    listed = section(page)
    assert f'href="{site}{NETWORK}"' in listed and f'href="{site}{THEATRE}"' in listed
    assert 'class="cluster"' not in listed  # on its own page the cluster does not link to itself
    assert "Organization" in page
    iri = BASE + cluster[len(site) + 1:]
    members = {BASE + NETWORK[1:], BASE + THEATRE[1:]}
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)):
        answer = web.get(cluster, headers={"Accept": accept})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
        triples = list(ox.parse(answer.content, format=fmt))
        assert {t.object.value for t in triples if t.subject.value == iri and t.predicate.value == f"{SCHEMA}sameAs"} >= members
        assert ox.NamedNode(f"{SCHEMA}Organization") in {t.object for t in triples if t.predicate.value.endswith("#type")}
    assert web.get(cluster + ".ttl").status_code == 200


def test_an_entity_no_cluster_holds_has_no_section(site: str, web: httpx.Client) -> None:
    assert 'class="related pooled"' not in html(web, site + "/id/musee-fjord-bleu/personne/germaine-lavoie")


def _big_cluster(size: int) -> tuple[ox.Store, ox.NamedNode]:
    """A cluster of `size` members in as many sources, as pooling writes it (pooling/publication.py)."""
    store, n = ox.Store(), ox.NamedNode
    pooling, cluster = n(f"{BASE}graph/_pooling"), n(f"{BASE}id/_pooled/big")
    store.add(ox.Quad(cluster, n(f"{SCHEMA}name"), ox.Literal("Many"), pooling))
    for i in range(size):
        member, graph = n(f"{BASE}id/source-{i}/personne/x"), n(f"{BASE}graph/source-{i}/1")
        store.add(ox.Quad(member, n(f"{SCHEMA}name"), ox.Literal(f"Member {i}"), graph))
        store.add(ox.Quad(n(f"{BASE}id/source-{i}/organisation/source-{i}"), n(f"{SCHEMA}name"),
                          ox.Literal(f"Institution {i}"), n(f"{BASE}graph/source-{i}")))
        store.add(ox.Quad(cluster, n(f"{SCHEMA}sameAs"), member, pooling))
        store.add(ox.Quad(member, n(f"{SCHEMA}sameAs"), cluster, pooling))
    return store, n(f"{BASE}id/source-0/personne/x")


def test_a_page_reads_as_much_for_a_cluster_of_a_thousand_as_for_one_of_two_hundred() -> None:
    # Both clusters have more facts than lookups.py reads in one range (it then reads by
    # predicate), one below the members a page reads and one above.
    asked = []
    for size in (200, 1000):
        store, member = _big_cluster(size)
        lookups = Lookups(store)
        own = [q.triple for q in store.quads_for_pattern(member, None, None, None)]
        found = pooled(member, own, lookups, Labeller(lookups, "en"), BASE, lambda iri: iri)
        assert found is not None and len(found.members) == SHOWN
        assert (found.count, found.capped) == ((size - 1, False) if size < READ else (READ, True))  # "500+"
        assert all(m.institutions and m.institutions[0].name.startswith("Institution ") for m in found.members)
        assert all(pattern[0] != "?" for pattern in lookups.patterns)  # by subject only
        asked.append(len(lookups.patterns))
    assert asked[0] == asked[1]

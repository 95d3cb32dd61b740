"""The answers entity pages share are kept per snapshot: a new snapshot's pages read the new one."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pyoxigraph as ox
from harness import BASE, QCP, SCHEMA

from culturedata.server.pagememo import Bounded, PageMemos
from culturedata.store import Snapshots

PAGE = "/id/musee-test/objet/0"


def publish_collection(snapshots: Snapshots, museum: str, creator: str, objects: int, edition: str) -> None:
    """A snapshot of its own (not a copy of the last): `objects` objects by one creator, held by one museum."""
    n = ox.NamedNode
    owner, artist = n(BASE + "id/musee-test/organisation/musee-test"), n(BASE + "id/musee-test/personne/p")
    graph = n(BASE + "graph/musee-test/organisation")
    quads = [ox.Quad(owner, n(SCHEMA + "name"), ox.Literal(museum, language="fr"), graph),
             ox.Quad(artist, n(SCHEMA + "name"), ox.Literal(creator), graph)]
    for i in range(objects):
        thing, record = n(f"{BASE}id/musee-test/objet/{i}"), n(f"{BASE}graph/musee-test/{i}")
        quads += [ox.Quad(thing, n(SCHEMA + "name"), ox.Literal(f"Objet {i} {edition}", language="fr"), record),
                  ox.Quad(thing, n(SCHEMA + "creator"), artist, record),
                  ox.Quad(thing, n(QCP + "heldBy"), owner, record)]
    staging = snapshots.begin(empty=True)
    assert staging.store is not None
    staging.store.extend(quads)
    snapshots.publish(staging)


def shown(site: str, client: httpx.Client) -> str:
    response = client.get(site + PAGE, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    return response.text


def test_a_new_snapshot_shows_its_own_labels_lists_and_counts(serve, tmp_path: Path, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    snapshots = Snapshots(tmp_path / "store")
    publish_collection(snapshots, "Musée A", "Alpha", 25, "first")
    site = serve(snapshots)
    first = shown(site, client)
    assert ">Alpha</a>" in first and ">Musée A</a>" in first
    assert "Also in the collection of Musée A" in first and "(24 in all)" in first  # counted: more than a list holds
    assert "Objet 1 first" in first
    assert shown(site, client) == first  # the second page reads the memo: the same page
    publish_collection(snapshots, "Musée B", "Beta", 30, "second")
    second = shown(site, client)
    assert ">Beta</a>" in second and ">Musée B</a>" in second and "Alpha" not in second
    assert "Also in the collection of Musée B" in second and "(29 in all)" in second
    assert "first" not in re.sub(r"<[^>]+>", "", second) and "Objet 1 second" in second


def test_one_memo_per_snapshot_and_none_for_a_changing_store() -> None:
    memos = PageMemos()
    first = memos.of("20261207T120000Z")
    assert first is not None and memos.of("20261207T120000Z") is first
    first.labels.put(("https://example.org/x", "fr"), "x")
    second = memos.of("20261207T130000Z")
    assert second is not None and second is not first and len(second.labels) == 0
    assert memos.of(None) is None  # a writable store: its answers may change with every update


def test_a_memo_forgets_its_oldest_answers_past_its_size() -> None:
    kept: Bounded[str, int] = Bounded(3)
    for number, key in enumerate("abcd"):
        kept.put(key, number)
    assert len(kept) == 3 and "a" not in kept and kept.get("d") == 3
    kept.put("b", 10)  # replacing an answer forgets nothing
    assert len(kept) == 3 and kept["b"] == 10 and kept.get("c") == 2


def test_a_writable_store_shows_each_update_at_once(serve, tmp_path: Path, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    """No memo where the content changes: a renamed creator is renamed on the next page."""
    snapshots = Snapshots(tmp_path / "store")
    publish_collection(snapshots, "Musée A", "Alpha", 3, "first")
    site = serve(snapshots, updates=True, update_token="jeton-de-test")
    assert ">Alpha</a>" in shown(site, client)
    artist, graph = f"<{BASE}id/musee-test/personne/p>", f"<{BASE}graph/musee-test/organisation>"
    update = (f"DELETE DATA {{ GRAPH {graph} {{ {artist} <{SCHEMA}name> \"Alpha\" }} }};"
              f" INSERT DATA {{ GRAPH {graph} {{ {artist} <{SCHEMA}name> \"Gamma\" }} }}")
    done = client.post(site + "/sparql", data={"update": update}, headers={"Authorization": "Bearer jeton-de-test"})
    assert done.status_code == 204, done.text
    page = shown(site, client)
    assert ">Gamma</a>" in page and "Alpha" not in page

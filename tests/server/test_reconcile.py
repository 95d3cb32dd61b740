"""/reconcile over a real demo run, driven as OpenRefine drives it (form-encoded `queries` and
`extend` in POSTs, suggest and preview in GETs), every answer validated against the
Reconciliation Service API v0.2 JSON Schemas vendored in schemas/reconciliation/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from harness import BASE
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "schemas" / "reconciliation"
FJORD = f"{BASE}id/musee-fjord-bleu/personne/helene-bouchard"
ANSE = f"{BASE}id/musee-anse-aux-brumes/agent/bouchard-helene"
PERSON = "http://schema.org/Person"


@cache
def registry() -> Registry:  # type: ignore[type-arg]
    """The schemas by their $id, so that `type.json` resolves offline."""
    resources = [Resource.from_contents(json.loads(p.read_text(encoding="utf-8")), default_specification=DRAFT7)
                 for p in sorted(SCHEMAS.glob("*.json"))]
    return Registry().with_resources((r.contents["$id"], r) for r in resources)


def valid(answer: httpx.Response, schema: str) -> Any:
    assert answer.status_code == 200, answer.text[-300:]
    body = answer.json()
    contents = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(contents, registry=registry()).validate(body)
    return body



def refine(web: httpx.Client, site: str, **form: object) -> httpx.Response:
    """A POST as OpenRefine sends it: each parameter form-encoded, its value JSON."""
    return web.post(f"{site}/reconcile", data={k: json.dumps(v) for k, v in form.items()})


def test_the_manifest_says_what_the_service_offers(site: str, web: httpx.Client) -> None:
    manifest = valid(web.get(f"{site}/reconcile"), "manifest.json")
    assert manifest["versions"] == ["0.2"] and manifest["identifierSpace"] == f"{BASE}id/"
    assert {t["id"] for t in manifest["defaultTypes"]} >= {PERSON, "http://schema.org/Organization"}
    assert manifest["preview"]["url"].startswith(site) and manifest["extend"]["propose_properties"]["service_path"]
    # CORS, which v0.2 requires of a service
    assert web.get(f"{site}/reconcile", headers={"Origin": "https://example.org"}).headers[
        "access-control-allow-origin"] == "*"


def test_a_batch_finds_the_painter_in_both_museums_and_dates_decide(site: str, web: httpx.Client) -> None:
    batch = {
        "q0": {"query": "Helene Bouchard", "type": PERSON, "limit": 5},
        "q1": {"query": "Hélène Bouchard", "type": PERSON, "properties": [{"pid": "birthDate", "v": "1898"}]},
        "q2": {"query": "Hélène Bouchard", "properties": [{"pid": "birthDate", "v": "1950"}]},
        "q3": {"query": "Personne Inconnue Xyz"},
    }
    answer = valid(refine(web, site, queries=batch), "reconciliation-result-batch.json")
    assert set(answer) == set(batch)
    assert {r["id"] for r in answer["q0"]["result"]} >= {FJORD, ANSE}
    assert all({"id": PERSON, "name": "Person"} in r["type"] for r in answer["q0"]["result"])
    dated = answer["q1"]["result"]
    # With the year, the name is no longer alone: a match, and the two records are one pooled painter.
    assert dated[0]["score"] > answer["q0"]["result"][0]["score"] and dated[0]["match"] is True
    assert answer["q2"]["result"][0]["score"] <= 40 and not answer["q2"]["result"][0]["match"]
    assert answer["q3"]["result"] == []
    # The same batch by GET, as the spec allows
    by_get = valid(web.get(f"{site}/reconcile", params={"queries": json.dumps(batch)}), "reconciliation-result-batch.json")
    assert by_get == answer


def test_a_type_constraint_keeps_other_kinds_out(site: str, web: httpx.Client) -> None:
    batch = {"q": {"query": "orchestre de chambre des basses laurentides", "type": "http://schema.org/Place"}}
    answer = valid(refine(web, site, queries=batch), "reconciliation-result-batch.json")
    assert answer["q"]["result"] and all(
        {"id": "http://schema.org/Place", "name": "Place"} in r["type"] for r in answer["q"]["result"])


def test_suggest_and_preview(site: str, web: httpx.Client) -> None:
    entities = valid(web.get(f"{site}/reconcile/suggest/entity", params={"prefix": "bouch"}), "suggest-entities-response.json")
    assert {FJORD, ANSE} <= {r["id"] for r in entities["result"]}
    types = valid(web.get(f"{site}/reconcile/suggest/type", params={"prefix": "pers"}), "suggest-types-response.json")
    assert types["result"] == [{"id": PERSON, "name": "Person"}]
    properties = valid(web.get(f"{site}/reconcile/suggest/property", params={"prefix": "wiki"}),
                       "suggest-properties-response.json")
    assert [p["id"] for p in properties["result"]] == ["wikidata", "sameAs"]  # "authority id (Wikidata, …)"
    preview = web.get(f"{site}/reconcile/preview", params={"id": FJORD, "lang": "fr"})
    assert preview.status_code == 200 and "Hélène Bouchard" in preview.text and "1898" in preview.text
    assert "frame-ancestors *" in preview.headers["content-security-policy"]
    assert web.get(f"{site}/reconcile/preview", params={"id": "nope"}).status_code == 404


def test_data_extension_gives_dates_region_institution_and_the_pooled_entity(site: str, web: httpx.Client) -> None:
    proposed = web.get(f"{site}/reconcile/propose_properties", params={"type": PERSON}).json()
    ids = [p["id"] for p in proposed["properties"]]
    assert {"birthDate", "wikidata", "ulan", "region", "pooled"} <= set(ids)
    orchestra = f"{BASE}id/reseau-culture-laurentides/organisation/rcl-0010"
    extend = {"ids": [FJORD, orchestra, f"{BASE}id/nothing"], "properties": [{"id": i} for i in ids]}
    answer = valid(refine(web, site, extend=extend), "data-extension-response.json")
    assert [m["id"] for m in answer["meta"]] == ids
    assert answer["rows"][FJORD]["birthDate"] == [{"int": 1898}] and answer["rows"][FJORD]["deathDate"] == [{"int": 1976}]
    assert answer["rows"][FJORD]["pooled"][0]["id"].startswith(f"{BASE}id/_pooled/")
    assert answer["rows"][orchestra]["region"] == [{"str": "Laurentides"}]
    assert answer["rows"][f"{BASE}id/nothing"] == {i: [] for i in ids}


@pytest.mark.parametrize("form", [
    {"queries": "not json"}, {"queries": "[]"}, {"queries": '{"q": 3}'}, {"queries": "1e999"},
    {"queries": '{"q": {"query": "x", "limit": 1e999}}'}, {"queries": '{"q": {"query": "x", "properties": [1]}}'},
    {"queries": "[" * 100_000}, {"queries": '{"q": {"query": "NEAR(\\"a\\")", "type": [1, 2]}}'},
    {"extend": '{"ids": "x"}'}, {"extend": '{"ids": [1], "properties": [{"id": 3}]}'}, {"extend": "null"},
])
def test_what_openrefine_would_never_send_is_refused_or_answered_never_a_crash(
        site: str, web: httpx.Client, form: dict[str, str]) -> None:
    answer = web.post(f"{site}/reconcile", data=form)
    assert answer.status_code in (200, 400), answer.text[-300:]
    assert "Traceback" not in answer.text


def test_the_vendored_schemas_can_fail() -> None:
    for schema, wrong in (("reconciliation-result-batch.json", {"q": {"result": [{"id": "x", "name": "x"}]}}),
                          ("suggest-types-response.json", {"result": [{"id": "x"}]}),  # type.json, by its $id
                          ("manifest.json", {"versions": ["0.1"], "name": "x", "identifierSpace": "x", "schemaSpace": "x"})):
        contents = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft7Validator(contents, registry=registry()).validate(wrong)


def test_authority_ids_and_places_decide_as_pooling_does(tmp_path: Path) -> None:
    """An index built from a small real store: a shared Wikidata id is certain, another id of
    Wikidata caps the score, a birthplace that agrees adds to it (the demo has no authority ids)."""
    import pyoxigraph as ox

    from culturedata.pooling import SearchIndex, build_index
    from culturedata.server.reconcile import candidates

    schema = "http://schema.org/"
    graph = ox.NamedNode(f"{BASE}graph/musee/1")
    monet, other = ox.NamedNode(f"{BASE}id/musee/personne/monet"), ox.NamedNode(f"{BASE}id/musee/personne/monet-2")
    store = ox.Store()
    for subject, born, place, wikidata in ((monet, "1840", "Paris", "Q296"), (other, "1840", "Giverny", "Q999")):
        store.extend([
            ox.Quad(subject, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(PERSON), graph),
            ox.Quad(subject, ox.NamedNode(f"{schema}name"), ox.Literal("Claude Monet"), graph),
            ox.Quad(subject, ox.NamedNode(f"{schema}birthDate"), ox.Literal(born), graph),
            ox.Quad(subject, ox.NamedNode(f"{schema}birthPlace"), ox.Literal(place), graph),
            ox.Quad(subject, ox.NamedNode(f"{schema}sameAs"), ox.NamedNode(f"http://www.wikidata.org/entity/{wikidata}"), graph),
        ])
    assert build_index(store, tmp_path, BASE) == 2
    index = SearchIndex.of(tmp_path)
    assert index is not None
    by_id = candidates(index, {"query": "Monet", "properties": [{"pid": "wikidata", "v": "https://www.wikidata.org/wiki/Q296"}]}, 0.92)
    assert by_id[0]["id"] == monet.value and by_id[0]["score"] == 100 and by_id[0]["match"] is True
    assert by_id[1]["score"] <= 40  # another Wikidata id: never the same person
    only_id = candidates(index, {"properties": [{"pid": "sameAs", "v": "wd:Q296"}]}, 0.92)  # no name at all
    assert [c["id"] for c in only_id] == [monet.value]
    placed = candidates(index, {"query": "Claude Monnet", "properties": [{"pid": "locality", "v": "paris"}]}, 0.92)
    assert placed[0]["id"] == monet.value and placed[0]["score"] > placed[1]["score"]  # +3 for the place
    dated = candidates(index, {"query": "Claude Monet", "properties": [{"pid": "birthDate", "v": "1840-11-14"}]}, 0.92)
    assert dated[0]["score"] == 100 and not dated[0]["match"]  # two certain candidates: none is the match
    extended = [h.authorities for h in index.get([monet.value])]
    assert extended == [("http://www.wikidata.org/entity/Q296",)]


def test_the_match_flag_follows_pooling_reconcile_match(tmp_path: Path, serve, client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    """A name alone, exact, scores 90 (no year: -10): no match at the default 0.92; a match on a
    server whose culturedata.toml lowers `pooling.reconcile_match` to 0.9."""
    import pyoxigraph as ox
    from harness import publish, running

    from culturedata.config import load_config
    from culturedata.pooling import build_index
    from culturedata.server import create_app
    from culturedata.server.settings import ServerSettings

    graph, monet = ox.NamedNode(f"{BASE}graph/musee/1"), ox.NamedNode(f"{BASE}id/musee/personne/monet")
    snapshots = publish(tmp_path / "store", [
        ox.Quad(monet, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(PERSON), graph),
        ox.Quad(monet, ox.NamedNode("http://schema.org/name"), ox.Literal("Claude Monet"), graph)])
    current = snapshots.current()
    assert current is not None
    build_index(ox.Store.read_only(str(current)), current, BASE)
    (tmp_path / "culturedata.toml").write_text(
        f'[publish]\nbase_iri = "{BASE}"\n\n[pooling]\nreconcile_match = 0.9\n', encoding="utf-8")
    settings = ServerSettings.from_config(load_config(tmp_path / "culturedata.toml"))
    assert settings.reconcile_match == 0.9
    batch = {"q": {"query": "Claude Monet", "type": PERSON}}

    def best(site: str) -> dict[str, Any]:
        answer = valid(client.post(f"{site}/reconcile", data={"queries": json.dumps(batch)}),
                       "reconciliation-result-batch.json")
        return answer["q"]["result"][0]  # type: ignore[no-any-return]

    default = best(serve(snapshots))
    assert default["score"] == 90 and default["match"] is False
    with running(create_app(snapshots, settings)) as lowered:
        assert best(lowered) == {**default, "match": True}

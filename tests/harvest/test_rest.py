"""Paginated JSON APIs: the Réseau Culture Laurentides export served 4 records a page on 127.0.0.1."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from harvest_peers import FAST, make_source, sample, serve_wsgi

from culturedata.errors import HarvestError
from culturedata.harvest import HarvestOptions, harvest

PER_PAGE = 4


def api(organismes: list[dict], requests: list[str]):
    def app(environ, start_response):
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        path = environ["PATH_INFO"]
        requests.append(f"{path}?{environ.get('QUERY_STRING', '')}")
        headers = [("Content-Type", "application/json")]
        if path == "/cursor":
            start = int(params.get("cursor", "0"), 16)
        else:
            start = (int(params.get("page", "1")) - 1) * int(params.get("par_page", PER_PAGE))
        chunk = organismes[start : start + PER_PAGE]
        more = start + PER_PAGE < len(organismes)
        meta: dict = {"total": len(organismes)}
        if path == "/next" and more:
            meta["next"] = f"/next?page={start // PER_PAGE + 2}"
        if path == "/link" and more:
            headers.append(("Link", f'</link?page={start // PER_PAGE + 2}>; rel="next"'))
        if path == "/cursor" and more:
            meta["next_cursor"] = format(start + PER_PAGE, "x")
        if path == "/loop":
            meta["next"] = "/loop?page=1"
        body = json.dumps({"meta": meta, "data": {"organismes": chunk}}).encode()
        start_response("200 OK", headers)
        return [body]

    return app


@pytest.fixture
def organismes():
    path = sample("reseau-culture-laurentides", "organismes.json")
    return json.loads(path.read_text(encoding="utf-8"))["data"]["organismes"]


CASES = {
    "next-link in the body": ("/next", {"pagination": "next-link", "next": "meta.next"}),
    "next-link in the Link header": ("/link", {"pagination": "next-link"}),
    "page numbers": ("/page", {"pagination": "page", "page_size_param": "par_page", "page_size": PER_PAGE}),
    "cursor": ("/cursor", {"pagination": "cursor", "cursor_path": "meta.next_cursor"}),
}


@pytest.mark.parametrize("case", CASES)
def test_every_pagination_gives_every_record_once(organismes, case):
    path, options = CASES[case]
    requests: list[str] = []
    with serve_wsgi(api(organismes, requests)) as base:
        source = make_source("rest", url=base + path, records="data.organismes", **FAST, **options)
        records = list(harvest(source, HarvestOptions()))
    assert [r.local_id for r in records] == [o["id"] for o in organismes]
    assert records[4].location == "page 2, item 1"
    assert records[4].origin.startswith(base + path)
    assert len(requests) in (4, 5)  # 15 records in 4 pages, plus an empty page for page numbers


def test_a_next_link_that_comes_back_stops_the_run(organismes):
    with serve_wsgi(api(organismes, [])) as base:
        source = make_source("rest", url=base + "/loop?page=1", records="data.organismes", next="meta.next", **FAST)
        with pytest.raises(HarvestError) as caught:
            list(harvest(source, HarvestOptions()))
    assert "/loop" in str(caught.value) and caught.value.exit_code == 3


def test_a_wrong_records_path_is_named(organismes):
    with serve_wsgi(api(organismes, [])) as base:
        source = make_source("rest", url=base + "/next", records="data.organisations", **FAST)
        with pytest.raises(HarvestError) as caught:
            list(harvest(source, HarvestOptions()))
    assert "data.organisations" in str(caught.value)


def test_since_param_asks_only_for_changes_after_the_watermark(organismes, tmp_path):
    requests: list[str] = []
    with serve_wsgi(api(organismes, requests)) as base:
        source = make_source("rest", url=base + "/next", records="data.organismes", next="meta.next",
                             since_param="modifie_depuis", **FAST)
        first = list(harvest(source, HarvestOptions(state_dir=tmp_path)))
        list(harvest(source, HarvestOptions(state_dir=tmp_path)))
    assert len(first) == 15
    assert "modifie_depuis" not in requests[0]
    later = [r for r in requests[4:] if "page=" not in r]
    assert later and "modifie_depuis=20" in later[0]


def test_records_without_an_id_are_named_by_their_place_not_the_page_url(organismes):
    """The cursor changes every run (a session, a timestamp) and two records share a page: the
    ids are the page number and the position in it, the same on a second run, never the URL."""
    anonymous = [{k: v for k, v in o.items() if k != "id"} for o in organismes]
    runs = []
    for run in range(2):
        with serve_wsgi(api(anonymous, [])) as base:
            source = make_source("rest", url=f"{base}/next?session={run}", records="data.organismes",
                                 next="meta.next", **FAST)
            runs.append([r.local_id for r in harvest(source, HarvestOptions())])
    assert runs[0] == runs[1]
    assert runs[0][:5] == ["page-1#item-1", "page-1#item-2", "page-1#item-3", "page-1#item-4", "page-2#item-1"]
    assert len(set(runs[0])) == len(organismes) and not any("127.0.0.1" in i for i in runs[0])


def test_a_composite_id_field(organismes):
    with serve_wsgi(api(organismes, [])) as base:
        source = make_source("rest", url=base + "/next", records="data.organismes", next="meta.next",
                             id_field=["nom", "id"], **FAST)
        records = list(harvest(source, HarvestOptions()))
    assert [r.local_id for r in records] == [f"{o.get('nom') or ''}|{o['id']}" for o in organismes]

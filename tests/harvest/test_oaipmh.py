"""OAI-PMH against the real server of the `oaipmh` package, serving the Anse-aux-Brumes LIDO records."""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from harvest_peers import FAST, FaultProxy, demo_repository, make_source, sample, serve_oai, serve_wsgi
from lxml import etree

from culturedata.errors import HarvestError, OAIProtocolError, ResumptionLoop, SourceUnavailable
from culturedata.harvest import HarvestOptions, harvest
from culturedata.harvest.checkpoint import Checkpoint
from culturedata.harvest.oaipmh import OAIClient, tail_token
from culturedata.harvest.transport import HarvestSession, HttpSettings
from culturedata.records import content_hash

LIDO = "http://www.lido-schema.org"


@pytest.fixture
def repository():
    sample("musee-anse-aux-brumes", "datestamps.csv")
    return demo_repository()


def oai_source(url: str, **options):
    return make_source("oai-pmh", url=url, **{"metadata_prefix": "lido", **FAST, **options})


def expected(repository) -> dict[str, bool]:
    return {item.identifier: item.deleted for item in repository.items}


def run(url: str, state_dir=None, **kw) -> list:
    options = {k: v for k, v in kw.items() if k not in ("since", "full", "limit")}
    harvest_options = HarvestOptions(state_dir=state_dir, **{k: kw[k] for k in ("since", "full", "limit") if k in kw})
    return list(harvest(oai_source(url, **options), harvest_options))


def test_full_harvest_matches_the_server_record_for_record(repository):
    with serve_oai(repository, batch_size=5) as url:
        records = run(url)
    assert {r.local_id: r.deleted for r in records} == expected(repository)
    assert len(records) == 22
    live = [r for r in records if not r.deleted]
    for record in live:
        root = etree.fromstring(record.payload)
        assert root.tag == f"{{{LIDO}}}lido"
        assert record.local_id.endswith(":" + root.findtext(f"{{{LIDO}}}lidoRecID").strip())
        assert record.content_hash == content_hash(record.payload)
        assert record.datestamp == repository.live()[record.local_id].datestamp.replace(tzinfo=UTC)
        assert record.location.startswith("page ")
    deleted = sorted(r.local_id for r in records if r.deleted)
    assert deleted == ["oai:anse-aux-brumes.example:MMAB-0021", "oai:anse-aux-brumes.example:MMAB-0022"]
    assert all(r.payload == b"" for r in records if r.deleted)


def test_encoding_sensitive_title_survives(repository):
    with serve_oai(repository) as url:
        records = {r.local_id: r for r in run(url)}
    payload = records["oai:anse-aux-brumes.example:MMAB-0003"].payload.decode("utf-8")
    assert "œ" in payload or "é" in payload


def test_list_identifiers_then_get_record_gives_the_same_records(repository):
    with serve_oai(repository, batch_size=4) as url:
        by_records = {(r.local_id, r.content_hash, r.deleted) for r in run(url)}
        by_identifiers = {(r.local_id, r.content_hash, r.deleted) for r in run(url, verb="ListIdentifiers")}
    assert by_identifiers == by_records


def test_a_set_gives_only_its_records(repository):
    with serve_oai(repository, batch_size=3) as url:
        records = run(url, sets=["peche"])
    wanted = {i.identifier for i in repository.items if "peche" in i.sets}
    assert {r.local_id for r in records} == wanted and len(wanted) == 11


def test_from_uses_the_day_granularity_the_server_declares(repository):
    repository.granularity = "YYYY-MM-DD"
    with serve_oai(repository) as url:
        records = run(url, since=datetime(2024, 6, 3, 15, 0, tzinfo=UTC))
    # Day granularity: everything from 2024-06-03 00:00, including the morning's changes.
    wanted = {i.identifier for i in repository.items if i.datestamp >= datetime(2024, 6, 3)}
    assert {r.local_id for r in records} == wanted and len(wanted) == 6


def test_incremental_harvest_brings_only_what_changed(repository, tmp_path):
    with serve_oai(repository, batch_size=5) as url:
        first = run(url, tmp_path)
        assert len(first) == 22
        assert Checkpoint(tmp_path, "test-source").watermark is not None
        time.sleep(1.1)  # datestamps have one-second granularity
        repository.touch("oai:anse-aux-brumes.example:MMAB-0004", title="Nouveau titre")
        repository.touch("oai:anse-aux-brumes.example:MMAB-0005", deleted=True)
        time.sleep(1.1)  # `from` is inclusive: a change in the run's first second is fetched twice
        second = run(url, tmp_path)
        third = run(url, tmp_path)
    assert {(r.local_id, r.deleted) for r in second} == {
        ("oai:anse-aux-brumes.example:MMAB-0004", False),
        ("oai:anse-aux-brumes.example:MMAB-0005", True),
    }
    changed = next(r for r in second if not r.deleted)
    assert b"Nouveau titre" in changed.payload
    assert third == []


def test_full_ignores_the_watermark(repository, tmp_path):
    with serve_oai(repository) as url:
        run(url, tmp_path)
        assert len(run(url, tmp_path, full=True)) == 22


def test_no_records_match_is_an_empty_harvest_not_a_failure(repository, tmp_path):
    with serve_oai(repository) as url:
        assert run(url, tmp_path, since=datetime(2030, 1, 1, tzinfo=UTC)) == []
    assert Checkpoint(tmp_path, "test-source").run is None


def test_an_interrupted_harvest_resumes_at_the_checkpoint(repository, tmp_path):
    with serve_oai(repository, batch_size=5) as url:
        stream = harvest(oai_source(url), HarvestOptions(state_dir=tmp_path))
        taken = [next(stream) for _ in range(7)]
        stream.close()  # the process dies on page 2
        state = Checkpoint(tmp_path, "test-source").run
        assert state is not None and state["pages"] == 1 and state["token"]
        rest = run(url, tmp_path)
    assert len(rest) == 17  # pages 2…5: page 1 is not fetched again
    assert {r.local_id for r in taken} | {r.local_id for r in rest} == set(expected(repository))
    assert Checkpoint(tmp_path, "test-source").run is None


def test_an_expired_token_restarts_the_window(repository, tmp_path):
    with serve_oai(repository) as url:
        checkpoint = Checkpoint(tmp_path, "test-source")
        checkpoint.save_run({
            "signature": {"prefix": "lido", "sets": [], "verb": "ListRecords"}, "from": None, "until": None,
            "set_index": 0, "token": "cursor=not-a-number", "pages": 3, "records": 15, "started": None,
        })
        records = run(url, tmp_path)
    assert {r.local_id for r in records} == set(expected(repository))


def test_identify_sets_and_formats(repository):
    with serve_oai(repository) as url, HarvestSession(HttpSettings()) as session:
        client = OAIClient(url, session)
        assert client.identify().granularity == "YYYY-MM-DDThh:mm:ssZ"
        assert client.list_metadata_formats() == ["lido"]
        assert [spec for spec, _ in client.list_sets()] == ["navigation", "peche"]


def test_an_unknown_metadata_prefix_is_a_clear_error(repository):
    with serve_oai(repository) as url, pytest.raises(OAIProtocolError) as caught:
        run(url, metadata_prefix="edm")
    assert caught.value.params["oai_code"] == "cannotDisseminateFormat"
    assert caught.value.exit_code == 3


def test_an_unreachable_server_is_source_unavailable():
    with serve_wsgi(lambda env, start: []) as base:
        pass  # the port is now closed
    with pytest.raises(SourceUnavailable) as caught:
        run(base + "/oai", retries=1)
    assert caught.value.exit_code == 3


# --- faults between harvester and server -------------------------------------------------

TRANSIENT = ["timeout", "drop", "503", "503-date", "cut", "truncate", "html200"]


@pytest.mark.parametrize("fault", TRANSIENT)
def test_a_transient_fault_ends_in_a_complete_harvest_without_duplicates(repository, tmp_path, fault):
    with serve_oai(repository, batch_size=5) as upstream, FaultProxy(upstream) as proxy:
        proxy.hang = 1.5
        proxy.inject(fault, on=2)
        started = time.monotonic()
        records = run(proxy.url(), tmp_path, read_timeout=0.5)
        elapsed = time.monotonic() - started
    ids = [r.local_id for r in records]
    assert len(ids) == len(set(ids)) == 22
    assert (2, fault) in proxy.log
    if fault.startswith("503"):
        assert elapsed >= 0.9, "Retry-After was not honoured"


@pytest.mark.parametrize(
    ("fault", "error"), [("html200", OAIProtocolError), ("drop", SourceUnavailable), ("truncate", OAIProtocolError)]
)
def test_a_lasting_fault_stops_clearly_and_the_rerun_completes(repository, tmp_path, fault, error):
    with serve_oai(repository, batch_size=5) as upstream:
        with FaultProxy(upstream) as proxy:
            proxy.inject(fault, on=3, times=50)
            first: list = []
            with pytest.raises(error) as caught:
                for record in harvest(oai_source(proxy.url(), retries=2), HarvestOptions(state_dir=tmp_path)):
                    first.append(record)
            assert caught.value.exit_code == 3
            assert str(caught.value)  # a sentence, not a traceback
        with FaultProxy(upstream) as healthy:
            second = run(healthy.url(), tmp_path)
    assert len(first) == 10  # pages 1 and 2
    first_ids, second_ids = {r.local_id for r in first}, {r.local_id for r in second}
    assert not first_ids & second_ids
    assert first_ids | second_ids == set(expected(repository))


def test_a_repeating_token_stops_instead_of_looping(repository, tmp_path):
    with serve_oai(repository, batch_size=5) as upstream, FaultProxy(upstream) as proxy:
        proxy.inject("repeat-token", on=1)
        with pytest.raises(ResumptionLoop) as caught:
            run(proxy.url(), tmp_path)
    assert isinstance(caught.value, HarvestError)
    assert proxy.seen <= 3


def test_a_limited_trial_run_leaves_no_state(repository, tmp_path):
    with serve_oai(repository, batch_size=5) as url:
        assert len(run(url, tmp_path, limit=12)) == 12
        assert not list(tmp_path.iterdir())
        assert len(run(url, tmp_path)) == 22


def test_a_fault_on_identify_is_retried_too(repository, tmp_path):
    with serve_oai(repository) as upstream, FaultProxy(upstream, match="verb=Identify") as proxy:
        proxy.inject("html200", on=1)
        records = run(proxy.url(), tmp_path)
    assert len(records) == 22 and proxy.log[0] == (1, "html200")


# --- the next page fetched while this one is read ------------------------------------------

def test_pages_fetched_ahead_make_no_extra_requests(repository, tmp_path):
    with serve_oai(repository, batch_size=5) as upstream, FaultProxy(upstream) as proxy:
        records = run(proxy.url(), tmp_path)
    assert {r.local_id for r in records} == set(expected(repository))
    assert proxy.seen == 5  # 22 records in pages of 5: each page asked for once


def test_a_page_fetched_ahead_for_another_token_is_thrown_away(repository):
    with (
        serve_oai(repository, batch_size=5) as upstream,
        FaultProxy(upstream) as proxy,
        HarvestSession(HttpSettings()) as session,
        ThreadPoolExecutor(1) as ahead,
    ):
        client = OAIClient(proxy.url(), session, ahead=ahead)
        first_params = {"verb": "ListRecords", "metadataPrefix": "lido"}
        first = client.page(first_params, follow=lambda token: True)
        assert first.token and client.fetching is not None  # page 2 is on its way
        again = client.page(first_params)  # not what was fetched ahead: asked anew, page 2 dropped
        assert [h.identifier for h, _ in again.records] == [h.identifier for h, _ in first.records]
        second = client.page({"verb": "ListRecords", "resumptionToken": first.token})
        assert second.records and second.token != first.token
    assert proxy.seen == 4  # page 1, page 2 ahead (dropped), page 1 again, page 2


def test_a_harvest_leaves_the_process_switch_interval_alone(repository, tmp_path):
    """The fetching thread gets the GIL while the reader is in lxml; nothing of the process
    (which also runs other sources and validation in threads) is tuned for it."""
    import sys

    before = sys.getswitchinterval()
    with serve_oai(repository, batch_size=5) as url:
        seen = {sys.getswitchinterval() for _ in harvest(oai_source(url), HarvestOptions(state_dir=tmp_path))}
    assert seen == {before}


def test_a_token_already_seen_is_not_fetched_ahead(repository, tmp_path):
    with serve_oai(repository, batch_size=5) as upstream, FaultProxy(upstream) as proxy:
        proxy.inject("repeat-token", on=2)
        with pytest.raises(ResumptionLoop):
            run(proxy.url(), tmp_path)
    assert proxy.seen == 2


@pytest.mark.parametrize(
    ("tail", "token"),
    [
        (b"<resumptionToken cursor='5'> page 2 </resumptionToken></ListRecords></OAI-PMH>\n", "page 2"),
        (b"<oai:resumptionToken>t</oai:resumptionToken>\n</oai:ListIdentifiers></oai:OAI-PMH>", "t"),
        (b"<resumptionToken>a&amp;b</resumptionToken></ListRecords></OAI-PMH>", None),
        (b"<resumptionToken completeListSize='9'/></ListRecords></OAI-PMH>", None),
        (b"<resumptionToken>t</resumptionToken></ListRecords></OAI-P", None),
    ],
)
def test_the_token_read_from_the_tail(tail, token):
    assert tail_token(b"<OAI-PMH><ListRecords><record/>" + tail) == token


def test_a_record_nested_past_libxml2s_depth_is_refused_alone_and_its_page_harvested(repository):
    listed = repository._select("lido", None, None, None)
    victim = next(item for item in listed[5:] if not item.deleted)  # on page 2, between others
    deep = copy.deepcopy(victim.element)
    node = deep
    for _ in range(300):
        node = etree.SubElement(node, f"{{{LIDO}}}nest")
    victim.element = deep
    with serve_oai(repository, batch_size=5) as url:
        records = run(url, page_attempts=1)
    assert {r.local_id: r.deleted for r in records} == expected(repository)
    refused = [r for r in records if r.findings]
    assert [r.local_id for r in refused] == [victim.identifier]
    finding = refused[0].findings[0]
    assert finding.rule == "too-deep" and victim.identifier in str(finding.message) and "256" in str(finding.message)
    assert refused[0].location == f"page 2, record {listed.index(victim) - 4}"
    page_two = [r for r in records if r.location.startswith("page 2,") and r is not refused[0] and not r.deleted]
    assert page_two and all(etree.fromstring(r.payload).tag == f"{{{LIDO}}}lido" for r in page_two)

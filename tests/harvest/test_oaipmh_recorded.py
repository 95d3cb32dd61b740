"""OAI-PMH against recorded real-world responses (sickle's sample data, BSD-3-Clause, in ../shared/data/oai-pmh).

A tiny loopback server answers each request with the recorded file it names: the
recordings use the next file's name as their resumption token.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from harvest_peers import FAST, make_source, serve_wsgi, shared

from culturedata.errors import OAIProtocolError, ResumptionLoop
from culturedata.harvest import HarvestOptions, harvest
from culturedata.harvest.oaipmh import OAIClient
from culturedata.harvest.transport import HarvestSession, HttpSettings


def recorded_app(first_page: str):
    folder = shared("oai-pmh")

    def app(environ, start_response):
        params = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
        verb = params.get("verb", "")
        name = params.get("resumptionToken") or ("Identify.xml" if verb == "Identify" else first_page)
        if verb in ("ListSets", "GetRecord"):
            name = f"{verb}.xml"
        body = (folder / name).read_bytes()
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def harvest_recorded(first_page: str, **options):
    with serve_wsgi(recorded_app(first_page)) as base:
        source = make_source("oai-pmh", url=base + "/oai", **{**FAST, "page_attempts": 1, **options})
        return list(harvest(source, HarvestOptions()))


def test_a_four_page_token_chain_with_deletions():
    records = harvest_recorded("ListRecords.xml")
    # 8 records in 4 pages; the one deleted header without an identifier (page 4) is skipped.
    assert len(records) == 7
    assert [r.location for r in records][:2] == ["page 1, record 1", "page 1, record 2"]
    assert records[-1].location == "page 4, record 2"
    deleted = [r for r in records if r.deleted]
    assert {r.local_id for r in deleted} == {"oai:test.example.com:1585310"}
    live = [r for r in records if not r.deleted]
    assert all(b"<dc:title>Sample Title</dc:title>" in r.payload for r in live)
    assert live[0].datestamp.isoformat() == "2011-01-10T10:19:23+00:00"


def test_no_records_match_is_empty():
    assert harvest_recorded("noRecordsMatch.xml") == []


@pytest.mark.parametrize("name", ["badArgument", "cannotDisseminateFormat", "idDoesNotExist", "undefinedError"])
def test_error_codes_stop_with_the_code(name):
    with pytest.raises(OAIProtocolError) as caught:
        harvest_recorded(f"{name}.xml")
    assert caught.value.params["oai_code"] == name


def test_a_broken_response_is_a_clear_protocol_error():
    with pytest.raises(OAIProtocolError) as caught:
        harvest_recorded("ListRecordsBroken.xml")
    assert "not well-formed" in str(caught.value)


def test_list_identifiers_then_get_record():
    records = harvest_recorded("ListIdentifiers.xml", verb="ListIdentifiers")
    # 4 headers, 2 deleted; each live one is fetched with GetRecord (the recording answers
    # every GetRecord with the same record), the deleted ones are not.
    assert [r.deleted for r in records] == [False, True, False, True]
    assert all(b"<dc:title>" in r.payload for r in records if not r.deleted)


def test_identify_and_list_sets():
    with serve_wsgi(recorded_app("ListRecords.xml")) as base, HarvestSession(HttpSettings()) as session:
        client = OAIClient(base + "/oai", session)
        identify = client.identify()
        assert identify.granularity == "YYYY-MM-DD" and identify.deleted_record == "persistent"
        assert len(client.list_sets()) == 131


def test_pages_without_records_stop_the_run():
    seen_agents: list[str] = []
    identify = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate>'
        b'<Identify><repositoryName>Empty</repositoryName><baseURL>http://127.0.0.1/oai</baseURL>'
        b'<protocolVersion>2.0</protocolVersion><adminEmail>a@example.org</adminEmail>'
        b'<earliestDatestamp>2000-01-01</earliestDatestamp><deletedRecord>no</deletedRecord>'
        b'<granularity>YYYY-MM-DD</granularity></Identify></OAI-PMH>'
    )

    def app(environ, start_response):
        seen_agents.append(environ.get("HTTP_USER_AGENT", ""))
        params = parse_qs(environ["QUERY_STRING"])
        if params["verb"][0] == "Identify":
            body = identify
        else:
            step = int(params.get("resumptionToken", ["0"])[0]) + 1
            body = (
                '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z'
                f"</responseDate><ListRecords><resumptionToken>{step}</resumptionToken></ListRecords></OAI-PMH>"
            ).encode()
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [body]

    with serve_wsgi(app) as base, pytest.raises(ResumptionLoop) as caught:
        list(harvest(make_source("oai-pmh", url=base + "/oai", max_empty_pages=3, **FAST), HarvestOptions()))
    assert caught.value.code == "harvest.oai.no_progress"
    # Identify + 3 empty pages, and the pages fetched ahead meanwhile (at most two).
    assert 4 <= len(seen_agents) <= 6
    assert all(agent.startswith("culturedata/") and "+https://" in agent for agent in seen_agents)

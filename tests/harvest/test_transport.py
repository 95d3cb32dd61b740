"""The HTTP session every network harvester shares."""

from __future__ import annotations

import time
from email.utils import formatdate

from harvest_peers import serve_wsgi

from culturedata.harvest.transport import USER_AGENT, CappedRetry, HarvestSession, HttpSettings


def test_a_long_retry_after_is_capped_in_both_forms():
    retry = CappedRetry(total=1)
    retry.max_wait = 2.0
    assert retry.parse_retry_after("3600") == 2.0
    assert retry.parse_retry_after(formatdate(time.time() + 3600, usegmt=True)) == 2.0
    assert retry.new(total=0).max_wait == 2.0


def test_429_is_retried_and_the_agent_is_named():
    calls: list[str] = []

    def app(environ, start_response):
        calls.append(environ.get("HTTP_USER_AGENT", ""))
        if len(calls) < 3:
            start_response("429 Too Many Requests", [("Retry-After", "0")])
            return [b""]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    with serve_wsgi(app) as base, HarvestSession(HttpSettings(backoff=0.01)) as session:
        response = session.fetch(base + "/")
        assert response.status_code == 200 and response.text == "ok"
    assert calls == [USER_AGENT] * 3

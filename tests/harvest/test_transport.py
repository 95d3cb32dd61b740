"""The HTTP session every network harvester shares."""

from __future__ import annotations

import base64
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


def test_a_netrc_login_is_sent_to_its_host_only_and_read_once(tmp_path, monkeypatch):
    """requests' own behaviour (credentials from ~/.netrc, or the file NETRC names), kept while
    the session looks the file up once per host instead of on every request."""
    seen: list[str | None] = []

    def app(environ, start_response):
        seen.append(environ.get("HTTP_AUTHORIZATION"))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login musee password secret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with serve_wsgi(app) as base, HarvestSession(HttpSettings()) as session:
        session.fetch(base + "/a").close()
        netrc.write_text("", encoding="utf-8")  # read once: a later change is not seen in this session
        session.fetch(base + "/b").close()
        session.fetch(base.replace("127.0.0.1", "localhost") + "/c").close()  # another host: no login
    expected = "Basic " + base64.b64encode(b"musee:secret").decode()
    assert seen == [expected, expected, None]

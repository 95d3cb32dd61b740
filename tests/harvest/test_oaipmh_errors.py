"""OAI-PMH error documents as servers really send them: after blank lines, with a 200 or a 400
status, as `text/html`. The server's own code and message reach the user (exit 3) at once;
only a page that is genuinely unreadable is read again."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
from harvest_peers import FAST, make_source, serve_wsgi

from culturedata.errors import OAIProtocolError
from culturedata.harvest import HarvestOptions, harvest
from culturedata.harvest.oaipmh import error_document, xml_start

IDENTIFY = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2026-12-07T10:00:00Z</responseDate>
  <request verb="Identify">http://127.0.0.1/oai</request>
  <Identify><repositoryName>Essai</repositoryName><baseURL>http://127.0.0.1/oai</baseURL>
  <protocolVersion>2.0</protocolVersion><adminEmail>a@example.org</adminEmail>
  <earliestDatestamp>2000-01-01</earliestDatestamp><deletedRecord>no</deletedRecord>
  <granularity>YYYY-MM-DD</granularity></Identify>
</OAI-PMH>"""

# What a PHP repository prints when an included file ends with a blank line: the body starts
# before the XML declaration, which libxml2 refuses ("XML declaration allowed only at the start").
WRONG_PREFIX = b"""

<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2026-12-07T10:00:00Z</responseDate>
  <request verb="ListRecords" metadataPrefix="edm">http://127.0.0.1/oai</request>
  <error code="cannotDisseminateFormat">wrong metadata prefix</error>
</OAI-PMH>
"""


class Repository:
    """Identify answers well; every list request gets `body` with `status` and `content_type`."""

    def __init__(self, body: bytes, status: str = "200 OK", content_type: str = "text/xml; charset=utf-8") -> None:
        self.body, self.status, self.content_type = body, status, content_type
        self.lists = 0

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        verb = parse_qs(environ.get("QUERY_STRING", "")).get("verb", [""])[0]
        if verb == "Identify":
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [IDENTIFY]
        self.lists += 1
        start_response(self.status, [("Content-Type", self.content_type)])
        return [self.body]


def run(url: str, **options: object) -> list:
    source = make_source("oai-pmh", url=url + "/oai", metadata_prefix="edm", **{**FAST, **options})
    return list(harvest(source, HarvestOptions()))


@pytest.mark.parametrize(
    ("status", "content_type"),
    [("200 OK", "text/xml; charset=utf-8"), ("400 Bad Request", "text/xml"), ("200 OK", "text/html; charset=utf-8")],
)
def test_an_error_document_after_blank_lines_is_the_servers_answer_not_retried(status, content_type):
    repository = Repository(WRONG_PREFIX, status, content_type)
    with serve_wsgi(repository) as url, pytest.raises(OAIProtocolError) as caught:
        run(url, page_attempts=3)
    assert caught.value.params["oai_code"] == "cannotDisseminateFormat"
    assert caught.value.params["detail"] == "wrong metadata prefix"
    assert caught.value.code == "harvest.oai.refused.cannot_disseminate_format"
    assert caught.value.exit_code == 3
    assert repository.lists == 1  # asked once: the answer was read, not retried


def test_a_genuinely_unreadable_page_is_still_read_again():
    repository = Repository(b"\n\n<html><body>Service temporarily overloaded</body></html>", "200 OK", "text/xml")
    with serve_wsgi(repository) as url, pytest.raises(OAIProtocolError) as caught:
        run(url, page_attempts=3)
    assert caught.value.code == "harvest.oai.bad_response"
    assert repository.lists == 3


def test_an_unknown_error_code_keeps_the_servers_words():
    body = WRONG_PREFIX.replace(b'code="cannotDisseminateFormat"', b'code="internalFault"')
    with serve_wsgi(Repository(body)) as url, pytest.raises(OAIProtocolError) as caught:
        run(url)
    assert caught.value.code == "harvest.oai.error"
    assert "internalFault" in str(caught.value) and "wrong metadata prefix" in str(caught.value)


def test_the_cli_says_the_servers_error_in_french_with_exit_3(tmp_path):
    config = tmp_path / "culturedata.toml"
    with serve_wsgi(Repository(WRONG_PREFIX, "400 Bad Request")) as url:
        config.write_text(
            f'[store]\npath = "var/store"\n\n[[sources]]\nid = "oai"\nname = "Essai"\nkind = "oai-pmh"\n'
            f'url = "{url}/oai"\nmapping = "lido"\noptions = {{ metadata_prefix = "edm", backoff = 0.01, retries = 1 }}\n',
            encoding="utf-8",
        )
        done = subprocess.run(
            [sys.executable, "-m", "culturedata", "--config", str(config), "--lang", "fr", "harvest", "oai"],
            capture_output=True, text=True, timeout=120, env={"PATH": ""},
        )
    assert done.returncode == 3, done.stderr
    assert "« cannotDisseminateFormat »" in done.stderr and "wrong metadata prefix" in done.stderr
    assert "metadata_prefix" in done.stderr and "Traceback" not in done.stderr
    assert "not well-formed" not in done.stderr


@pytest.mark.parametrize("lead", [b"", b"\n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n  "])
def test_the_document_starts_at_its_first_tag(lead):
    assert xml_start(lead + b"<?xml version='1.0'?><a/>") == b"<?xml version='1.0'?><a/>"
    assert error_document(lead + WRONG_PREFIX) == ("cannotDisseminateFormat", "wrong metadata prefix")


def test_a_page_that_only_mentions_error_is_no_error_document():
    assert error_document(IDENTIFY.replace(b"Essai", b"error")) is None
    assert error_document(b"<html><body>error</body></html>") is None


def test_every_protocol_error_is_explained_in_both_languages():
    from culturedata.harvest.oaipmh import OAI_ERRORS
    from culturedata.messages import catalogue

    assert len(OAI_ERRORS) == 8  # OAI-PMH 2.0, section 3.6
    for code in OAI_ERRORS.values():
        assert set(catalogue()[code]) == {"fr", "en"}, code

"""The drop guard over a CSV export fetched by URL with ETag / 304, on a real server on 127.0.0.1.

A run refused by the drop guard must not let the next one take the smaller export for granted:
if the refused run's ETag became the source's state, the next run would be answered
`304 Not Modified`, harvest nothing, and report the source as fine while the museum's loss
waits unseen (the guard bypassed). Only a run that publishes moves the validators on."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "harvest"))
from harvest_peers import serve_wsgi  # noqa: E402

from kill_peers import Catalogue, CsvPeer, Environ, StartResponse, write_config  # noqa: E402


class RecordingPeer(CsvPeer):
    """The export, remembering the `If-None-Match` of each request and what it answered."""

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__(catalogue)
        self.answers: list[tuple[str | None, str]] = []

    def answer(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        status: list[str] = []

        def recording(line: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            status.append(line.split()[0])
            return start_response(line, headers, *rest)

        body = super().answer(environ, recording)
        self.answers.append((environ.get("HTTP_IF_NONE_MATCH"), status[0]))
        return body


@pytest.fixture
def export(tmp_path: Path) -> Iterator[tuple[RecordingPeer, Path]]:
    catalogue = Catalogue()
    catalogue.change(random.Random(0), new=20, updated=0)
    peer = RecordingPeer(catalogue)
    with serve_wsgi(peer) as base:
        write_config(tmp_path, peer, base)
        yield peer, tmp_path


def source_report(project: Path) -> dict[str, Any]:
    latest = sorted((project / "var/store/reports").glob("run-*.json"))[-1]
    report: dict[str, Any] = json.loads(latest.read_text(encoding="utf-8"))["sources"][0]
    return report


def test_the_guard_still_applies_when_the_export_is_unchanged_after_a_refused_run(
    export: tuple[RecordingPeer, Path], cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    peer, project = export
    monkeypatch.chdir(project)
    assert cli("run").code == 0
    assert source_report(project)["published"] == 20

    with peer.catalogue.lock:  # the museum's export loses half its records
        for key in sorted(peer.catalogue.records)[:10]:
            del peer.catalogue.records[key]
    first = cli("run")
    assert first.code == 4, first.err
    assert source_report(project)["refused"] is True and source_report(project)["published"] == 20

    again = cli("run")  # nothing changed at the museum: the same loss must be refused again, not 304
    assert again.code == 4, again.err
    report = source_report(project)
    assert report["refused"] is True and report["harvested"] == 10 and report["published"] == 20

    accepted = cli("run", "--allow-drop", "kt")  # the steward confirms the loss
    assert accepted.code == 0, accepted.err
    assert source_report(project)["published"] == 10 and source_report(project)["deleted"] == 10

    quiet = cli("run")  # now, and only now, the export is known: 304 and nothing to do
    assert quiet.code == 0, quiet.err
    report = source_report(project)
    assert report["harvested"] == 0 and report["published"] == 10 and report["refused"] is False
    # What each run sent and got: the refused runs sent the ETag of the published export, never their own.
    first_etag, smaller_etag = peer.answers[1][0], peer.answers[-1][0]
    assert first_etag is not None and smaller_etag not in (None, first_etag)
    assert peer.answers == [(None, "200"), (first_etag, "200"), (first_etag, "200"), (first_etag, "200"),
                            (smaller_etag, "304")]

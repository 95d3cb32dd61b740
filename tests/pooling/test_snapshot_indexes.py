"""Every snapshot a command serves has its search index (`search.sqlite`), not only a run's:
takedown, restore, load and rollback (plain and reissue) publish theirs, so /search and
/reconcile answer instead of 503, and a withdrawn record cannot be found. Through the real
command line, with the real server answering over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

BASE = "http://127.0.0.1:8000/"
BOUCHARD = f"{BASE}id/musee-fjord-bleu/personne/helene-bouchard"
SCHOONER = f"{BASE}id/musee-fjord-bleu/objet/10001"  # « Goélette "Marie-Clarisse" à quai »


def found(server: str, text: str) -> list[str]:
    answer = httpx.get(f"{server}/search", params={"q": text, "format": "json"}, trust_env=False, timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    reconciled = httpx.get(f"{server}/reconcile", params={"queries": json.dumps({"q": {"query": text}})},
                           trust_env=False, timeout=30)
    assert reconciled.status_code == 200, reconciled.text[:300]
    return [result["id"] for result in answer.json()["results"]]


def served(project: Path) -> Path:
    return (project / "var/store/current").resolve()


def test_every_snapshot_a_command_serves_can_be_searched(cli, demo_project: Path, project_server: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("run").code == 1  # the demo's deliberate defects
    run = served(demo_project).name
    assert SCHOONER in found(project_server, "Marie-Clarisse")

    assert cli("takedown", "musee-fjord-bleu:10001", "--reason", "Demande de l'ayant droit").code == 0
    assert SCHOONER not in found(project_server, "Marie-Clarisse")
    assert BOUCHARD in found(project_server, "Bouchard")

    backup = demo_project / "backup.nq"
    assert cli("dump", "-o", str(backup)).code == 0
    restored = cli("restore", str(backup))
    assert restored.code == 0, restored.err
    assert BOUCHARD in found(project_server, "Bouchard")
    from_restore = served(demo_project).name

    # Back to the run's snapshot, which still holds the withdrawn record: a reissue, with its own index.
    back = cli("rollback", run)
    assert back.code == 0, back.err
    assert served(demo_project).name == f"{run}-1"
    assert SCHOONER not in found(project_server, "Marie-Clarisse")
    assert BOUCHARD in found(project_server, "Bouchard")

    # A snapshot without an index (as an older version published them) gets one before it is served again.
    (demo_project / "var/store/snapshots" / from_restore / "search.sqlite").unlink()
    assert cli("rollback", from_restore).code == 0
    assert served(demo_project).name == from_restore
    assert BOUCHARD in found(project_server, "Bouchard")

    extra = demo_project / "extra.nq"
    extra.write_text(f'<{BASE}id/extra/personne/z> <http://schema.org/name> "Zéphirin Lafleur" <{BASE}graph/extra/1> .\n',
                     encoding="utf-8")
    assert cli("load", str(extra)).code == 0
    assert found(project_server, "Zephirin") == [f"{BASE}id/extra/personne/z"]

"""A nightly run over an export saved in another encoding than its source declares: the rows are
read in the likely encoding and published with their real text; the file's own finding, which
says so, is the source's (a violation: the run reports it until the export or the option is fixed),
never a record: it is neither quarantined nor counted in the source's quality."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

CSV = Path("sample_inputs/musee-fjord-bleu/collection.csv")
FJORD = "musee-fjord-bleu"
BASE = "http://127.0.0.1:8000/"
SYSTEM = ox.NamedNode(BASE + "graph/system")
RUN = "https://w3id.org/culturedata/ns/run#"


def test_a_utf8_export_under_a_windows_1252_source_publishes_real_text(cli, demo_project: Path) -> None:
    assert cli("run").code == 1  # the demo data has quarantined records on purpose
    before = json.loads(sorted((demo_project / "var/store/reports").glob("run-*.json"))[-1].read_text("utf-8"))
    path = demo_project / CSV
    path.write_bytes(path.read_bytes().decode("cp1252").encode("utf-8"))

    assert cli("run").code == 1
    report = json.loads(sorted((demo_project / "var/store/reports").glob("run-*.json"))[-1].read_text("utf-8"))
    fjord = next(s for s in report["sources"] if s["source"] == FJORD)
    earlier = next(s for s in before["sources"] if s["source"] == FJORD)
    assert fjord["rules"]["encoding"] == 1
    [said] = [f for f in fjord["findings"] if f["rule"] == "encoding"]
    assert said["severity"] == "violation" and said["record"] == "collection.csv" and fjord["errors"] == 1
    # About the file, not a record: the records' figures are those of the Windows-1252 export.
    for figure in ("quarantined", "published", "harvested", "quality"):
        assert fjord[figure] == earlier[figure], figure
    assert fjord["changed"] == 0  # the rows read the same as the Windows-1252 export's
    store = ox.Store.read_only(str(demo_project / "var" / "store" / "current"))
    names = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode("http://schema.org/name"), None)
             if isinstance(q.object, ox.Literal)}
    assert "Goélette « Marie-Clarisse » à quai, La Baie" in names
    assert not any("Ã" in name for name in names)
    status = list(store.quads_for_pattern(ox.NamedNode(f"{BASE}graph/{FJORD}/collection.csv"),
                                          ox.NamedNode(RUN + "status"), None, SYSTEM))
    assert status == []  # no record of that name was ever stored

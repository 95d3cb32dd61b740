"""A split record's tree (xmlsplit.py, `SourceRecord.tree`) maps exactly as its bytes do.

The mapper reads the tree the harvester parsed instead of parsing the payload again; that is
only right if the two give the same triples, in the same order, and the same findings (whose
locations count lines within the record). Each case harvests a real file, maps every record
once as harvested and once with its tree taken away, and compares.
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest
from harvest_peers import make_source, sample, shared

from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import Coverage, MappingContext, load_mapping, map_record
from culturedata.records import SourceRecord, content_hash

CONTEXT = MappingContext.for_source("http://127.0.0.1:8000/", "test-source", "fr")

# Resolved inside the test: a missing file is a skip there, but an error at collection.
REAL_LIDO = {
    "demo": lambda: sample("musee-anse-aux-brumes", "lido.xml"),
    "kenom-oai": lambda: shared("lido", "kenom_oai_chunk20.xml"),
    "fontana": lambda: shared("lido", "LIDO-Example_FMobj20344012-Fontana_del_Moro.xml"),
    "fontana-1.1": lambda: shared("lido", "LIDO-v1.1-Example_FMobj20344012-Fontana_del_Moro.xml"),
    "primavera": lambda: shared("lido", "LIDO-Example_FMobj00154983-LaPrimavera.xml"),
    "primavera-1.1": lambda: shared("lido", "LIDO-v1.1-Example_FMobj00154983-LaPrimavera.xml"),
    "minimal": lambda: shared("lido", "minimaldatensatz.xml"),
}


def harvested(path: Path) -> list[SourceRecord]:
    return list(harvest(make_source("xml", path=path), HarvestOptions()))


@pytest.mark.parametrize("name", REAL_LIDO)
def test_a_record_maps_from_its_tree_as_from_its_bytes(name: str) -> None:
    records = harvested(REAL_LIDO[name]())
    assert records and all(r.tree is not None for r in records)  # every record of a regular file is split
    for fast_paths in (True, False):
        mapping = load_mapping("lido", fast_paths=fast_paths)
        from_trees, from_bytes = Coverage(mapping), Coverage(mapping)
        for record in records:
            ours = map_record(mapping, record, CONTEXT, coverage=from_trees)
            again = map_record(mapping, replace(record, tree=None), CONTEXT, coverage=from_bytes)
            assert ours.ntriples == again.ntriples, record.local_id
            assert ours.findings == again.findings, record.local_id
        assert from_trees.findings("test-source") == from_bytes.findings("test-source")


def test_the_tree_is_the_payload_alone() -> None:
    """A document of its own, counting lines from the payload's first, as a parse of the payload."""
    for record in harvested(sample("musee-anse-aux-brumes", "lido.xml")):
        tree = record.tree
        assert tree is not None and tree.getparent() is None and tree.getroottree().getroot() is tree
        assert tree.sourceline == 1
        assert isinstance(record.payload, bytes) and record.content_hash == content_hash(record.payload)


def test_a_record_crosses_to_another_process_as_bytes() -> None:
    """An element cannot be pickled: the record goes without its tree, and maps the same."""
    mapping = load_mapping("lido")
    record = harvested(sample("musee-anse-aux-brumes", "lido.xml"))[0]
    crossed = pickle.loads(pickle.dumps(record))
    assert crossed.tree is None and crossed == record
    assert map_record(mapping, crossed, CONTEXT).ntriples == map_record(mapping, record, CONTEXT).ntriples


def test_a_streamed_record_goes_as_bytes(tmp_path: Path) -> None:
    """A file the split reader cannot follow is streamed: its elements belong to the whole file's
    tree (its lines, its ancestors), so no record carries one."""
    path = tmp_path / "dump.xml"
    path.write_bytes(
        '<?xml version="1.0" encoding="ISO-8859-1"?><wrap xmlns:lido="http://www.lido-schema.org">'
        "<lido:lido><lido:lidoRecID>é</lido:lidoRecID></lido:lido></wrap>".encode("latin-1")
    )
    [record] = harvested(path)
    assert record.local_id == "é" and record.tree is None

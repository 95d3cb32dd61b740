"""MappedRecord: its graph given as N-Triples text or as pyoxigraph triples reads the same both ways."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pyoxigraph as ox

from culturedata.records import MappedRecord, NTriples

TEXT = '<http://x.test/s> <http://schema.org/name> "Berceau"@fr .\n<http://x.test/s> <http://schema.org/name> "a \\"b\\""@fr .\n'
TRIPLES = tuple(q.triple for q in ox.parse(TEXT, format=ox.RdfFormat.N_TRIPLES))


def test_text_reads_as_triples_and_triples_as_text() -> None:
    from_text = MappedRecord("s", "1", "http://x.test/g", NTriples(TEXT), "h")
    from_terms = MappedRecord("s", "1", "http://x.test/g", TRIPLES, "h")
    assert from_text.triples == TRIPLES
    assert from_text.ntriples == TEXT and from_text.has_triples and from_text.triple_count == 2
    assert set(ox.parse(from_terms.ntriples, format=ox.RdfFormat.N_TRIPLES)) == {ox.Quad(*t) for t in TRIPLES}
    assert from_terms.triple_count == 2 and from_terms == from_text
    assert repr(from_text) == "<MappedRecord s:1 2 triples>"


def test_replace_and_pickle_keep_one_consistent_graph() -> None:
    record = MappedRecord("s", "1", "http://x.test/g", NTriples(TEXT), "h")
    emptied = replace(record, triples=())
    assert not emptied.has_triples and emptied.ntriples == "" and emptied.triples == ()
    renamed = replace(record, local_id="2")
    assert renamed.triples == TRIPLES and renamed.key == "s:2"
    copied = pickle.loads(pickle.dumps(record))
    assert copied.ntriples == TEXT and copied.triples == TRIPLES
    empty = MappedRecord("s", "1", "http://x.test/g", NTriples(""), "h")
    assert not empty.has_triples and empty.triples == () and empty.triple_count == 0


def test_of_text_makes_the_record_the_constructor_makes() -> None:
    # The mapper's shortcut past the frozen __init__ (issue 16): nothing that reads, compares,
    # hashes, copies or pickles a record may tell the two apart.
    args = ("s", "1", "http://x.test/g", NTriples(TEXT), "h", "file.csv", "line 3", None, False, ())
    made = MappedRecord(*args[:4], content_hash="h", origin="file.csv", location="line 3")
    fast = MappedRecord.of_text(*args)
    assert fast == made and hash(fast) == hash(made) and repr(fast) == repr(made)
    assert list(vars(fast).items()) == list(vars(made).items())
    assert pickle.dumps(fast) == pickle.dumps(made) and pickle.loads(pickle.dumps(fast)) == made
    assert fast.triples == made.triples and replace(fast, local_id="2") == replace(made, local_id="2")
    assert MappedRecord.of_text(*args[:3], NTriples(""), *args[4:]) != made

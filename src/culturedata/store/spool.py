"""A store's pending additions, written as N-Quads and loaded in as few ingests as possible.

Past a few thousand quads a load into Oxigraph is a `bulk_load`: one new SST file per index
per million quads, ingested into RocksDB (which copies it: `bulk_load` writes twice what it
adds). A file whose keys overlap a file already in the store is merged with it later, by
RocksDB or by `optimize()`, and a merged file is written again, uncompressed at the sizes we
load (the column families' `compression_per_level` leaves the first levels below level 0
uncompressed), where `bulk_load` writes its files LZ4-compressed. Four bulk loads per batch
(record graphs, facts, and the default graph's copies of both, merged.py) and `optimize()` at
publication left a first run's store at 1.48x the size of one `bulk_load` of the same quads,
having written 3.4x its size (docs/benchmarks.md, issue 20).

So the additions are kept as two documents: what goes to named graphs, and the default
graph's copies. The named graphs' indexes and the default graph's are apart in the store, so
the two documents' files never overlap one another. A deferring target
(`EmbeddedTarget(defer=True)`, a run's) keeps adding batches until the store must be read, something is removed, or it holds a
million lines (`HELD_LINES`, target.py: `bulk_load`'s memory grows with its document): a first
run into an empty staging store is then one `bulk_load` per document and million lines, files
little has to merge. Held back, the text is compressed (gzip level 1: a
fifteenth of the size, for about 0.4 CPU-s each way per 165 MB) in unnamed temporary files,
which a killed run leaves nothing of.

Blank nodes: Oxigraph gives a loaded document's blank nodes fresh names, the same label the
same node within one document. So the copies of triples with blank nodes (`Batch.tied`, and
facts holding one) go into the named graphs' document, beside the triples they copy.
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from culturedata.store.loader import Batch

# Past this many lines a document is bulk-loaded (new SST files, no transaction); below it, a
# transaction through the memtable costs less than a set of tiny files.
BULK_LINES = 20_000


class Spool:
    """Additions not yet in the store: in memory, or `on_disk` in compressed temporary files
    in `folder` (None: the system's temporary folder)."""

    def __init__(self, *, on_disk: bool = False, folder: Path | None = None) -> None:
        self.named = _Document(on_disk, folder)
        self.copies = _Document(on_disk, folder)

    def __len__(self) -> int:
        return self.named.lines + self.copies.lines

    def add(self, batch: Batch) -> None:
        """The batch's additions: named graphs and facts as they are, and each triple of a named
        graph again in the default graph (the merge, merged.py)."""
        named = [q for q in batch.quads if not isinstance(q.graph_name, ox.DefaultGraph)]
        tied = [q for q in named if _has_blank_node(q)]
        plain = [q for q in named if not _has_blank_node(q)] if tied else named
        self.named.write(batch.lines + len(batch.quads), "".join(batch.text).encode(),
                         _serialised(batch.quads, ox.RdfFormat.N_QUADS))
        if batch.tied or tied:
            self.named.write(sum(t.count("\n") for t in batch.tied) + len(tied), "".join(batch.tied).encode(),
                             _serialised([q.triple for q in tied], ox.RdfFormat.N_TRIPLES))
        self.copies.write(sum(t.count("\n") for t in batch.triples) + len(plain), "".join(batch.triples).encode(),
                          _serialised([q.triple for q in plain], ox.RdfFormat.N_TRIPLES))

    def load_into(self, store: ox.Store) -> None:
        """Write everything held into `store`, named graphs first, and start empty again."""
        try:
            self.named.load_into(store)
            self.copies.load_into(store)
        finally:
            self.discard()

    def discard(self) -> None:
        """Forget what is held (the temporary files go with it)."""
        self.named.discard()
        self.copies.discard()


class _Document:
    """One N-Quads document being written, in memory or compressed in a temporary file."""

    def __init__(self, on_disk: bool, folder: Path | None) -> None:
        self.on_disk = on_disk
        self.folder = folder
        self.lines = 0
        self._text: list[bytes] = []
        self._file: IO[bytes] | None = None
        self._zip: gzip.GzipFile | None = None

    def write(self, lines: int, *parts: bytes) -> None:
        self.lines += lines
        if not self.on_disk:
            self._text.extend(parts)
            return
        if self._zip is None:
            # held open across batches, closed by discard(): no `with` block can hold it
            self._file = tempfile.TemporaryFile(dir=self.folder, prefix="spool-")  # noqa: SIM115
            self._zip = gzip.GzipFile(fileobj=self._file, mode="wb", compresslevel=1)
        for part in parts:
            self._zip.write(part)

    def load_into(self, store: ox.Store) -> None:
        if not self.lines:
            return
        load = store.bulk_load if self.lines > BULK_LINES else store.load
        if self._zip is not None and self._file is not None:
            self._zip.close()  # writes the gzip trailer; the file stays open
            self._file.seek(0)
            with gzip.GzipFile(fileobj=self._file, mode="rb") as text:
                # a GzipFile reads as any binary file; typeshed only calls it a BufferedIOBase
                load(input=cast("IO[bytes]", text), format=ox.RdfFormat.N_QUADS)
        else:
            load(input=b"".join(self._text), format=ox.RdfFormat.N_QUADS)

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        self._text, self._file, self._zip, self.lines = [], None, None, 0


def _has_blank_node(quad: ox.Quad) -> bool:
    # a triple term may hold one too
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode | ox.Triple)


def _serialised(terms: list[ox.Quad] | list[ox.Triple], format: ox.RdfFormat) -> bytes:
    if not terms:
        return b""
    text = ox.serialize(terms, format=format)
    assert text is not None  # no output file given: pyoxigraph returns the bytes
    return text

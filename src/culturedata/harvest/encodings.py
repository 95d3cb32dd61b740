"""Which encoding a text export is really in, and whether the one declared for it is right.

Museum staff save "CSV UTF-8" from Excel (a byte-order mark), plain CSV from Excel on Windows
(Windows-1252), or from an old Mac (Mac OS Roman); the source's `encoding` option is often
someone's guess. A wrong guess used to pass in silence: UTF-8 read as Windows-1252 decodes
without an error, to `Ã©` where `é` was, and every record "conformed". So:

- a byte-order mark always wins (it cannot be anything else), whatever is declared;
- `auto` (or no `encoding`): UTF-8 when the whole file decodes as UTF-8, else the likeliest
  of the single-byte encodings museums' tools write (charset-normalizer decides, on the
  lines that hold non-ASCII bytes);
- a declared encoding the bytes do not decode in, or decode to text that reads as mojibake
  (valid UTF-8 declared as single-byte, or text far messier than the detector's choice), is
  a `Mismatch`: the file is read in the likely encoding, so that the rest of the report
  speaks of the real values, and the harvester reports the mismatch once for the file.

One streaming pass over the bytes (C-speed decoders), keeping only a small sample of the
lines with non-ASCII bytes for the detector: a large file is never held in memory.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import IO

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

CHUNK = 1 << 20
SAMPLE = 64 * 1024  # bytes of non-ASCII lines given to the detector
WINDOW = 2048  # bytes kept around each non-ASCII stretch
AUTO = ("", "auto")
# What museum tools write when they do not write UTF-8 (Excel on Windows, old Macs, DOS-era
# collection software, ISO Latin-9); the detector chooses only among these.
CANDIDATES = ("utf_8", "cp1252", "mac_roman", "cp850", "iso8859_15")
# How much messier (charset-normalizer's mess ratio, 0 to 1) the declared reading must be than
# the detector's before it is called mojibake: Windows-1252 and Latin-9 read the same French
# text within 0.01 of each other; a wrong single-byte reading of French is 0.1 or more.
MESS_MARGIN = 0.05
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_NON_ASCII = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The declared encoding is wrong for these bytes. `problem`: "undecodable" (the bytes do
    not decode in it) or "mojibake" (they decode, to garbled text)."""

    declared: str
    problem: str
    likely: str


@dataclass(frozen=True, slots=True)
class Reading:
    """How to decode the file: `encoding` with `errors`, and what was wrong with the declared one."""

    encoding: str
    errors: str = "strict"
    mismatch: Mismatch | None = None


def choose(handle: IO[bytes], declared: str) -> Reading:
    """The encoding to read `handle` (at its start) in, given the `declared` one ("" or "auto": none)."""
    head = handle.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return Reading(name)
    wanted = None if declared.lower() in AUTO else canonical(declared)
    if wanted == "utf-8-sig":  # without its mark, as checked above: plain UTF-8
        wanted = "utf-8"
    scan = _scan(head, handle, wanted)
    if wanted is None:
        if scan.utf8:
            return Reading("utf-8")
        return Reading(_likely(scan.sample), "replace")
    if not scan.non_ascii or (wanted == "utf-8" and scan.utf8):
        return Reading(wanted)
    if wanted != "utf-8" and scan.utf8:
        return Reading("utf-8", mismatch=Mismatch(declared, "mojibake", "utf-8"))
    likely = _likely(scan.sample)
    if not scan.declared_ok:
        return Reading(likely, "replace", Mismatch(declared, "undecodable", likely))
    if likely != wanted and _mess(scan.sample, wanted) > _mess(scan.sample, likely) + MESS_MARGIN:
        return Reading(likely, "replace", Mismatch(declared, "mojibake", likely))
    return Reading(wanted)


def canonical(encoding: str) -> str:
    """Python's name for an encoding ("CP-1252" → "cp1252"); an unknown name is an error."""
    return codecs.lookup(encoding).name


def known(encoding: str) -> bool:
    if encoding.lower() in AUTO:
        return True
    try:
        canonical(encoding)
    except LookupError:
        return False
    return True


@dataclass(slots=True)
class _Scan:
    utf8: bool = True
    declared_ok: bool = True
    non_ascii: bool = False
    sample: bytes = b""


def _scan(head: bytes, handle: IO[bytes], declared: str | None) -> _Scan:
    scan = _Scan()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    other = codecs.getincrementaldecoder(declared)() if declared not in (None, "utf-8") else None
    sample = bytearray()
    chunk = head
    while chunk:
        if scan.utf8:
            scan.utf8 = _decodes(utf8, chunk)
        if other is not None and scan.declared_ok:
            scan.declared_ok = _decodes(other, chunk)
        if not chunk.isascii():
            scan.non_ascii = True
            _keep(sample, chunk)
        chunk = handle.read(CHUNK)
    scan.utf8 = scan.utf8 and _decodes(utf8, b"", final=True)
    if other is not None and scan.declared_ok:
        scan.declared_ok = _decodes(other, b"", final=True)
    if declared == "utf-8":
        scan.declared_ok = scan.utf8
    scan.sample = bytes(sample)
    return scan


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    return True


def _keep(sample: bytearray, chunk: bytes) -> None:
    """Add the stretches of `chunk` around its non-ASCII bytes to `sample`, up to SAMPLE bytes."""
    position = 0
    while len(sample) < SAMPLE and (found := _NON_ASCII.search(chunk, position)):
        start = max(found.start() - WINDOW // 2, position)
        end = min(found.start() + WINDOW // 2, len(chunk))
        sample += chunk[start:end] + b"\n"
        position = end


def _likely(sample: bytes) -> str:
    """The detector's choice among CANDIDATES; Windows-1252, the usual Excel export, when it has none."""
    best = from_bytes(sample, cp_isolation=list(CANDIDATES)).best() if sample else None
    return canonical(best.encoding) if best is not None else "cp1252"


def _mess(sample: bytes, encoding: str) -> float:
    return mess_ratio(sample.decode(encoding, "replace"), maximum_threshold=1.0)


_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "mac-roman": "Mac OS Roman", "cp850": "DOS Latin-1 (CP850)",
           "iso8859-15": "ISO-8859-15 (Latin-9)", "latin-1": "ISO-8859-1 (Latin-1)", "iso8859-1": "ISO-8859-1 (Latin-1)"}


def label(encoding: str) -> str:
    """The name a person knows an encoding by ("Windows-1252" rather than "cp1252")."""
    try:
        name = canonical(encoding)
    except LookupError:
        return encoding
    return _LABELS.get(name, encoding)

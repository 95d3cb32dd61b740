"""Decompression bombs and nests for the limits' tests, made without ever holding what they decode to.

A gzip of 2 GiB of zeros is 2 MB; compressing the zeros would take zlib twenty seconds, so the
body is one compressed mebibyte repeated (after a full flush, zlib writes the same bytes for
the same input), closed by the gzip trailer of the whole.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from functools import cache
from pathlib import Path

MIB = 1 << 20
GIB = 1 << 30


@cache
def gzip_bomb(decoded: int = 2 * GIB) -> bytes:
    """A valid gzip stream of `decoded` zero bytes (a multiple of 1 MiB)."""
    zeros = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()[:-8]  # the final block, without the trailer of what was fed
    crc = 0
    for _ in range(decoded // MIB):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, decoded & 0xFFFFFFFF)
    return first + again * (decoded // MIB - 1) + end + trailer


def zip_bomb(path: Path, member: str, decoded: int, line: bytes = b"1,abc\n", header: bytes = b"id,titre\n") -> Path:
    """A zip whose one member is `header` then `line` repeated up to `decoded` bytes, written in pieces."""
    block = line * (MIB // len(line))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open(member, "w", force_zip64=True) as out:
        out.write(header)
        written = len(header)
        while written < decoded:
            out.write(block)
            written += len(block)
    return path


def nested_json(depth: int, inner: str = '"x"') -> str:
    """`depth` arrays, one inside the other."""
    return "[" * depth + inner + "]" * depth

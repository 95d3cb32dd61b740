"""Where the bytes of a file source come from: a file, a folder, a zip archive or a URL.

Every file harvester (CSV, JSON, XML) reads `Document`s and does not care which. A URL is
fetched with a conditional GET: the `ETag` / `Last-Modified` of the last complete harvest
are sent back, and a `304 Not Modified` means there is nothing to harvest tonight. The
validators are stored only once every record of the download was taken, so an interrupted
run fetches the file again. Downloads stream to a temporary file, never into memory.

A zip archive is read only when its members, as its directory declares them, decode to at
most `max_decoded_bytes` together and at most `max_ratio` times the archive's size (once past
a few megabytes): zipfile never decodes a member past its declared size, so the declared sizes
bound what is read (limits.py). A download is bounded the same way as it arrives (transport.py).
"""

from __future__ import annotations

import fnmatch
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import requests

from culturedata.errors import ConfigError, InputError, SourceUnavailable
from culturedata.harvest.checkpoint import Checkpoint
from culturedata.harvest.limits import RATIO_AFTER, Limits
from culturedata.harvest.transport import HTTP_OPTIONS, HarvestSession, HttpSettings

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

log = logging.getLogger(__name__)

# Options every file kind accepts, besides its own.
FILE_OPTIONS: dict[str, tuple[Any, Any]] = {
    "files": (str, "*"),  # which files of a folder or zip archive to read (a glob, e.g. "**/*.json")
    **HTTP_OPTIONS,
}
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Document:
    """One file to parse. `name` is the record's origin: a path, a URL, or `archive.zip!member`.
    `part` is where it sits inside its source ("" for the source's own file or URL, else the
    path inside the folder or archive): what a record without an id is named by, so that moving
    the source's file does not rename its records."""

    name: str
    path: Path
    member: str | None = None
    part: str = ""

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        try:
            if self.member is None:
                with self.path.open("rb") as handle:
                    yield handle
            else:
                with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as handle:
                    yield handle
        except OSError as exc:
            raise InputError("harvest.unreadable", path=self.name, detail=exc.strerror or exc) from exc
        except zipfile.BadZipFile as exc:  # also a member longer than declared (its CRC fails)
            raise InputError("harvest.unreadable", path=self.name, detail=exc) from exc

    def read(self) -> bytes:
        with self.open() as handle:
            return handle.read()

    def size(self) -> int:
        """Bytes of the (uncompressed) document."""
        try:
            if self.member is None:
                return self.path.stat().st_size
            with zipfile.ZipFile(self.path) as archive:
                return archive.getinfo(self.member).file_size
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise InputError("harvest.unreadable", path=self.name, detail=exc) from exc


def documents(source: Source, opts: dict[str, Any], options: HarvestOptions, archives: bool = True,
              ) -> Iterator[Document]:
    """The documents of `source`, from `path` if it has one, else from `url`. `archives=False`:
    a zip file is a document itself (a spreadsheet is one), not a folder of them."""
    if source.path is not None:
        limits = Limits.from_options(opts, source.where)
        yield from _local(source.path, source.path.name, opts["files"], limits, archives)
    elif source.url:
        yield from _remote(source, opts, options, archives)
    else:
        raise ConfigError("harvest.needs_path", where=source.where)


def _local(path: Path, name: str, pattern: str, limits: Limits | None = None, archives: bool = True,
           part: str = "") -> Iterator[Document]:
    limits = limits or Limits()
    if path.is_dir():
        found = sorted(p for p in path.glob(pattern) if p.is_file())
        for file in found:
            yield from _local(file, str(file.relative_to(path)), "*", limits, archives, str(file.relative_to(path)))
        return
    if not path.exists():
        raise InputError("harvest.unreadable", path=path, detail="not found")
    if archives and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not m.is_dir() and fnmatch.fnmatch(m.filename, pattern)]
        except (OSError, zipfile.BadZipFile) as exc:
            raise InputError("harvest.unreadable", path=name, detail=exc) from exc
        check_archive(name, path, members, limits)
        for member in sorted(m.filename for m in members):
            yield Document(name=f"{name}!{member}", path=path, member=member,
                           part=f"{part}!{member}" if part else member)
        return
    yield Document(name=str(path) if name == path.name else name, path=path, part=part)


def check_archive(name: str, path: Path, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse a zip whose members would decode past the limits, before decoding any."""
    decoded = sum(m.file_size for m in members)
    if decoded > limits.max_decoded_bytes:
        raise InputError("harvest.limit.decoded", path=name, limit=limits.max_decoded_bytes)
    packed = max(path.stat().st_size, 1)
    if decoded > RATIO_AFTER and decoded > limits.max_ratio * packed:
        raise InputError("harvest.limit.ratio", path=name, ratio=f"{limits.max_ratio:g}", decoded=decoded,
                         packed=packed)


def _remote(source: Source, opts: dict[str, Any], options: HarvestOptions, archives: bool = True,
            ) -> Iterator[Document]:
    url = str(source.url)
    checkpoint = Checkpoint.of(options, source.id)
    headers: dict[str, str] = {}
    if not options.full:
        validators = checkpoint.validators(url)
        if "etag" in validators:
            headers["If-None-Match"] = validators["etag"]
        if "last_modified" in validators:
            headers["If-Modified-Since"] = validators["last_modified"]
    with HarvestSession(HttpSettings.from_options(opts)) as session:
        response = session.fetch(url, headers=headers, stream=True)
        with response:
            if response.status_code == 304:
                log.info("%s: %s not modified since the last harvest", source.id, url)
                return
            if response.status_code != 200:
                raise SourceUnavailable(
                    "harvest.http_status", url=url, status=response.status_code, reason=response.reason or ""
                )
            folder = Path(tempfile.mkdtemp(prefix="culturedata-"))
            try:
                target = folder / (Path(response.url.split("?")[0]).name or "download")
                try:
                    with target.open("wb") as out:
                        for chunk in response.iter_content(CHUNK):
                            out.write(chunk)
                except OSError as exc:
                    raise InputError("harvest.unreadable", path=target, detail=exc) from exc
                except requests.RequestException as exc:  # the body broke; the retries were spent
                    raise SourceUnavailable("harvest.unreachable", url=url, detail=str(exc)[:300]) from exc
                validators = {
                    key: response.headers[header]
                    for key, header in (("etag", "ETag"), ("last_modified", "Last-Modified"))
                    if header in response.headers
                }
                limits = Limits.from_options(opts, source.where)
                for document in _local(target, url, opts["files"], limits, archives):
                    yield Document(name=url if document.member is None else f"{url}!{document.member}",
                                   path=document.path, member=document.member, part=document.part)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    if validators:
        checkpoint.save_validators(url, validators)

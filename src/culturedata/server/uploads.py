"""An export posted to the validation page, streamed to a temporary folder under the upload limit.

The body is never read whole into memory: Starlette's multipart parser (python-multipart)
spools the file part to an unnamed temporary file while the limit is counted chunk by chunk,
so a body past `server.upload_limit` is refused as soon as it crosses it, whatever its
Content-Length said (or did not say: a chunked upload has none). The file is then copied,
under its upload name (the harvesters read paths, and messages name the file), into a folder
of its own that is deleted when the request is done; nothing of it stays on the server.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

# Room for the multipart framing and the form's small fields around the file itself.
FRAMING = 64 * 1024


class UploadRefused(Exception):
    """An upload the page does not read: `status` for the response, `code` for its message."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Upload:
    path: Path  # the file, under its upload name, in a temporary folder of its own
    filename: str  # as the browser sent it (upload_name makes it safe)
    fields: dict[str, str]  # the form's other fields (the profile)


@asynccontextmanager
async def received(request: Request, limit: int, name: str = "file") -> AsyncIterator[Upload]:
    """The form's file `name` saved to disk, at most `limit` bytes; the folder goes on exit.
    Refused with 413 past the limit, 400 for a body that is not a form with that file."""
    from culturedata.server.validation import upload_name

    if int(request.headers.get("content-length") or 0) > limit + FRAMING:
        raise UploadRefused(413, "server.upload_too_large")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UploadRefused(400, "server.upload_missing")
    parser = MultiPartParser(request.headers, _bounded(request.stream(), limit + FRAMING), max_files=1, max_fields=8)
    try:
        form = await parser.parse()
    except MultiPartException:
        raise UploadRefused(400, "server.upload_missing") from None
    try:
        upload = form.get(name)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UploadRefused(400, "server.upload_missing")
        fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        with tempfile.TemporaryDirectory(prefix="culturedata-upload-") as folder:
            path = Path(folder) / upload_name(upload.filename)
            size = await run_in_threadpool(_save, upload, path)
            if size > limit:
                raise UploadRefused(413, "server.upload_too_large")
            yield Upload(path, upload.filename, fields)
    finally:
        await form.close()


async def _bounded(chunks: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limit:  # the parser closes (and so deletes) what it spooled
            raise UploadRefused(413, "server.upload_too_large")
        yield chunk


def _save(upload: UploadFile, path: Path) -> int:
    upload.file.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
        return out.tell()

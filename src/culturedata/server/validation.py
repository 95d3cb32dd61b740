"""The validation page's glue: an uploaded export through the same check as `culturedata
validate` (`culturedata.checking`), and the same report, written by the same renderers.

The upload is written, under its own name, to a temporary folder (the harvesters read paths)
that is deleted as soon as the records are read; nothing is kept, and no message names the
temporary path: the file is named by its upload name. A zip archive is read too, as on the command
line, but never decoded past the upload limit: its records are all held in memory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from culturedata.checking import check_export
from culturedata.config import Config, Source
from culturedata.errors import CultureDataError, InputError
from culturedata.harvest import KINDS, KINDS_BY_SUFFIX, kind_of_file
from culturedata.iris import slug
from culturedata.mapping import load_mapping
from culturedata.records import Finding
from culturedata.resources import mappings_dir
from culturedata.validate import (
    DEFAULT_ENGINE,
    MEDIA_TYPES,
    SUFFIXES,
    ExportReport,
    Validator,
    load_shapes,
    make_validator,
    render_chunks,
)


@dataclass(frozen=True)
class Profile:
    """One choice in the page's list: a configured source (its mapping and reading options)
    or a bare mapping."""

    key: str
    label: dict[str, str]
    mapping: str
    source: Source | None = None


def profiles(config: Config | None) -> list[Profile]:
    choices = []
    if config is not None:
        for source in config.sources:
            label = {lang: f"{source.label(lang)} ({source.mapping})" for lang in ("fr", "en")}
            choices.append(Profile(f"source:{source.id}", label, source.mapping, source))
    for path in sorted(mappings_dir().glob("*.yaml")):
        choices.append(Profile(f"mapping:{path.stem}", {"fr": path.stem, "en": path.stem}, path.stem))
    return choices


@cache
def _validator() -> Validator:
    return make_validator(DEFAULT_ENGINE, load_shapes())


def validate_upload(
    data: bytes | Path, filename: str, profile: Profile, base_iri: str, max_decoded: int,
) -> ExportReport:
    """The report on the uploaded file (its bytes, or the path they were saved to), as
    `culturedata validate` gives it; a file decoding to more than `max_decoded` bytes is an
    `InputError`. Every message names the file by its upload name, never by the server's
    temporary path."""
    name = upload_name(filename)
    kind = kind_of_file(name)
    if kind is None:
        raise InputError("input.unknown_format", path=name, known=", ".join(sorted(KINDS_BY_SUFFIX)))
    with tempfile.TemporaryDirectory(prefix="culturedata-upload-") as folder:
        path = Path(folder) / name
        if isinstance(data, Path):
            _place(data, path)
        else:
            path.write_bytes(data)
        source = _source(profile, path, kind.name, name, max_decoded)
        try:
            report = check_export([(source, load_mapping(profile.mapping))], base_iri, _validator(), name)
        except CultureDataError as exc:
            raise _without_path(exc, str(path), name) from None
    return replace(report, findings=tuple(_named(f, str(path), name) for f in report.findings))


def download(report: ExportReport, fmt: str, lang: str, filename: str) -> tuple[Iterator[str], str, str]:
    """The report as `culturedata validate --format fmt` writes it for the same file: its text
    (in pieces, made as they are sent: a big export's JSON is never held whole), its media type
    and the name it is saved under."""
    name = upload_name(filename)
    stem = name.rsplit(".", 1)[0] or "export"
    return render_chunks(report, fmt, lang, name), MEDIA_TYPES[fmt], f"{stem}-report.{SUFFIXES[fmt]}"


def _place(saved: Path, path: Path) -> None:
    """The saved upload under its upload name, which messages and reports use: a link where the
    file system allows one (a large upload is not copied), else a copy."""
    try:
        os.link(saved, path)
    except OSError:
        shutil.copyfile(saved, path)


def validate_saved_upload(path: Path, profile: Profile, base_iri: str, max_decoded: int) -> ExportReport:
    """`validate_upload` for an upload the page streamed to disk (uploads.py): a file named
    `upload_name(filename)` in a temporary folder of its own, which its caller deletes."""
    return validate_upload(path, path.name, profile, base_iri, max_decoded)


def upload_name(filename: str) -> str:
    """The upload's own name, without any folder a browser sent with it, safe as a file name."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    name = "".join(char if char.isalnum() or char in "-_. " else "_" for char in name)[:200]
    return name or "upload"


def _without_path(exc: CultureDataError, path: str, name: str) -> CultureDataError:
    """The same error, naming the file `name` wherever it named the temporary `path`."""
    exc.params = {key: str(value).replace(path, name) if path in str(value) else value
                  for key, value in exc.params.items()}
    return exc


def _named(finding: Finding, path: str, name: str) -> Finding:
    """A finding about the file, naming it `name` wherever its message named the temporary `path`."""
    if not any(path in text for text in finding.message.values()):
        return finding
    return replace(finding, message={lang: text.replace(path, name) for lang, text in finding.message.items()})


def _source(profile: Profile, path: Path, kind: str, filename: str, max_decoded: int) -> Source:
    if profile.source is not None:
        configured = int(profile.source.options.get("max_decoded_bytes", max_decoded))
        # A workbook checked under a CSV source keeps the options both kinds read (id_column,
        # multivalue, sentinels…), not those of the source's own kind (encoding, delimiter).
        known = KINDS[kind].options
        options = {key: value for key, value in profile.source.options.items() if key in known}
        options["max_decoded_bytes"] = min(configured, max_decoded)
        return replace(profile.source, path=path, kind=kind, where=filename, options=options)
    return Source(id=slug(Path(filename).stem) or "upload", name={"fr": filename, "en": filename}, kind=kind,
                  mapping=profile.mapping, path=path, where=filename, options={"max_decoded_bytes": max_decoded})

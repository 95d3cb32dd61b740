"""The validation page's glue: an uploaded export through the same harvest → map → validate
path as `culturedata validate`, and the same reports.

The upload is written, under its own name, to a temporary folder (the harvesters read paths)
that is deleted as soon as the records are read; nothing is kept, and no message names the
temporary path: the file is named by its upload name. A zip archive is read too, as on the command
line, but never decoded past the upload limit: its records are all held in memory.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from culturedata.config import Config, Source
from culturedata.errors import CultureDataError, InputError
from culturedata.harvest import (
    KINDS,
    KINDS_BY_SUFFIX,
    harvest,
    is_file_record,
    kind_of_file,
    with_column_findings,
)
from culturedata.iris import slug
from culturedata.mapping import MappingContext, columns_read, load_mapping, map_records
from culturedata.records import SourceRecord
from culturedata.resources import mappings_dir
from culturedata.validate import (
    DEFAULT_ENGINE,
    RecordReport,
    Validator,
    load_shapes,
    make_validator,
    validate_records,
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
    data: bytes, filename: str, profile: Profile, base_iri: str, max_decoded: int,
) -> list[RecordReport]:
    """Reports for every record of the uploaded file, as `culturedata validate` gives them;
    a file decoding to more than `max_decoded` bytes is an `InputError`. Every message names
    the file by its upload name, never by the server's temporary path."""
    with tempfile.TemporaryDirectory(prefix="culturedata-upload-") as folder:
        path = Path(folder) / upload_name(filename)
        path.write_bytes(data)
        return validate_saved_upload(path, profile, base_iri, max_decoded)


def validate_saved_upload(path: Path, profile: Profile, base_iri: str, max_decoded: int) -> list[RecordReport]:
    """`validate_upload` for an upload the page streamed to disk (uploads.py), at `path`: a
    file named `upload_name(filename)` in a temporary folder of its own, which its caller deletes."""
    name = path.name
    kind = kind_of_file(name)
    if kind is None:
        raise InputError("input.unknown_format", path=name, known=", ".join(sorted(KINDS_BY_SUFFIX)))
    compiled = load_mapping(profile.mapping)
    source = _source(profile, path, kind.name, name, max_decoded)
    try:
        records = list(with_column_findings(harvest(source), columns_read(compiled)))
    except CultureDataError as exc:
        raise _without_path(exc, str(path), name) from None
    context = MappingContext.for_source(base_iri, source.id, source.language, source.timezone)
    files = [_file_report(record, str(path), name) for record in records if is_file_record(record)]
    rows = (record for record in records if not is_file_record(record))
    mapped = map_records(compiled, rows, context)
    return files + [report for _, report in validate_records(_validator(), mapped)]


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


def _file_report(record: SourceRecord, path: str, name: str) -> RecordReport:
    """A file's own findings (its encoding, its columns), not mapped: there is nothing to map."""
    findings = tuple(replace(f, message={lang: text.replace(path, name) for lang, text in f.message.items()})
                     for f in record.findings)
    return RecordReport(record.source_id, record.local_id, findings, record.location)


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

"""The validation page's glue: an uploaded export through the same harvest → map → validate
path as `culturedata validate`, and the same reports.

The upload is written to a temporary file (the harvesters read paths) that is deleted as
soon as the records are read; nothing is kept. A zip archive is read too, as on the command
line, but never decoded past the upload limit: its records are all held in memory.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from culturedata.config import Config, Source
from culturedata.errors import InputError
from culturedata.harvest import KINDS_BY_SUFFIX, harvest, kind_of_file
from culturedata.iris import slug
from culturedata.mapping import MappingContext, load_mapping, map_records
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
    a file decoding to more than `max_decoded` bytes is an `InputError`."""
    kind = kind_of_file(filename)
    if kind is None:
        raise InputError("input.unknown_format", path=filename, known=", ".join(sorted(KINDS_BY_SUFFIX)))
    with tempfile.NamedTemporaryFile(suffix=Path(filename).suffix.lower(), prefix="culturedata-upload-") as handle:
        handle.write(data)
        handle.flush()
        source = _source(profile, Path(handle.name), kind.name, filename, max_decoded)
        compiled = load_mapping(profile.mapping)
        context = MappingContext.for_source(base_iri, source.id, source.language, source.timezone)
        records = list(harvest(source))  # read everything before the file goes away
    mapped = map_records(compiled, iter(records), context)
    return [report for _, report in validate_records(_validator(), mapped)]


def _source(profile: Profile, path: Path, kind: str, filename: str, max_decoded: int) -> Source:
    if profile.source is not None:
        configured = int(profile.source.options.get("max_decoded_bytes", max_decoded))
        options = {**profile.source.options, "max_decoded_bytes": min(configured, max_decoded)}
        return replace(profile.source, path=path, kind=kind, where=filename, options=options)
    return Source(id=slug(Path(filename).stem) or "upload", name={"fr": filename, "en": filename}, kind=kind,
                  mapping=profile.mapping, path=path, where=filename, options={"max_decoded_bytes": max_decoded})


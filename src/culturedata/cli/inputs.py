"""Turning a command's INPUT, a configured source id or a file, into a `Source`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from culturedata.cli.state import State
from culturedata.config import Source
from culturedata.errors import InputError
from culturedata.harvest import KINDS, KINDS_BY_SUFFIX, Kind, kind_of_file, rdf_format


def resolve_input(state: State, name: str, mapping: str | None, language: str = "fr") -> Source:
    """A configured source when `name` is a source id, else an ad-hoc source over a file."""
    path = Path(name)
    if not path.exists() and state.has_config():
        source = state.config().source(name)  # raises with the list of known ids
        return source if mapping is None else _with_mapping(source, mapping)
    if not path.exists():
        raise InputError("input.not_found", name=name)
    kind = kind_of_file(path)
    if kind is None:
        raise InputError("input.unknown_format", path=path, known=", ".join(sorted(KINDS_BY_SUFFIX)))
    if mapping is None:
        raise InputError("input.needs_mapping", path=path)
    kind = _rdf_kind(path, kind, mapping)
    return Source(
        id=_source_id(path), name={"fr": path.name, "en": path.name}, kind=kind.name, mapping=mapping,
        path=path.resolve(), language=language, where=str(path), options=_id_option(kind, mapping),
    )


def _id_option(kind: Kind, mapping: str) -> dict[str, Any]:
    """What identifies a record of a bare file, as the mapping's `id` says (ODCAF's rows by `Index`):
    a configured source says it in its options, a file given alone has only its mapping to go by."""
    if kind.id_option is None:
        return {}
    from culturedata.mapping import load_mapping

    read = load_mapping(mapping)
    names = [read.fields.get(name, name) for name in id_names(read.id_field)]
    return {kind.id_option: names[0] if len(names) == 1 else names}


def id_names(id_field: str | tuple[str, ...]) -> tuple[str, ...]:
    """A mapping's `id`, one field or several, as a tuple."""
    return (id_field,) if isinstance(id_field, str) else id_field


def _rdf_kind(path: Path, kind: Kind, mapping: str) -> Kind:
    """An RDF/XML `.xml` or JSON-LD `.json` file given with an RDF mapping is read as RDF (the
    `rdf` kind): its suffix says XML or JSON, its content and the mapping say RDF."""
    from culturedata.mapping import load_mapping

    wanted = load_mapping(mapping).format
    if wanted in kind.mapping_formats:
        return kind
    try:
        with path.open("rb") as handle:
            is_rdf = rdf_format(path.name, handle.read(8192)) is not None
    except OSError:
        return kind
    readers = [k for k in KINDS.values() if k.suffixes and k.mapping_formats[:1] == (wanted,)]
    return readers[0] if is_rdf and readers else kind


def _with_mapping(source: Source, mapping: str) -> Source:
    from dataclasses import replace

    return replace(source, mapping=mapping)


def _source_id(path: Path) -> str:
    from culturedata.iris import slug

    return slug(path.stem) or "file"


def resolve_inputs(state: State, name: str, mapping: str | None, language: str = "fr") -> list[Source]:
    """Like `resolve_input`, and a directory gives one ad-hoc source per file of a known format."""
    path = Path(name)
    if not path.is_dir():
        return [resolve_input(state, name, mapping, language)]
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in KINDS_BY_SUFFIX)
    if not files:
        raise InputError("input.empty_dir", path=path, known=", ".join(sorted(KINDS_BY_SUFFIX)))
    return [resolve_input(state, str(file), mapping, language) for file in files]

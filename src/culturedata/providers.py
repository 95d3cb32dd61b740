"""Who provides each source: the organisation `culturedata.toml` names, and where it is.

Every object a museum sends is `qcp:heldBy` its source's organisation; describing that
organisation (its names, its municipality and region) in a graph of its own makes the link
dereference and lets the pooled graph count objects per administrative region.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from culturedata import iris
from culturedata.config import Config, Source
from culturedata.errors import ConfigError
from culturedata.mapping import Found, Hints, Scheme, load_vocabularies
from culturedata.messages import t
from culturedata.resources import ontologies_dir
from culturedata.store import Batch

SCHEMA = "http://schema.org/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True, slots=True)
class Place:
    municipality: str | None  # concept IRI
    region: str | None  # concept IRI


def provider_place(config: Config, source: Source) -> Place:
    """The source's `municipality` and `region` keys as concepts of the shipped (or configured)
    vocabularies; a municipality gives its region. A name that matches nothing is a
    configuration error, found before any record is harvested."""
    if not (source.municipality or source.region):
        return Place(None, None)
    configured = config.settings.validate.vocabularies
    vocabularies = load_vocabularies(config.root / configured if configured else ontologies_dir())
    municipality = region = None
    if source.municipality:
        municipalities = vocabularies.scheme("municipalities")
        municipality = _find(config.path, source, municipalities, "municipality")
        assert municipalities is not None  # _find found the name in it
        region = next(iter(municipalities.links.get((municipality, SCHEMA + "containedInPlace"), [])), None)
    if source.region:
        region = _find(config.path, source, vocabularies.scheme("regions"), "region")
    return Place(municipality, region)


def _find(path: Path, source: Source, scheme: Scheme | None, key: str) -> str:
    """The concept the key names. A municipality name several share is narrowed by the source's
    `region`; one still shared is refused with its candidates, never picked."""
    text = getattr(source, key)
    hints = Hints(region=source.region or "") if key == "municipality" else None
    found = scheme.resolve(text, None, hints) if scheme is not None else Found()
    if scheme is not None and found.ambiguous:
        raise ConfigError(
            "config.bad_value", path=path, key=f'sources[id="{source.id}"].{key}',
            problem=t("config.problem.ambiguous_municipality", value=text,
                      candidates="; ".join(scheme.describe(c) for c in found.ambiguous)),
        )
    if not found.iris:
        raise ConfigError(
            "config.bad_value", path=path, key=f'sources[id="{source.id}"].{key}',
            problem=t(f"config.problem.unknown_{key}", value=text),
        )
    return found.iris[0]


def provider_description(config: Config, source: Source) -> Batch:
    """The providing organisation as the configuration names and places it, so that every
    `qcp:heldBy` link dereferences; rewritten on each run, since the configuration may have
    changed."""
    graph = ox.NamedNode(iris.provider_graph(config.base_iri, source.id))
    organisation = ox.NamedNode(iris.institution(config.base_iri, source.id))
    quads = [ox.Quad(organisation, RDF_TYPE, ox.NamedNode(SCHEMA + "Organization"), graph)]
    quads += [
        ox.Quad(organisation, ox.NamedNode(SCHEMA + "name"), ox.Literal(text, language=lang), graph)
        for lang, text in sorted(source.name.items())
    ]
    place = provider_place(config, source)
    if place.municipality:
        quads.append(ox.Quad(organisation, ox.NamedNode(SCHEMA + "location"), ox.NamedNode(place.municipality), graph))
    if place.region:
        quads.append(ox.Quad(organisation, ox.NamedNode(SCHEMA + "containedInPlace"), ox.NamedNode(place.region), graph))
    return Batch(drop=[graph.value], quads=quads)

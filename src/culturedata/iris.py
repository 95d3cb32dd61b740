"""Every rule of the IRI scheme, in one place: what lives where under `publish.base_iri`.

    {base}id/...                                   entities (minted by the mappings' templates)
    {base}id/{source}/organisation/{source}        the organisation that provides a source
    {base}graph/{source}/{slug(local id)}          one record's named graph
    {base}graph/{source}                           the source's provider graph (who provides it)
    {base}graph/system                             records' state and provenance, runs, sources
    {base}graph/_reference/{name}                  a shipped vocabulary or the profile's ontology ("_": no source id has it)
    {base}graph/_pooling                           the links between the sources' entities (pooling/)
    {base}id/_pooled/{key}                         a cluster: one thing several sources describe
    {base}pooling/link/{digest}                    one link's provenance, in the system graph
    {base}run/{run id}                             one run, a prov:Activity; `/{source}` its figures
    {base}source/{source}                          a source's harvest state

The same record gets the same IRIs on every run. Slug rule, documented in docs/mapping.md:
accents are dropped (é → e), letters lowered, every run of characters other than a-z, 0-9,
'.', '_' and '-' becomes one '-', and leading or trailing '-' are trimmed. "1998.3.12" stays
"1998.3.12"; "Boîte à bijoux #2" becomes "boite-a-bijoux-2".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
# Entities live under this path of the base; the server answers for them on the same path.
ENTITY_PATH = "id/"
# The shipped vocabularies' concepts (ontologies/vocab/*.ttl), the same in every deployment:
# a record points at `{REGIONS}15`, whatever its base IRI.
VOCAB = "https://w3id.org/culturedata/vocab/"
REGIONS = f"{VOCAB}regions/"
CENSUS_DIVISIONS = f"{VOCAB}census-divisions/"


@lru_cache(maxsize=1024)  # a record's id is slugged for its graph and again for its IRIs
def slug(text: str) -> str:
    ascii_text = text if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # A lone surrogate (from a JSON escape such as "\ud800") is no Unicode, but its record
    # still needs a graph IRI to be reported under: its code is percent-encoded as is.
    return _UNSAFE.sub("-", ascii_text.lower()).strip("-") or quote(text, safe="", errors="surrogatepass")


def entity_space(base: str) -> str:
    """Where every entity IRI starts (the void:uriSpace the server dereferences)."""
    return f"{base}{ENTITY_PATH}"


def entity(base: str, path: str) -> str:
    """The entity at `path` under the entity space, as the server dereferences it."""
    return f"{entity_space(base)}{path}"


def institution(base: str, source_id: str) -> str:
    """The organisation that provides a source's records: its objects are `qcp:heldBy` it."""
    return entity(base, f"{source_id}/organisation/{source_id}")


def record_graph(base: str, source_id: str, local_id: str) -> str:
    """The named graph holding everything one record says."""
    return f"{base}graph/{source_id}/{slug(local_id)}"


def provider_graph(base: str, source_id: str) -> str:
    """One graph per source, beside its record graphs, describing who provides them."""
    return f"{base}graph/{source_id}"


def system_graph(base: str) -> str:
    return f"{base}graph/system"


# A source with one of these ids would have the system graph as its provider graph.
RESERVED_SOURCE_IDS = frozenset({"system"})


def reference_graph(base: str, name: str) -> str:
    """A shipped vocabulary (`regions`, `municipalities`…) or the profile's ontology (`ontology`)."""
    return f"{base}graph/_reference/{name}"


def graph_source(base: str, graph: str) -> str | None:
    """The source a record or provider graph belongs to; None for the system graph, the
    shipped vocabularies, the pooling graph and anything not ours."""
    space = f"{base}graph/"
    if not graph.startswith(space) or graph == system_graph(base):
        return None
    source = graph[len(space):].split("/", 1)[0]
    return None if not source or source.startswith("_") else source


def pooling_graph(base: str) -> str:
    """The sameAs links between entities of different records, kept out of the records' graphs."""
    return f"{base}graph/_pooling"


def pooled(base: str, key: str) -> str:
    """A cluster of entities the sources describe as one thing (pooling/identifiers.py names them)."""
    return entity(base, f"_pooled/{key}")  # "_": no source id has it


def pooling_link(base: str, digest: str) -> str:
    """One link's provenance (rule or score, run) in the system graph."""
    return f"{base}pooling/link/{digest}"


def run(base: str, run_id: str) -> str:
    return f"{base}run/{run_id}"


def run_source(run_iri: str, source_id: str) -> str:
    """The node of a run's figures for one source."""
    return f"{run_iri}/{source_id}"


def source_state(base: str, source_id: str) -> str:
    """The subject of a source's harvest state in the system graph."""
    return f"{base}source/{source_id}"

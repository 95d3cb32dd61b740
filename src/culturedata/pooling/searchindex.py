"""The search index of a snapshot: a SQLite FTS5 table of every entity's names, with its types,
region, institution (the source's provider), pooled cluster, dates, places and authority ids.

It is built at publish time from the staged store, with one pattern lookup per predicate and
one bounded SPARQL query for the regions (never a query per entity), and written inside the
snapshot's folder, so it is published, served and pruned with it, atomically. The server opens
it read-only (`SearchIndex`). FTS5's `unicode61 remove_diacritics 2` tokenizer folds case and
accents, so "Helene" finds "Hélène".

A visitor's text is never FTS5 syntax: `match_expression` keeps its words only and quotes
each one, so `NEAR(`, `*`, `"` or `OR` mean nothing special.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from culturedata import iris
from culturedata.errors import StoreError
from culturedata.pooling.authorities import canonical
from culturedata.pooling.entities import ORGANISATION, PERSON, Entity
from culturedata.pooling.names import fold

FILE_NAME = "search.sqlite"
SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
NAMES = (f"{SCHEMA}name", f"{SCHEMA}alternateName", f"{SCHEMA}legalName")
BORN = (f"{SCHEMA}birthDate", f"{SCHEMA}foundingDate", f"{SCHEMA}dateCreated", f"{SCHEMA}startDate")
DIED = (f"{SCHEMA}deathDate", f"{SCHEMA}dissolutionDate", f"{SCHEMA}endDate")
PLACES = (f"{SCHEMA}birthPlace", f"{SCHEMA}deathPlace", f"{SCHEMA}location", f"{SCHEMA}addressLocality",
          f"{SCHEMA}containedInPlace")
SAME_AS = (f"{SCHEMA}sameAs", "http://www.w3.org/2002/07/owl#sameAs", f"{SCHEMA}identifier")
# The same bounded chain as the regions page (server/regions.py): no `+`, a fixed cost per entity.
REGION_CHAIN = ("<https://w3id.org/culturedata/ns/qcp#heldBy>?/(schema:location|schema:containedInPlace)"
                "/schema:containedInPlace?/schema:containedInPlace?")
REGIONS = "https://w3id.org/culturedata/vocab/regions/"
MAX_QUERY = 200  # characters of a visitor's text that are read
MAX_WORDS = 12
MAX_LIMIT = 100
COUNTED = 10_000  # facets and totals count at most this many matches: a bound on every query's cost
FACET_KINDS = ("type", "region", "institution")
_WORD = re.compile(r"\w+", re.UNICODE)
_YEAR = re.compile(r"^-?(\d{4})")

DDL = """
CREATE TABLE entity(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, name TEXT NOT NULL, names TEXT NOT NULL,
    types TEXT NOT NULL, region TEXT, institution TEXT, cluster TEXT, born INTEGER, died INTEGER,
    places TEXT NOT NULL, authorities TEXT NOT NULL);
CREATE TABLE facet(kind TEXT NOT NULL, value TEXT NOT NULL, entity INTEGER NOT NULL);
CREATE TABLE label(kind TEXT NOT NULL, value TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY(kind, value, lang));
CREATE VIRTUAL TABLE fulltext USING fts5(text, tokenize = "unicode61 remove_diacritics 2");
"""
INDEXES = "CREATE INDEX facet_entity ON facet(entity, kind, value); CREATE INDEX facet_value ON facet(kind, value);"


@dataclass
class _Entity:
    names: list[tuple[str, str]] = field(default_factory=list)  # (text, language tag)
    types: set[str] = field(default_factory=set)
    source: str | None = None
    born: int | None = None
    died: int | None = None
    places: set[str] = field(default_factory=set)
    authorities: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Hit:
    """One entity found: what a result list, a facet or a reconciliation candidate needs."""

    iri: str
    name: str
    names: tuple[tuple[str, str], ...]
    types: tuple[str, ...]  # type IRIs: schema.org's, the profile's (qcp:HeritageObject)
    region: str | None  # the region's IRI
    institution: str | None  # the source id
    cluster: str | None
    born: int | None
    died: int | None
    places: tuple[str, ...]
    authorities: tuple[str, ...]  # canonical authority IRIs (pooling/authorities.py)
    rank: float = 0.0

    def label(self, lang: str) -> str:
        for text, tag in self.names:
            if tag.split("-", 1)[0] == lang:
                return text
        return self.name


@dataclass(frozen=True, slots=True)
class Facet:
    kind: str
    value: str
    count: int
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        if self.kind == "type":
            return local_name(self.value)  # as the entity pages name types
        return self.labels.get(lang) or self.labels.get("fr") or self.labels.get("en") or self.value


@dataclass(frozen=True, slots=True)
class Results:
    hits: list[Hit]
    total: int  # capped at COUNTED
    capped: bool
    facets: list[Facet]


# -- building ---------------------------------------------------------------------------------


def build_index(store: ox.Store, folder: Path, base: str) -> int:
    """Write `folder/search.sqlite` from `store`; the number of entities indexed."""
    entities, labels = _read(store, base)
    clusters = _clusters(store, base)
    regions = _regions(store, base, labels)
    providers = {source: _provider_labels(entities, iris.institution(base, source))
                 for source in {e.source for e in entities.values() if e.source}}
    partial = folder / (FILE_NAME + ".new")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    try:
        db.executescript(DDL)
        rows, facets, texts = [], [], []
        for number, (iri, e) in enumerate(sorted(entities.items()), start=1):
            if not e.names:
                continue
            region = regions.get(iri)
            types = sorted(e.types)
            rows.append((number, iri, e.names[0][0], json.dumps(e.names, ensure_ascii=False), json.dumps(types),
                         region, e.source, clusters.get(iri), e.born, e.died,
                         json.dumps(sorted(e.places), ensure_ascii=False), json.dumps(sorted(e.authorities))))
            facets += [("type", t, number) for t in types]
            facets += [(kind, value, number) for kind, value in (("region", region), ("institution", e.source)) if value]
            facets += [("authority", a, number) for a in sorted(e.authorities)]  # reconciliation by id
            texts.append((number, "\n".join(text for text, _ in e.names)))
        db.executemany("INSERT INTO entity VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.executemany("INSERT INTO facet VALUES (?,?,?)", facets)
        db.executemany("INSERT INTO fulltext(rowid, text) VALUES (?,?)", texts)
        db.executescript(INDEXES)
        label_rows = [("region", r, lang, text) for r in set(regions.values()) for lang, text in labels.get(r, {}).items()]
        label_rows += [("institution", s, lang, text) for s, named in providers.items() for lang, text in named.items()]
        db.executemany("INSERT OR REPLACE INTO label VALUES (?,?,?,?)", label_rows)
        db.execute("INSERT INTO fulltext(fulltext) VALUES ('optimize')")
        db.commit()
    except sqlite3.Error as exc:  # a full disk, mostly: the run says so as for any write (store.unwritable)
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(partial)) from exc
        raise OSError(f"{partial}: {exc}") from exc
    finally:
        db.close()
    os.replace(partial, folder / FILE_NAME)
    return len(rows)


def ensure_index(store: ox.Store, folder: Path, base: str) -> bool:
    """Give a snapshot made without a run (`restore`, `load`, a rollback's reissue, or an older
    version's) its index, as a run would have: True when one was built, False when it had one."""
    if (folder / FILE_NAME).is_file():
        return False
    try:
        build_index(store, folder, base)
    except OSError as exc:  # a full disk: said as for any write to the store
        raise StoreError("store.unwritable", path=folder, detail=exc.strerror or exc) from exc
    return True


def _read(store: ox.Store, base: str) -> tuple[dict[str, _Entity], dict[str, dict[str, str]]]:
    """The sources' entities (subjects under the entity space, in a record or provider graph),
    and every label of anything (for places, regions and providers): one lookup per predicate."""
    space = iris.entity_space(base)
    entities: defaultdict[str, _Entity] = defaultdict(_Entity)
    labels: defaultdict[str, dict[str, str]] = defaultdict(dict)

    def ours(quad: ox.Quad) -> tuple[str, _Entity] | None:
        graph, subject = quad.graph_name, quad.subject
        if not isinstance(subject, ox.NamedNode) or not isinstance(graph, ox.NamedNode):
            return None
        source = iris.graph_source(base, graph.value)
        if source is None or not subject.value.startswith(space) or subject.value.startswith(iris.pooled(base, "")):
            return None
        entity = entities[subject.value]
        entity.source = entity.source or source
        return subject.value, entity

    for predicate in (*NAMES, SKOS_LABEL):
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            value = quad.object
            if not isinstance(value, ox.Literal) or not isinstance(quad.subject, ox.NamedNode):
                continue
            found = ours(quad) if predicate != SKOS_LABEL else None
            if found is None:  # a concept's, a place's or a provider's label; an entity's names are its own
                labels[quad.subject.value].setdefault((value.language or "").split("-", 1)[0], value.value)
            elif all(text != value.value for text, _ in found[1].names):
                found[1].names.append((value.value, value.language or ""))
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
        if isinstance(quad.object, ox.NamedNode) and (found := ours(quad)):
            found[1].types.add(quad.object.value)
    for predicates, attribute in ((BORN, "born"), (DIED, "died")):
        for predicate in predicates:
            for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
                if (found := ours(quad)) and getattr(found[1], attribute) is None:
                    setattr(found[1], attribute, _year(quad.object))
    for predicate in SAME_AS:
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            value = quad.object
            authority = canonical(value.value) if isinstance(value, ox.NamedNode | ox.Literal) else None
            if authority and (found := ours(quad)):
                found[1].authorities.add(authority)
    for predicate in PLACES:
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            if (found := ours(quad)) and isinstance(quad.object, ox.Literal | ox.NamedNode):
                found[1].places.add(quad.object.value)
    # Places are kept by name: a municipality's or a venue's, as people write them.
    for entity in entities.values():
        entity.places = {(_first(labels.get(p)) or _name(entities.get(p)) or p) if p.startswith("http") else p
                         for p in entity.places}
        entity.places = {p for p in entity.places if not p.startswith("http")}
    return dict(entities), dict(labels)


def _clusters(store: ox.Store, base: str) -> dict[str, str]:
    """Each pooled entity's cluster IRI, from the pooling graph."""
    prefix, found = iris.pooled(base, ""), {}
    graph = ox.NamedNode(iris.pooling_graph(base))
    for quad in store.quads_for_pattern(None, ox.NamedNode(f"{SCHEMA}sameAs"), None, graph):
        subject, member = quad.subject, quad.object
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(prefix) and isinstance(member, ox.NamedNode):
            found[member.value] = subject.value
    return found


def _regions(store: ox.Store, base: str, labels: dict[str, dict[str, str]]) -> dict[str, str]:
    """Each entity's region, by the regions page's chain, in one query over the default graph."""
    regions = [iri for iri in labels if iri.startswith(REGIONS)]
    if not regions:
        return {}
    values = " ".join(f"<{r}>" for r in regions)
    query = f"""PREFIX schema: <http://schema.org/>
SELECT ?e ?region WHERE {{ VALUES ?region {{ {values} }} ?e {REGION_CHAIN} ?region .
  FILTER(STRSTARTS(STR(?e), "{iris.entity_space(base)}")) }}"""
    found: dict[str, str] = {}
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        entity, region = row["e"], row["region"]
        if isinstance(entity, ox.NamedNode) and isinstance(region, ox.NamedNode):
            found.setdefault(entity.value, region.value)
    return found


def _provider_labels(entities: dict[str, _Entity], organisation: str) -> dict[str, str]:
    entity = entities.get(organisation)
    if entity is None or not entity.names:
        return {}
    named = {tag.split("-", 1)[0]: text for text, tag in reversed(entity.names)}
    named.setdefault("fr", entity.names[0][0])
    return named


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1] or iri


def _name(entity: _Entity | None) -> str | None:
    return entity.names[0][0] if entity is not None and entity.names else None


def _first(named: dict[str, str] | None) -> str | None:
    if not named:
        return None
    return named.get("fr") or named.get("") or named.get("en") or next(iter(named.values()))


def _year(value: object) -> int | None:
    if not isinstance(value, ox.Literal):
        return None
    found = _YEAR.match(value.value.strip())
    return int(found.group(1)) if found else None


def as_entity(hit: Hit) -> Entity:
    """A hit as pooling compares entities (scoring.py): a person, or else scored as an organisation
    is (its significant words), with its dates, folded places and authority ids."""
    return query_entity(hit.iri, hit.types, tuple(text for text, _ in hit.names), hit.born, hit.died, hit.places,
                        hit.authorities)


def query_entity(iri: str, types: Iterable[str], names: tuple[str, ...], born: int | None = None,
                 died: int | None = None, places: Iterable[str] = (), authorities: Iterable[str] = ()) -> Entity:
    kind = PERSON if f"{SCHEMA}Person" in types else ORGANISATION
    return Entity(iri, kind, names, born, died, frozenset(f for p in places if (f := fold(p))), frozenset(authorities))


# -- reading ----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """A visitor's words, bounded: the first MAX_QUERY characters, at most MAX_WORDS words."""
    return _WORD.findall(text[:MAX_QUERY])[:MAX_WORDS]


def match_expression(text: str, prefix: bool = False, any_word: bool = False) -> str | None:
    """`text` as an FTS5 query that means only its words (each quoted), all required; with
    `prefix`, the last word may be the start of one (for suggestions). None without a word."""
    found = words(text)
    if not found:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in found]
    if prefix:
        quoted[-1] += "*"
    return (" OR " if any_word else " ").join(quoted)


class SearchIndex:
    """A snapshot's index, opened read-only; one connection per call (the server's threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, snapshot: str | Path | None) -> SearchIndex | None:
        if snapshot is None:
            return None
        path = Path(snapshot) / FILE_NAME
        return cls(path) if path.is_file() else None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = _open(self.path)
        try:
            yield db
        finally:
            db.close()

    def search(self, text: str, filters: Mapping[str, Sequence[str]] | None = None, limit: int = 20,
               offset: int = 0, prefix: bool = False, facets: bool = True, any_word: bool = False) -> Results:
        """The entities whose names hold every word of `text` (with `any_word`, any of them:
        reconciliation's candidates, rescored afterwards), best first, with the facets' counts."""
        expression = match_expression(text, prefix, any_word)
        if expression is None:
            return Results([], 0, False, [])
        limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, min(offset, COUNTED))
        where, params = "fulltext MATCH ?", [expression]
        for kind, values in (filters or {}).items():
            chosen = [v for v in values if v][:20]
            if kind in (*FACET_KINDS, "authority") and chosen:
                # Per match, through the (entity, kind, value) index: an `IN (SELECT …)` over the facet
                # table makes SQLite run the full-text match once per row of the filter.
                where += (f" AND EXISTS (SELECT 1 FROM facet WHERE entity = fulltext.rowid AND kind = ? AND value IN "
                          f"({','.join('?' * len(chosen))}))")
                params += [kind, *chosen]
        with self._connect() as db:
            try:
                rows = db.execute(
                    f"SELECT e.*, fulltext.rank FROM fulltext JOIN entity e ON e.id = fulltext.rowid WHERE {where} "
                    "ORDER BY fulltext.rank LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
                matched = f"SELECT fulltext.rowid FROM fulltext WHERE {where} LIMIT {COUNTED}"
                total = db.execute(f"SELECT count(*) FROM ({matched})", params).fetchone()[0] if facets else len(rows)
                counted = db.execute(
                    f"SELECT kind, value, count(*) FROM facet WHERE entity IN ({matched}) GROUP BY kind, value "
                    "ORDER BY count(*) DESC, value", params).fetchall() if facets else []
                labels = _labels(db, counted)
            except sqlite3.OperationalError:  # a word FTS5 still refuses: nothing found, never a crash
                return Results([], 0, False, [])
        found = [Facet(kind, value, count, labels.get((kind, value), {})) for kind, value, count in counted]
        return Results([_hit(row) for row in rows], total, total >= COUNTED, found)

    def get(self, iris_: Iterable[str]) -> list[Hit]:
        wanted = list(iris_)[:MAX_LIMIT]
        if not wanted:
            return []
        with self._connect() as db:
            rows = db.execute(f"SELECT e.*, 0 FROM entity e WHERE iri IN ({','.join('?' * len(wanted))})",
                              wanted).fetchall()
        return [_hit(row) for row in rows]

    def with_authority(self, authority: str, limit: int = 10) -> list[Hit]:
        """The entities that carry this canonical authority IRI (an indexed lookup)."""
        with self._connect() as db:
            rows = db.execute("SELECT e.*, 0 FROM facet f JOIN entity e ON e.id = f.entity "
                              "WHERE f.kind = 'authority' AND f.value = ? LIMIT ?", (authority, limit)).fetchall()
        return [_hit(row) for row in rows]

    def type_counts(self) -> list[tuple[str, int]]:
        """Every type with its number of entities, most first (counted once per index file: it
        never changes, and counting walks every entity)."""
        return _type_counts(str(self.path))

    def labels(self, kind: str) -> dict[str, dict[str, str]]:
        """The labels of a facet's values by language (the regions, the institutions)."""
        with self._connect() as db:
            found: dict[str, dict[str, str]] = {}
            for value, lang, text in db.execute("SELECT value, lang, text FROM label WHERE kind = ?", (kind,)):
                found.setdefault(value, {})[lang] = text
        return found


@lru_cache(maxsize=8)
def _type_counts(path: str) -> list[tuple[str, int]]:
    db = _open(Path(path))
    try:
        found = db.execute("SELECT value, count(*) FROM facet WHERE kind = 'type' GROUP BY value "
                           "ORDER BY count(*) DESC").fetchall()
    finally:
        db.close()
    return [(str(value), int(count)) for value, count in found]


def _open(path: Path) -> sqlite3.Connection:
    """Read-only, and immutable: the file never changes once published, so SQLite takes no locks."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _labels(db: sqlite3.Connection, counted: list[tuple[str, str, int]]) -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for kind, value, _ in counted:
        if kind != "type":
            for lang, text in db.execute("SELECT lang, text FROM label WHERE kind = ? AND value = ?", (kind, value)):
                found.setdefault((kind, value), {})[lang] = text
    return found


def _hit(row: tuple[object, ...]) -> Hit:
    _, iri, name, names, types, region, institution, cluster, born, died, places, authorities, rank = row
    return Hit(str(iri), str(name), tuple((str(a), str(b)) for a, b in json.loads(str(names))),
               tuple(json.loads(str(types))), _text(region), _text(institution), _text(cluster),
               born if isinstance(born, int) else None, died if isinstance(died, int) else None,
               tuple(json.loads(str(places))), tuple(json.loads(str(authorities))),
               float(rank) if isinstance(rank, int | float) else 0.0)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None

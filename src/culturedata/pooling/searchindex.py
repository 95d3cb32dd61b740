"""The search index of a snapshot: a SQLite FTS5 table of every entity's names, with its types,
region, institution (the source's provider), pooled cluster, dates, places and authority ids.

It is built at publish time from the staged store, with one pattern lookup per predicate and
one bounded SPARQL query for the regions (never a query per entity), in a memory that does not
grow with the snapshot (what it reads waits in SQLite's temporary tables), and written inside the
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import pyoxigraph as ox

from culturedata import iris
from culturedata.authorities import canonical
from culturedata.errors import StoreError
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
    authorities: tuple[str, ...]  # canonical authority IRIs (culturedata/authorities.py)
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
    partial = folder / (FILE_NAME + ".new")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    try:
        db.executescript(DDL + _SCRATCH)
        _gather(store, base, db)
        for pairs, table in ((_clusters(store, base), "cluster"), (_regions(store, base, db), "region")):
            for chunk in _chunks(pairs):
                db.executemany(f"INSERT OR {'IGNORE' if table == 'region' else 'REPLACE'} INTO {table} VALUES (?,?)",
                               chunk)
        indexed, sources = _write_entities(db, base)
        db.executescript(INDEXES)
        regions = [r for (r,) in db.execute("SELECT DISTINCT region FROM region")]
        label_rows = [("region", r, lang, text) for r in regions for lang, text in _labels_of(db, r).items()]
        label_rows += [("institution", source, lang, text) for source in sources
                       for lang, text in _provider_labels(_entity_of(db, iris.institution(base, source))).items()]
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
    return indexed


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


# What the build reads from the store waits in temporary tables (a file of SQLite's, dropped with
# the connection), not in dicts: memory stays the same whatever the snapshot's size. `fact` holds
# each entity's facts in the order they were read (`seq`), `named` every other subject's labels.
_SCRATCH = """
CREATE TEMP TABLE fact(seq INTEGER PRIMARY KEY, iri TEXT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
    value, lang TEXT);
CREATE TEMP TABLE named(seq INTEGER PRIMARY KEY, iri TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL);
CREATE TEMP TABLE cluster(iri TEXT PRIMARY KEY, cluster TEXT NOT NULL);
CREATE TEMP TABLE region(iri TEXT PRIMARY KEY, region TEXT NOT NULL);
"""
_SCRATCH_INDEXES = "CREATE INDEX temp.fact_iri ON fact(iri, seq); CREATE INDEX temp.named_iri ON named(iri, seq);"
_CHUNK = 20_000  # rows written to SQLite at a time


def _chunks(rows: Iterable[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    chunk: list[tuple[object, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _gather(store: ox.Store, base: str, db: sqlite3.Connection) -> None:
    """The sources' entities' facts (subjects under the entity space, in a record or provider
    graph), and every label of anything (for places, regions and providers): one lookup per
    predicate."""
    for chunk in _chunks(_facts(store, base)):
        db.executemany("INSERT INTO fact VALUES (NULL,?,?,?,?,?)", [row[1:] for row in chunk if row[0] == "fact"])
        db.executemany("INSERT INTO named VALUES (NULL,?,?,?)", [row[1:] for row in chunk if row[0] == "named"])
    db.executescript(_SCRATCH_INDEXES)


def _facts(store: ox.Store, base: str) -> Iterator[tuple[object, ...]]:
    """Rows for `fact` (an entity's: "fact", IRI, source, kind, value, language) and `named`
    (any other subject's label: "named", IRI, language, text), in the order they are read."""
    space, pooled = iris.entity_space(base), iris.pooled(base, "")

    def ours(quad: ox.Quad) -> tuple[str, str] | None:
        """An entity's IRI and source, for a quad about it; None for anything else."""
        graph, subject = quad.graph_name, quad.subject
        if not isinstance(subject, ox.NamedNode) or not isinstance(graph, ox.NamedNode):
            return None
        source = iris.graph_source(base, graph.value)
        if source is None or not subject.value.startswith(space) or subject.value.startswith(pooled):
            return None
        return subject.value, source

    for predicate in (*NAMES, SKOS_LABEL):
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            value = quad.object
            if not isinstance(value, ox.Literal) or not isinstance(quad.subject, ox.NamedNode):
                continue
            found = ours(quad) if predicate != SKOS_LABEL else None
            if found is None:  # a concept's, a place's or a provider's label; an entity's names are its own
                yield "named", quad.subject.value, (value.language or "").split("-", 1)[0], value.value
            else:
                yield "fact", *found, "name", value.value, value.language or ""
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
        if isinstance(quad.object, ox.NamedNode) and (found := ours(quad)):
            yield "fact", *found, "type", quad.object.value, None
    for predicates, attribute in ((BORN, "born"), (DIED, "died")):
        for predicate in predicates:
            for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
                if found := ours(quad):
                    yield "fact", *found, attribute, _year(quad.object), None
    for predicate in SAME_AS:
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            value = quad.object
            authority = canonical(value.value) if isinstance(value, ox.NamedNode | ox.Literal) else None
            if authority and (found := ours(quad)):
                yield "fact", *found, "authority", authority, None
    for predicate in PLACES:
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            if found := ours(quad):
                place = quad.object.value if isinstance(quad.object, ox.Literal | ox.NamedNode) else None
                yield "fact", *found, "place", place, None


def _entity(facts: Iterable[tuple[str, str, object, str | None]]) -> _Entity:
    """An entity from its facts (source, kind, value, language), in the order they were read."""
    entity = _Entity()
    for source, kind, value, lang in facts:
        entity.source = entity.source or source
        if kind == "name" and isinstance(value, str) and all(text != value for text, _ in entity.names):
            entity.names.append((value, lang or ""))
        elif kind == "type" and isinstance(value, str):
            entity.types.add(value)
        elif kind in ("born", "died") and getattr(entity, kind) is None:
            setattr(entity, kind, value)
        elif kind == "authority" and isinstance(value, str):
            entity.authorities.add(value)
        elif kind == "place" and isinstance(value, str):
            entity.places.add(value)
    return entity


def _entity_of(db: sqlite3.Connection, iri: str) -> _Entity | None:
    facts = db.execute("SELECT source, kind, value, lang FROM fact WHERE iri = ? ORDER BY seq", (iri,)).fetchall()
    return _entity(facts) if facts else None


def _labels_of(db: sqlite3.Connection, iri: str) -> dict[str, str]:
    """A subject's labels by language, the first read of each."""
    found: dict[str, str] = {}
    for lang, text in db.execute("SELECT lang, text FROM named WHERE iri = ? ORDER BY seq", (iri,)):
        found.setdefault(lang, text)
    return found


def _write_entities(db: sqlite3.Connection, base: str) -> tuple[int, list[str]]:
    """One row per named entity, in the order of their IRIs, written a chunk at a time; the
    number of rows and the sources they came from."""
    @lru_cache(maxsize=100_000)
    def place_name(place: str) -> str:
        # Places are kept by name: a municipality's or a venue's, as people write them.
        return _first(_labels_of(db, place)) or _name(_entity_of(db, place)) or place

    reading = db.cursor().execute(
        "SELECT f.iri, f.source, f.kind, f.value, f.lang, c.cluster, r.region FROM fact f "
        "LEFT JOIN cluster c ON c.iri = f.iri LEFT JOIN region r ON r.iri = f.iri ORDER BY f.iri, f.seq")
    indexed, sources = 0, set()
    rows: list[tuple[object, ...]] = []
    facets: list[tuple[str, str, int]] = []
    texts: list[tuple[int, str]] = []
    for number, (iri, group) in enumerate(groupby(reading, key=itemgetter(0)), start=1):
        facts = list(group)
        e = _entity((source, kind, value, lang) for _, source, kind, value, lang, _, _ in facts)
        cluster, region = facts[0][5], facts[0][6]
        if e.source:
            sources.add(e.source)
        if not e.names:
            continue
        places = {place_name(p) if p.startswith("http") else p for p in e.places}
        places = {p for p in places if not p.startswith("http")}
        types = sorted(e.types)
        rows.append((number, iri, e.names[0][0], json.dumps(e.names, ensure_ascii=False), json.dumps(types),
                     region, e.source, cluster, e.born, e.died,
                     json.dumps(sorted(places), ensure_ascii=False), json.dumps(sorted(e.authorities))))
        facets += [("type", t, number) for t in types]
        facets += [(kind, value, number) for kind, value in (("region", region), ("institution", e.source)) if value]
        facets += [("authority", a, number) for a in sorted(e.authorities)]  # reconciliation by id
        texts.append((number, "\n".join(text for text, _ in e.names)))
        if len(rows) >= _CHUNK:
            indexed += _write(db, rows, facets, texts)
    indexed += _write(db, rows, facets, texts)
    return indexed, sorted(sources)


def _write(db: sqlite3.Connection, rows: list[tuple[object, ...]], facets: list[tuple[str, str, int]],
           texts: list[tuple[int, str]]) -> int:
    """Write a chunk of entities and empty the lists for the next."""
    written = len(rows)
    db.executemany("INSERT INTO entity VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO facet VALUES (?,?,?)", facets)
    db.executemany("INSERT INTO fulltext(rowid, text) VALUES (?,?)", texts)
    rows.clear()
    facets.clear()
    texts.clear()
    return written


def _clusters(store: ox.Store, base: str) -> Iterator[tuple[str, str]]:
    """Each pooled entity and its cluster IRI, from the pooling graph (the last one read counts)."""
    prefix = iris.pooled(base, "")
    graph = ox.NamedNode(iris.pooling_graph(base))
    for quad in store.quads_for_pattern(None, ox.NamedNode(f"{SCHEMA}sameAs"), None, graph):
        subject, member = quad.subject, quad.object
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(prefix) and isinstance(member, ox.NamedNode):
            yield member.value, subject.value


def _regions(store: ox.Store, base: str, db: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """Each entity and its region (the first one found counts), by the regions page's chain, in
    one query over the default graph, for the regions that have a label."""
    regions = [iri for (iri,) in db.execute(
        "SELECT iri FROM named WHERE substr(iri, 1, ?) = ? GROUP BY iri ORDER BY min(seq)", (len(iris.REGIONS), iris.REGIONS))]
    if not regions:
        return
    values = " ".join(f"<{r}>" for r in regions)
    query = f"""PREFIX schema: <http://schema.org/>
SELECT ?e ?region WHERE {{ VALUES ?region {{ {values} }} ?e {REGION_CHAIN} ?region .
  FILTER(STRSTARTS(STR(?e), "{iris.entity_space(base)}")) }}"""
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        entity, region = row["e"], row["region"]
        if isinstance(entity, ox.NamedNode) and isinstance(region, ox.NamedNode):
            yield entity.value, region.value


def _provider_labels(entity: _Entity | None) -> dict[str, str]:
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

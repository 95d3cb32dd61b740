"""Names as pooling compares them: folded, put in reading order, cut into tokens.

"Riopelle, Jean-Paul", "RIOPELLE Jean-Paul (1923-2002)" and "Jean-Paul Riopelle" all become
the tokens `jean paul riopelle`. Accents and case never tell two people apart in the sources
we read (one export drops accents that another keeps), so they are folded away.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

_DATES = re.compile(r"[(\[][^)\]]*\d{3,4}[^)\]]*[)\]]")  # "(1898-1976)", "[born 1930]"
_NON_WORD = re.compile(r"[^a-z0-9]+")
# An organisation's name in French or English, with or without its article or legal suffix,
# says the same: each word below becomes one canonical word ("Musée du Fort St-Jean" and "Fort
# Saint-Jean Museum" both read fort jean museum saint). The cultural sector's common vocabulary in
# both languages, not a list fitted to a source.
ORG_CANONICAL = {
    "musee": "museum", "musees": "museum", "museums": "museum", "ecomusee": "museum", "bibliotheque": "library",
    "bibliotheques": "library", "biblio": "library", "libraries": "library", "galerie": "gallery",
    "galeries": "gallery", "galleries": "gallery", "theater": "theatre", "theatres": "theatre", "center": "centre",
    "centres": "centre", "historique": "historic", "historical": "historic", "histoire": "history",
    "societe": "society", "eglise": "church", "chapelle": "chapel", "moulin": "mill", "moulins": "mill",
    "mills": "mill", "parc": "park", "jardin": "garden", "jardins": "garden", "botanique": "botanical",
    "exposition": "exhibition", "patrimoine": "heritage", "patrimonial": "heritage", "patrimoniale": "heritage",
    "musique": "music", "danse": "dance", "orchestre": "orchestra", "symphonique": "symphony",
    "universite": "university", "college": "college", "cegep": "college", "compagnie": "company",
    "archive": "archives", "salle": "hall", "maison": "house", "lieu": "site", "sites": "site",
    "nationale": "national", "nationaux": "national", "blockhaus": "blockhouse", "bataille": "battle",
    "interpretation": "interpretation", "decouverte": "discovery", "communication": "communications",
    "st": "saint", "ste": "sainte", "mont": "mount", "regional": "regional", "regionale": "regional",
}
# Articles, little words and legal forms: no part of which organisation it is.
ORG_DROPPED = frozenset(
    ["a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "of", "the", "and", "for", "at",
     "pour", "sur", "inc", "incorporated", "ltee", "ltd", "limited", "enr", "senc", "cie", "co", "llc", "sa"]
)
# Words that say what kind of thing an organisation is: a library and a museum that share a
# village's name are two things, whatever else their names share.
# (A university or a college is what a gallery belongs to, "… de l'Université de Moncton": not a kind.)
ORG_KINDS = frozenset(
    ["museum", "library", "gallery", "theatre", "archives", "festival", "church", "chapel", "park", "garden",
     "school", "ecole", "society", "company", "corporation", "orchestra", "foundation", "fondation", "cinema",
     "studio"]
)
# Words that say what an organisation is, not which one: kept out of blocking keys and never, alone,
# what makes two names the same.
ORG_GENERIC = ORG_KINDS | frozenset(
    ["centre", "house", "hall", "site", "national", "historic", "history", "heritage", "art", "arts",
     "culture", "culturel", "culturelle", "cultural", "exhibition", "interpretation", "municipal", "municipale",
     "public", "publique", "branch", "succursale", "secteur", "regional", "canada", "quebec", "saint", "sainte",
     "association", "institute", "institut", "espace", "community", "communautaire", "university",
     "college"]
)
# A comma-separated part after the name that is an honour, not a given name ("John, Augustus, OM").
_HONOUR = re.compile(r"^(?:[A-Z]{2,4}|Sir|Dame|Jr\.?|Sr\.?|Bart\.?|Bt)$")
# Words before or after a person's name that are no part of it.
PERSON_NOISE = frozenset(["mr", "mrs", "ms", "dr", "sir", "dame", "mme", "m", "mlle", "jr", "sr", "pere", "fils"])


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case, no accents, every run of punctuation one space ("Jean-Paul" → "jean paul")."""
    text = text if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", text.lower()).strip()


@lru_cache(maxsize=200_000)
def person_tokens(name: str) -> tuple[str, ...]:
    """A person's name in reading order, given names first: "Riopelle, Jean-Paul" → jean paul riopelle."""
    parts = [part.strip() for part in _DATES.sub(" ", name).split(",")]
    while len(parts) > 2 and _HONOUR.match(parts[-1]):
        parts.pop()
    name = f"{parts[1]} {parts[0]}" if len(parts) == 2 and parts[1] else " ".join(parts)
    return tuple(t for t in fold(name).split() if t not in PERSON_NOISE)


@lru_cache(maxsize=200_000)
def organisation_tokens(name: str) -> tuple[str, ...]:
    """An organisation's name as its canonical words, sorted (order differs between languages:
    "Musée des communications de Sutton" / "Sutton Museum of Communications" →
    communications museum sutton); a plural read as its singular."""
    words = (_singular(ORG_CANONICAL.get(w, w)) for w in fold(_DATES.sub(" ", name)).split() if w not in ORG_DROPPED)
    return tuple(sorted({ORG_CANONICAL.get(w, w) for w in words}))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def distinctive(words: tuple[str, ...], places: frozenset[str] = frozenset()) -> frozenset[str]:
    """The words of an organisation's name that say which one it is: not its kind, not generic,
    not the name of the town it is in ("Arnprior" names Arnprior's library no more than its museum)."""
    local = {w for place in places for w in place.split()}
    return frozenset(w for w in words if w not in ORG_GENERIC and w not in local and len(w) > 1)


def tokens(name: str, kind: str) -> tuple[str, ...]:
    return person_tokens(name) if kind == "person" else organisation_tokens(name)


def block_keys(name: str, kind: str) -> set[str]:
    """The keys under which a name meets its candidates; a true match shares at least one.

    A person: surname with the first given name's initial, either way round (a source that
    inverts without a comma); a one-word name, itself. An organisation: its distinctive words,
    together and each alone."""
    words = tokens(name, kind)
    if not words:
        return set()
    if kind == "person":
        if len(words) == 1:
            return {"s:" + words[0]}
        # Any two names with the same tokens share these too: no sorted-tokens key needed.
        return {f"n:{words[-1]}|{words[0][0]}", f"n:{words[0]}|{words[-1][0]}"}
    # Each word that says which organisation (a translated or longer name shares one); a key too
    # common to compare whole is cut down to neighbours by candidates.py.
    significant = distinctive(words) or frozenset(words)
    return {"o:" + " ".join(sorted(significant))} | {"w:" + w for w in significant}


def initials_agree(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Same surname, and each given name of the shorter form is the other's or its initial, in
    order: "J M W Turner" and "Joseph Mallord William Turner"; "J Turner" and "John Turner"."""
    return given_names_agree(left, right) is not None


def given_names_agree(left: tuple[str, ...], right: tuple[str, ...]) -> bool | None:
    """As `initials_agree`; then True when every given name of the shorter form is spelt out in
    the other ("Ivan Albright", "Ivan Le Lorraine Albright"), False when one is only an initial
    or one letter off ("R. Clark", "Richard Clark"): weaker, since many people share it."""
    if len(left) < 2 or len(right) < 2 or left[-1] != right[-1]:
        return None
    short, long = sorted((left[:-1], right[:-1]), key=len)
    position, spelt = 0, True
    for given in short:
        while position < len(long) and not _same_given(given, long[position]):
            position += 1
        if position == len(long):
            return None
        spelt = spelt and given == long[position]
        position += 1
    return spelt


def initials_only(words: tuple[str, ...]) -> bool:
    """A surname with initials for given names ("J. Kaufmann"): shared by many people."""
    return len(words) >= 2 and all(len(given) == 1 for given in words[:-1])


def _same_given(short: str, long: str) -> bool:
    """A given name and its initial, or one letter off in a long name ("Maxine" for "Maxime")."""
    if short == long or (len(short) == 1 and long.startswith(short)):
        return True
    return min(len(short), len(long)) >= 5 and Levenshtein.distance(short, long) <= 1

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
# Words that say what an organisation is, not which one: kept out of blocking keys.
ORG_STOPWORDS = frozenset(
    ["a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "of", "the", "and", "for", "inc", "ltee", "ltd", "co", "corp", "cie", "sa", "llc", "musee", "museum", "theatre", "theater", "centre", "center", "societe", "society", "association", "corporation", "compagnie", "company", "galerie", "gallery", "maison", "house"]
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
    return tuple(fold(_DATES.sub(" ", name)).split())


def tokens(name: str, kind: str) -> tuple[str, ...]:
    return person_tokens(name) if kind == "person" else organisation_tokens(name)


def block_keys(name: str, kind: str) -> set[str]:
    """The keys under which a name meets its candidates; a true match shares at least one.

    A person: surname with the first given name's initial, either way round (a source that
    inverts without a comma); a one-word name, itself. An organisation: its significant words,
    sorted, and the first two of them."""
    words = tokens(name, kind)
    if not words:
        return set()
    if kind == "person":
        if len(words) == 1:
            return {"s:" + words[0]}
        # Any two names with the same tokens share these too: no sorted-tokens key needed.
        return {f"n:{words[-1]}|{words[0][0]}", f"n:{words[0]}|{words[-1][0]}"}
    significant = [w for w in words if w not in ORG_STOPWORDS] or list(words)
    return {"o:" + " ".join(sorted(significant)), "o2:" + " ".join(significant[:2])}


def initials_agree(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Same surname, and each given name of the shorter form is the other's or its initial, in
    order: "J M W Turner" and "Joseph Mallord William Turner"; "J Turner" and "John Turner"."""
    if len(left) < 2 or len(right) < 2 or left[-1] != right[-1]:
        return False
    short, long = sorted((left[:-1], right[:-1]), key=len)
    position = 0
    for given in short:
        while position < len(long) and not _same_given(given, long[position]):
            position += 1
        if position == len(long):
            return False
        position += 1
    return True


def _same_given(short: str, long: str) -> bool:
    """A given name and its initial, or one letter off in a long name ("Maxine" for "Maxime")."""
    if short == long or (len(short) == 1 and long.startswith(short)):
        return True
    return min(len(short), len(long)) >= 5 and Levenshtein.distance(short, long) <= 1

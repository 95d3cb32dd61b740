"""How alike two entities are, from 0 to 1, without their authority ids.

The name carries the score; dates and places move it. Dates that disagree (two birth years
more than a year apart) sink it whatever the names say: two "John Smith" are two people.
A person's name alone, with no date on either side, is weaker evidence than a name and a date,
so it lands below the default threshold, in the steward's review list, unless something else
agrees (one web site, a shared place).

Organisations seldom carry a founding year; their town is what tells two namesakes apart. Two
organisations in different towns are two; in one town, a name that says which one ("Bibliothèque
Philippe-Panneton") and its translation, its longer official form or its form without article
or legal suffix are one. An exact name with nothing to corroborate it (a source that gives no
town) still links, unless it would join two things that are not one (clusters.py sends such
links to the steward); a name that only says what and where ("Bibliothèque municipale",
"Arnprior") never links by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from culturedata.pooling.entities import PERSON, Entity
from culturedata.pooling.names import ORG_KINDS, distinctive, given_names_agree, initials_only, tokens

DATE_AGREES = 0.05  # per year (birth, death) that agrees
PLACE_AGREES = 0.03
SITE_AGREES = 0.1  # one official web site: as strong as a date
NO_DATES = 0.1  # taken off when neither side has a date to compare
CONFLICT_CAP = 0.4  # the most a pair whose dates disagree can score
INITIALS = 0.95  # "Ivan Albright" and "Ivan Le Lorraine Albright": a middle name left out
# A given name only as its initial or one letter off ("R. Clark" / "Richard Clark"), or another
# surname one letter off ("Davis" / "Davies"): a year that agrees is not enough, both must.
ABBREVIATED = 0.85
ORG_PLACE_AGREES = 0.05  # an organisation's town: as telling as a person's date
CONTAINED = 0.9  # one organisation's name within the other's ("Insectarium de Montréal")
TWO_KINDS = 0.5  # the most two names of different kinds of thing score ("Bibliothèque X" / "Musée X")


@dataclass(frozen=True, slots=True)
class Score:
    value: float
    name: float
    dates: str  # "agree", "conflict" or "none": said in the review list and the provenance
    alone: bool = False  # the name alone (nothing else to agree): a link clusters.py checks for ambiguity


def name_similarity(left: Entity, right: Entity) -> float:
    best = 0.0
    for a in left.names:
        ta = tokens(a, left.kind)
        for b in right.names:
            tb = tokens(b, right.kind)
            if not ta or not tb:
                continue
            if left.kind != PERSON:
                best = max(best, 1.0 if ta == tb else _organisation_names(ta, tb, left.places, right.places))
            else:
                best = max(best, _person_names(ta, tb))
            if best == 1.0:
                return best
    return best


def _person_names(ta: tuple[str, ...], tb: tuple[str, ...]) -> float:
    if ta == tb:
        return ABBREVIATED if initials_only(ta) else 1.0
    agree = given_names_agree(ta, tb)
    if agree is not None:
        return INITIALS if agree else ABBREVIATED
    similar = _ratio(ta, tb)
    return min(similar, ABBREVIATED) if ta[-1] != tb[-1] else similar


def _ratio(ta: tuple[str, ...], tb: tuple[str, ...]) -> float:
    sa, sb = " ".join(ta), " ".join(tb)
    return max(fuzz.token_sort_ratio(sa, sb), 0.9 * fuzz.token_set_ratio(sa, sb)) / 100


def _organisation_names(ta: tuple[str, ...], tb: tuple[str, ...], places_a: frozenset[str],
                        places_b: frozenset[str]) -> float:
    """Two organisations' canonical words (names.organisation_tokens), not equal."""
    kinds_a, kinds_b = ORG_KINDS.intersection(ta), ORG_KINDS.intersection(tb)
    if kinds_a and kinds_b and not kinds_a & kinds_b:
        return min(_ratio(ta, tb), TWO_KINDS)
    short, long = sorted(((set(ta), places_a), (set(tb), places_b)), key=lambda side: len(side[0]))
    if short[0] <= long[0]:
        extra = long[0] - short[0]
        if extra & ORG_KINDS or not distinctive(tuple(short[0]), short[1]):
            return TWO_KINDS  # "Bibliothèque de l'Île-des-Moulins" is not the site; "Arnprior" says only where
        if not distinctive(tuple(extra), long[1]):
            return 1.0  # "Maison symphonique de Montréal", in Montréal, is the Maison symphonique
        return CONTAINED
    return _ratio(ta, tb)


def conflicting(left: Entity, right: Entity) -> bool:
    """What caps a pair at CONFLICT_CAP whatever the names say, found without reading them: a
    birth or death year more than a year apart; two organisations in different towns."""
    if left.born is not None and right.born is not None and abs(left.born - right.born) > 1:
        return True
    if left.died is not None and right.died is not None and abs(left.died - right.died) > 1:
        return True
    return left.kind != PERSON and bool(left.places) and bool(right.places) and not left.places & right.places


def _years(left: int | None, right: int | None) -> int | None:
    """1 the years agree (one apart: a source's rounding), -1 they conflict, None unknown."""
    if left is None or right is None:
        return None
    return 1 if abs(left - right) <= 1 else -1


def score(left: Entity, right: Entity) -> Score:
    if left.kind != right.kind:
        return Score(0.0, 0.0, "none")
    name = name_similarity(left, right)
    years = [y for y in (_years(left.born, right.born), _years(left.died, right.died)) if y is not None]
    if -1 in years:
        return Score(min(name, CONFLICT_CAP), name, "conflict")
    dates = "agree" if years else "none"
    if left.kind != PERSON:
        return _organisation(left, right, name, len(years), dates)
    value = name + DATE_AGREES * len(years) - (0 if years else NO_DATES)
    if left.sites & right.sites:
        value += SITE_AGREES
    if left.places and right.places and left.places & right.places:
        value += PLACE_AGREES
    return Score(_bounded(value), name, dates)


def _organisation(left: Entity, right: Entity, name: float, years: int, dates: str) -> Score:
    if left.places and right.places and not left.places & right.places:
        # Two "Théâtre municipal" in two towns are two theatres.
        return Score(min(name, CONFLICT_CAP), name, "conflict")
    site, place = bool(left.sites & right.sites), bool(left.places & right.places)
    value = name + DATE_AGREES * years + SITE_AGREES * site + ORG_PLACE_AGREES * place
    if site or place or years:
        return Score(_bounded(value), name, dates)
    # The name alone: only an exact one that says which organisation, not only what and where.
    if name < 1.0 or not any(distinctive(tokens(n, left.kind)) for n in left.names):
        return Score(_bounded(value - NO_DATES), name, dates)
    return Score(_bounded(value), name, dates, alone=True)


def _bounded(value: float) -> float:
    return round(max(0.0, min(1.0, value)), 4)

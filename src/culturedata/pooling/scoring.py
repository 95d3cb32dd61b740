"""How alike two entities are, from 0 to 1, without their authority ids.

The name carries the score; dates and places move it. Dates that disagree (two birth years
more than a year apart) sink it whatever the names say: two "John Smith" are two people.
A name alone, with no date on either side, is weaker evidence than a name and a date, so it
lands below the default threshold, in the steward's review list, unless something else agrees
(one web site, a shared place).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from culturedata.pooling.entities import PERSON, Entity
from culturedata.pooling.names import initials_agree, tokens

DATE_AGREES = 0.05  # per year (birth, death) that agrees
PLACE_AGREES = 0.03
SITE_AGREES = 0.1  # one official web site: as strong as a date
NO_DATES = 0.1  # taken off when neither side has a date to compare
CONFLICT_CAP = 0.4  # the most a pair whose dates disagree can score
INITIALS = 0.95  # "J. M. W. Turner" and "Joseph Mallord William Turner"


@dataclass(frozen=True, slots=True)
class Score:
    value: float
    name: float
    dates: str  # "agree", "conflict" or "none": said in the review list and the provenance


def name_similarity(left: Entity, right: Entity) -> float:
    best = 0.0
    for a in left.names:
        ta = tokens(a, left.kind)
        for b in right.names:
            tb = tokens(b, right.kind)
            if not ta or not tb:
                continue
            if ta == tb:
                return 1.0
            if left.kind == PERSON and initials_agree(ta, tb):
                best = max(best, INITIALS)
                continue
            sa, sb = " ".join(ta), " ".join(tb)
            similar = max(fuzz.token_sort_ratio(sa, sb), 0.9 * fuzz.token_set_ratio(sa, sb)) / 100
            best = max(best, similar)
    return best


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
    value = name + DATE_AGREES * len(years) - (0 if years else NO_DATES)
    if left.sites & right.sites:
        value += SITE_AGREES
    if left.places and right.places:
        if left.places & right.places:
            value += PLACE_AGREES
        elif left.kind != PERSON:  # two "Théâtre municipal" in two towns are two theatres
            return Score(min(value, CONFLICT_CAP), name, "conflict")
    return Score(round(max(0.0, min(1.0, value)), 4), name, "agree" if years else "none")

"""Rebuild `labelled-pairs.csv` from ../shared/data (not a test; run by hand, output committed).

    .venv/bin/python tests/pooling/build_labelled_pairs.py ../shared/data > tests/pooling/labelled-pairs.csv

Truth:
- same (1): a MoMA artist carrying a Wikidata or ULAN id and the Tate artist with the same
  surname, the same initial of the first given name, the same birth year and the same death
  year (or both living). Tate carries no authority ids; the MoMA id says the person is a known
  individual, the Tate record is taken as that person on those four facts.
- different (0), by ids: two MoMA artists with the same surname and different Wikidata ids
  (the hardest: same initial first).
- different (0), by dates: a MoMA artist with an id and a Tate artist of the same surname whose
  birth years are more than five years apart.
The matcher is scored on names and years only; the ids columns are never given to it.
"""

from __future__ import annotations

import csv
import random
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


def year(text: str) -> int | None:
    return int(text) if text and text.strip().isdigit() and int(text) > 0 else None


def main(data: Path) -> None:
    rng = random.Random(21)
    moma = list(csv.DictReader((data / "moma/Artists.csv").open(encoding="utf-8-sig")))
    tate = list(csv.DictReader((data / "tate/artist_data.csv").open(encoding="utf-8-sig")))
    with_id = [m for m in moma if m["Wiki QID"] or m["ULAN"]]
    by_surname: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for m in with_id:
        parts = m["DisplayName"].split()
        if len(parts) >= 2:
            by_surname[fold(parts[-1])].append(m)
    rows: list[tuple[str, ...]] = []
    same, far = [], []
    for t in tate:
        surname, _, given = t["name"].partition(",")
        if not given.strip():
            continue
        for m in by_surname.get(fold(surname), []):
            mb, md, tb, td = year(m["BeginDate"]), year(m["EndDate"]), year(t["yearOfBirth"]), year(t["yearOfDeath"])
            if mb is None or tb is None:
                continue
            if mb == tb and md == td and fold(m["DisplayName"])[0] == fold(given)[0]:
                same.append((m, t))
            elif abs(mb - tb) > 5:
                far.append((m, t))
    for m, t in sorted(rng.sample(same, min(320, len(same))), key=lambda p: int(p[0]["ConstituentID"])):
        rows.append(("1", "moma+years", *_moma(m), *_tate(t)))
    for m, t in rng.sample(far, min(80, len(far))):
        rows.append(("0", "tate-dates", *_moma(m), *_tate(t)))
    negatives = []
    for group in by_surname.values():
        group = [m for m in group if m["Wiki QID"]]
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a["Wiki QID"] != b["Wiki QID"]:
                    negatives.append((fold(a["DisplayName"])[0] != fold(b["DisplayName"])[0], a, b))
    negatives.sort(key=lambda n: (n[0], n[1]["ConstituentID"], n[2]["ConstituentID"]))
    for _, a, b in negatives[:150]:
        rows.append(("0", "moma-ids", *_moma(a), *_moma(b)))
    out = csv.writer(sys.stdout, lineterminator="\n")
    print("# Labelled pairs for pooling (tests/pooling/test_quality.py); built by build_labelled_pairs.py.")
    print("# From MoMA Artists.csv (MuseumofModernArt/collection @ 8d8b7e6b, CC0) and Tate artist_data.csv")
    print("# (tategallery/collection @ a51d8afc, CC0). The id columns are the truth's evidence, never the matcher's.")
    out.writerow(["same", "truth", "left_id", "left_name", "left_born", "left_died", "left_ids",
                  "right_id", "right_name", "right_born", "right_died", "right_ids"])
    out.writerows(rows)


def _moma(m: dict[str, str]) -> tuple[str, ...]:
    ids = " ".join(x for x in (m["Wiki QID"], f"ulan:{m['ULAN']}" if m["ULAN"] else "") if x)
    return (f"moma:{m['ConstituentID']}", m["DisplayName"], str(year(m["BeginDate"]) or ""),
            str(year(m["EndDate"]) or ""), ids)


def _tate(t: dict[str, str]) -> tuple[str, ...]:
    return (f"tate:{t['id']}", t["name"], t["yearOfBirth"], t["yearOfDeath"], "")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

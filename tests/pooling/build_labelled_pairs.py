"""Rebuild `labelled-pairs.csv` from ../shared/data (not a test; run by hand, output committed).

    .venv/bin/python tests/pooling/build_labelled_pairs.py ../shared/data > tests/pooling/labelled-pairs.csv

Each row gives the matcher what a source would give it (names, years, the places it states) and
the truth, with how it is known (`truth`); the id and address columns that decided the truth are
never the matcher's. The truth rules:

Persons
- same (1) `moma+years`: a MoMA artist carrying a Wikidata or ULAN id and the Tate artist with the
  same surname, the same initial of the first given name, the same birth year and the same death
  year (or both living). Tate carries no authority ids; the MoMA id says the person is a known
  individual, the Tate record is taken as that person on those four facts.
- different (0) `moma-ids`: two MoMA artists with the same surname and different Wikidata ids
  (the hardest: same initial first).
- different (0) `tate-dates`: a MoMA artist with an id and a Tate artist of the same surname whose
  birth years are more than five years apart.
- DPLA's creators (`dpla-*`): the hubs' records share almost no one with MoMA and Tate (a few
  hundred names, mostly authors, printers and photographers); what they give is hand-checked in
  `DPLA_PAIRS` below: two co-creators named in one record are two people, the same Library of
  Congress heading with its life dates in two records is one person, and a creator with a museum
  artist's surname whose given name or dates say someone else is someone else.

Organisations (cultural facilities and the institutions they are)
- `odcaf-address`: ODCAF (Statistics Canada's facility database) merges the lists of several
  providers (the Canadian Museums Association, Quebec's ministry of culture, BAnQ, cities), so one
  museum or library is often two rows. Every pair of rows from two providers with one postal code
  whose names share a word (beyond what says the kind of facility: "musée", "library"…) was
  checked by hand: same (1) when both rows name one institution (`ODCAF_SAME`: an article, a
  translation, a longer official name, a legal suffix), different (0) otherwise (the library and
  the museum of one village share its name and its postal code); pairs a careful reader cannot
  settle (a room inside a building, a renamed hall) are left out (`ODCAF_UNSURE`).
- `odcaf-far`: two Quebec facilities whose names are one letter or one word apart
  ("Bibliothèque de Lingwick" / "de Tingwick") or equal ("Bibliothèque Gabrielle-Roy" in Laval
  and in Québec), more than 30 km apart by their coordinates, in different postal districts (the
  postal code's first three characters): two facilities. The branches of one network (BAnQ's
  regional centres) are left out: one institution, not one facility.
- `venue`: the Ville de Laval calendar's venues and the Place des Arts, SPEC and Grands Ballets
  pages' venues (artsdata-orion) against ODCAF rows sharing a distinctive word, checked by hand
  (`VENUE_PAIRS`). The calendar names its venues only: they come with no place.
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

from rapidfuzz import fuzz, process

COLUMNS = ["same", "truth", "kind", "left_id", "left_name", "left_born", "left_died", "left_places", "left_ids",
           "right_id", "right_name", "right_born", "right_died", "right_places", "right_ids"]
Row = tuple[str, ...]


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


def year(text: str) -> int | None:
    return int(text) if text and text.strip().isdigit() and int(text) > 0 else None


# --- persons: MoMA and Tate ----------------------------------------------------------------------

def museum_persons(data: Path) -> list[Row]:
    rng = random.Random(21)
    moma = list(csv.DictReader((data / "moma/Artists.csv").open(encoding="utf-8-sig")))
    tate = list(csv.DictReader((data / "tate/artist_data.csv").open(encoding="utf-8-sig")))
    with_id = [m for m in moma if m["Wiki QID"] or m["ULAN"]]
    by_surname: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for m in with_id:
        parts = m["DisplayName"].split()
        if len(parts) >= 2:
            by_surname[fold(parts[-1])].append(m)
    rows: list[Row] = []
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
        rows.append(("1", "moma+years", "person", *_moma(m), *_tate(t)))
    for m, t in rng.sample(far, min(80, len(far))):
        rows.append(("0", "tate-dates", "person", *_moma(m), *_tate(t)))
    negatives = []
    for group in by_surname.values():
        group = [m for m in group if m["Wiki QID"]]
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a["Wiki QID"] != b["Wiki QID"]:
                    negatives.append((fold(a["DisplayName"])[0] != fold(b["DisplayName"])[0], a, b))
    negatives.sort(key=lambda n: (n[0], n[1]["ConstituentID"], n[2]["ConstituentID"]))
    for _, a, b in negatives[:150]:
        rows.append(("0", "moma-ids", "person", *_moma(a), *_moma(b)))
    return rows


def _moma(m: dict[str, str]) -> Row:
    ids = " ".join(x for x in (m["Wiki QID"], f"ulan:{m['ULAN']}" if m["ULAN"] else "") if x)
    return (f"moma:{m['ConstituentID']}", m["DisplayName"], str(year(m["BeginDate"]) or ""),
            str(year(m["EndDate"]) or ""), "", ids)


def _tate(t: dict[str, str]) -> Row:
    return (f"tate:{t['id']}", t["name"], t["yearOfBirth"], t["yearOfDeath"], "", "")


# --- persons: DPLA creators ----------------------------------------------------------------------

# (truth, left, right, why): each side a DPLA creator as its record writes it ("dpla:<file>" and
# the heading) or a museum artist ("moma:<id>", "tate:<id>"), read from the files.
DPLA_PAIRS: tuple[tuple[str, str, str, str], ...] = (
    ("0", "dpla:ma-creator.xml|Sonnyng, William", "dpla:ma-creator.xml|Sonnyng, John", "two co-creators of one record"),
    ("0", "dpla:ma-creator.xml|Gurney, J. H. (John Henry)", "dpla:ma-creator.xml|Gurney, Q. E. (Quintin Edward)",
     "two co-creators of one record"),
    ("0", "dpla:ma-creator.xml|Gurney, J. H. (John Henry)", "dpla:ma-creator.xml|Gurney, Hudson",
     "two co-creators of one record"),
    ("0", "dpla:ma-creator.xml|Gurney, Hudson", "dpla:ma-creator.xml|Gurney, Q. E. (Quintin Edward)",
     "two co-creators of one record"),
    ("0", "dpla:ma-creator.xml|Gurney, J. H. (John Henry)", "moma:2416",
     "MoMA's J. Gurney (1812-1886) is an American photographer; the record's John Henry Gurney an English naturalist"),
    ("0", "dpla:bhl.xml|Fleischer, Max,", "moma:32240", "Max is not Dave Fleischer (MoMA, 1894-1979)"),
    ("0", "dpla:bhl.xml|Fleischer, Max,", "moma:41903", "Max is not Richard Fleischer (MoMA, 1916-2006)"),
    ("0", "dpla:ct.xml|Dodd, Thomas J. (Thomas Joseph), 1907-1971", "tate:1015",
     "Thomas J. Dodd (1907-1971) is not Francis Dodd (Tate, 1874-1949)"),
    ("0", "dpla:ma-creator.xml|Bonet, Honoré", "moma:658", "a medieval author, not the architect Antonio Bonet (1913-1989)"),
    ("1", "dpla:oai-page.xml|Riocreux, Alfred, 1820-1912", "dpla:oai-page.xml|Riocreux, Alfred, 1820-1912",
     "one Library of Congress heading with its life dates, in two records"),
)
_LIFE = re.compile(r",?\s*(?:approximately\s+)?(\d{4})\??-(\d{4})?\??\s*$")


def dpla_persons(data: Path) -> list[Row]:
    moma = {f"moma:{m['ConstituentID']}": m for m in csv.DictReader((data / "moma/Artists.csv").open(encoding="utf-8-sig"))}
    tate = {f"tate:{t['id']}": t for t in csv.DictReader((data / "tate/artist_data.csv").open(encoding="utf-8-sig"))}
    rows: list[Row] = []
    for number, (same, left, right, why) in enumerate(DPLA_PAIRS):
        sides = [_side(data, key, moma, tate, f"{number}{part}") for key, part in ((left, "a"), (right, "b"))]
        rows.append((same, f"dpla: {why}", "person", *sides[0], *sides[1]))
    return rows


def _side(data: Path, key: str, moma: dict[str, dict[str, str]], tate: dict[str, dict[str, str]], tag: str) -> Row:
    if key in moma:
        return _moma(moma[key])
    if key in tate:
        return _tate(tate[key])
    file, heading = key.removeprefix("dpla:").split("|", 1)
    if heading not in (data / "dpla-records" / file).read_text(encoding="utf-8"):
        raise SystemExit(f"{heading!r} is no longer in dpla-records/{file}")
    dates = _LIFE.search(heading)
    name = _LIFE.sub("", heading).rstrip(", ") if dates else heading.rstrip(", ")
    born, died = (dates.group(1), dates.group(2) or "") if dates else ("", "")
    return (f"dpla:{file}#{tag}", name, born, died, "", "")


# --- organisations: ODCAF and the venues of the event sources ------------------------------------

# Words that say what kind of facility, not which: a shared one does not make two rows candidates.
GENERIC = frozenset(
    ["a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "of", "the", "and", "for", "inc", "musee", "museum", "theatre", "theater", "centre", "center", "societe", "society", "association", "galerie", "gallery", "maison", "house", "bibliotheque", "library", "branch", "public", "municipale", "municipal", "historic", "historique", "site", "national", "lieu", "canada", "art", "arts", "d'art", "st", "saint", "sainte"])
# Pairs of `odcaf-address` candidates that name one institution (checked by hand), and those left out.
ODCAF_SAME = frozenset({
    (33, 8909), (84, 2658), (89, 5586), (111, 6401), (4084, 4085), (113, 5498), (2257, 5588), (8723, 8724),
    (447, 2431), (3915, 5582), (608, 5473), (5473, 6471), (680, 5579), (841, 1274), (949, 1663), (969, 1740),
    (8321, 8325), (8316, 8317), (6588, 6589), (2228, 2506), (2517, 5962), (5595, 5932), (2452, 5861), (2913, 5578),
    (1820, 5340), (3180, 8939), (2040, 8051), (2112, 2113), (2356, 8838), (3818, 4072), (2448, 3520), (3839, 5594),
    (2711, 5475), (3470, 4878), (3471, 4958), (2844, 7220), (4119, 5522), (4119, 5523), (6596, 6598), (6709, 9219),
    (3770, 3772), (3890, 6579), (5544, 5545), (5537, 5581), (5592, 8035), (6527, 8725), (6530, 6759), (6580, 6612),
    (7443, 7444), (7443, 7445), (7444, 7445), (9655, 9656),
})
ODCAF_UNSURE = frozenset({
    (7547, 7743), (341, 9611), (5823, 5826), (1741, 9785), (2065, 2066), (2182, 8820), (2299, 5471), (7687, 7689),
    (5550, 7230), (4193, 8118), (5657, 8118), (5496, 6506), (6298, 6299), (7161, 7165), (7251, 9111), (7389, 7392),
    (8553, 9355), (9767, 9768),
})
# Equal names far apart, checked by hand: left out are a commercial gallery's branches (Bau-Xi, Loch…),
# rows whose coordinates put them together whatever their municipality says, and nameless rows.
ODCAF_FAR_EQUAL = frozenset({
    (823, 1185), (893, 1467), (934, 1563), (1292, 1293), (1382, 1383), (1483, 1484), (1503, 1504), (1525, 1526),
    (2241, 2242), (2347, 2348), (2355, 2356), (2823, 2824), (4636, 4638), (5168, 5169), (6347, 6348), (7641, 7642),
})
FAR_KM = 30
FAR_PAIRS = 80  # the most alike names first
# (truth, venue, ODCAF row): the calendar's and the event pages' venues, checked by hand.
VENUE_PAIRS: tuple[tuple[str, str, int], ...] = (
    ("1", "laval|Bibliothèque Gabrielle-Roy", 1467), ("0", "laval|Bibliothèque Gabrielle-Roy", 893),
    ("1", "laval|Bibliothèque Germaine-Guèvremont", 1473),
    ("1", "laval|Bibliothèque Laure-Conan", 1525), ("0", "laval|Bibliothèque Laure-Conan", 1526),
    ("1", "laval|Bibliothèque Marius-Barbeau", 1565), ("0", "laval|Bibliothèque Marius-Barbeau", 2519),
    ("0", "laval|Bibliothèque Marius-Barbeau", 6636),
    ("1", "laval|Bibliothèque Multiculturelle", 1570),
    ("1", "laval|Bibliothèque Philippe-Panneton", 949), ("1", "laval|Bibliothèque Philippe-Panneton", 1663),
    ("1", "laval|Bibliothèque Sylvain-Garneau", 1738),
    ("1", "laval|Bibliothèque Yves-Thériault", 969), ("1", "laval|Bibliothèque Yves-Thériault", 1740),
    ("1", "laval|Bibliothèque Émile-Nelligan", 977),
    ("1", "laval|Maison des arts de Laval", 5847), ("0", "laval|Maison des arts de Laval", 6666),
    ("0", "laval|Maison des arts de Laval", 2404),
    ("1", "laval|Musée de la santé Armand-Frappier", 6410), ("0", "laval|Musée de la santé Armand-Frappier", 990),
    ("0", "laval|Centre de la nature", 2523), ("0", "laval|Piscine Honoré-Mercier", 6606),
    ("0", "laval|Bois Papineau", 5932),
    ("1", "placedesarts|Place des Arts", 7423), ("1", "placedesarts|Place des Arts", 7424),
    ("1", "placedesarts|Maison symphonique", 5893),
    ("0", "placedesarts|Théâtre Maisonneuve", 5827), ("0", "placedesarts|Théâtre Maisonneuve", 929),
    ("1", "spec|Théâtre des Deux Rives", 8857), ("0", "spec|Théâtre des Deux Rives", 6530),
    ("0", "spec|Théâtre des Deux Rives", 6759),
    ("0", "spec|Stade Alphonse-Desjardins", 5800), ("0", "spec|Stade Alphonse-Desjardins", 8044),
    ("0", "spec|SPEC du Haut-Richelieu", 6585),
)
VENUE_FILES = {"laval": "laval-2024/calendrier-activites-2024-02-22.json",
               "placedesarts": "artsdata-orion/placedesarts-com.jsonld", "spec": "artsdata-orion/spec-qc-ca-events.jsonld"}


def _words(name: str) -> set[str]:
    return {w[:5] for w in re.split(r"[^a-z0-9]+", fold(name)) if len(w) >= 3 and w not in GENERIC}


def _postal(row: dict[str, str]) -> str | None:
    code = row["Postal_Code"].upper().replace(" ", "")
    return code if len(code) == 6 else None


def _km(a: dict[str, str], b: dict[str, str]) -> float | None:
    try:
        la, lo, lb, lob = (float(a["Latitude"]), float(a["Longitude"]), float(b["Latitude"]), float(b["Longitude"]))
    except ValueError:
        return None
    return math.hypot((la - lb) * 111, (lo - lob) * 111 * math.cos(math.radians(la)))


def _facility(row: dict[str, str]) -> Row:
    """What the ODCAF mapping gives pooling: the name and the municipality (census subdivision, else city)."""
    place = next((row[k] for k in ("CSD_Name", "City") if row[k] not in ("", "..")), "")
    return (f"odcaf:{row['Index']}", row["Facility_Name"], "", "", place,
            f"{row['Provider']}; {row['Postal_Code']}; {row['Latitude']},{row['Longitude']}")


def organisations(data: Path) -> list[Row]:
    odcaf = list(csv.DictReader((data / "odcaf/ODCAF_V1.0.csv").open(encoding="utf-8-sig")))
    by_index = {int(row["Index"]): row for row in odcaf}
    return [*_same_address(odcaf, by_index), *_far(odcaf, by_index), *_venues(data, by_index)]


def _same_address(odcaf: list[dict[str, str]], by_index: dict[int, dict[str, str]]) -> Iterator[Row]:
    by_code: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for row in odcaf:
        if code := _postal(row):
            by_code[code].append(row)
    candidates = set()
    for rows in by_code.values():
        for a, b in combinations(rows, 2):
            if a["Provider"] != b["Provider"] and _words(a["Facility_Name"]) & _words(b["Facility_Name"]):
                candidates.add(tuple(sorted((int(a["Index"]), int(b["Index"])))))
    unknown = (ODCAF_SAME | ODCAF_UNSURE) - candidates
    if unknown:
        raise SystemExit(f"hand-checked pairs that are no longer candidates: {sorted(unknown)}")
    for left, right in sorted(candidates - ODCAF_UNSURE):
        same = "1" if (left, right) in ODCAF_SAME else "0"
        yield (same, "odcaf-address", "organisation", *_facility(by_index[left]), *_facility(by_index[right]))


def _far(odcaf: list[dict[str, str]], by_index: dict[int, dict[str, str]]) -> Iterator[Row]:
    quebec = [row for row in odcaf if row["Prov_Terr"] == "qc" and row["Facility_Name"] != ".."
              and not fold(row["Facility_Name"]).startswith("bibliotheque et archives nationales")]
    names = [" ".join(re.split(r"[^a-z0-9]+", fold(row["Facility_Name"]))) for row in quebec]
    alike = []
    for i, name in enumerate(names):
        for _, similarity, j in process.extract(name, names, scorer=fuzz.token_sort_ratio, score_cutoff=85, limit=25):
            a, b = quebec[i], quebec[j]
            km = _km(a, b)
            if j > i and names[j] != name and km is not None and km > FAR_KM and _postal(a) and _postal(b) \
                    and a["Postal_Code"][:3] != b["Postal_Code"][:3]:
                alike.append((-similarity, int(a["Index"]), int(b["Index"])))
    chosen = [(left, right) for _, left, right in sorted(alike)[:FAR_PAIRS]]
    for left, right in [*sorted(ODCAF_FAR_EQUAL), *chosen]:
        yield ("0", "odcaf-far", "organisation", *_facility(by_index[left]), *_facility(by_index[right]))


def _venues(data: Path, by_index: dict[int, dict[str, str]]) -> Iterator[Row]:
    texts = {source: (data / path).read_text(encoding="utf-8") for source, path in VENUE_FILES.items()}
    for same, venue, index in VENUE_PAIRS:
        source, name = venue.split("|", 1)
        if json.dumps(name, ensure_ascii=False) not in texts[source] and json.dumps(name) not in texts[source]:
            raise SystemExit(f"{name!r} is no longer a venue of {VENUE_FILES[source]}")
        side = (f"{source}:{fold(name).replace(' ', '-')}", name, "", "", "", VENUE_FILES[source])
        yield (same, "venue", "organisation", *side, *_facility(by_index[index]))


def main(data: Path) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    print("# Labelled pairs for pooling (tests/pooling/test_quality.py); built by build_labelled_pairs.py, which")
    print("# says how each truth is known. From MoMA Artists.csv (MuseumofModernArt/collection @ 8d8b7e6b, CC0),")
    print("# Tate artist_data.csv (tategallery/collection @ a51d8afc, CC0), DPLA records (dpla/ingestion3 @ 1d1dbae5,")
    print("# MIT), ODCAF v1.0 (Statistics Canada, Open Government Licence - Canada), the Ville de Laval calendar")
    print("# (culturecreates/artsdata-planet-ville-de-laval @ 12e29688, Unlicense) and artsdata-orion @ 0cb05264.")
    print("# The *_ids columns are the truth's evidence (ids, provider, postal code, coordinates), never the matcher's.")
    out.writerow(COLUMNS)
    out.writerows([*museum_persons(data), *dpla_persons(data), *organisations(data)])


if __name__ == "__main__":
    main(Path(sys.argv[1]))

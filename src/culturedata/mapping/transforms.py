"""Named value transforms a mapping chains on a value: `transform: [html, date]`.

A transform takes one `Value` and returns the values it becomes (none when the input is
not usable, several for a split). A value that a transform cannot read raises `Unreadable`,
which the engine turns into a finding naming the record and the field. docs/mapping.md lists
them all with examples.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache, partial
from typing import NamedTuple

from culturedata import authorities
from culturedata.iris import slug as make_slug

XSD = "http://www.w3.org/2001/XMLSchema#"
EDTF = "http://id.loc.gov/datatypes/edtf"
IRI = "@id"  # the datatype slot of a Value that is an IRI, not a literal


class Value(NamedTuple):
    """One value on its way to becoming an RDF term (a named tuple: made for every value of
    every record, and a frozen dataclass costs several times as much to build)."""

    text: str
    lang: str | None = None
    datatype: str | None = None  # an XSD IRI, EDTF, or IRI for a node

    def but(self, text: str, datatype: str | None = None) -> Value:
        return _new_value((text, None if datatype else self.lang, datatype))


_new_value = partial(tuple.__new__, Value)  # without NamedTuple's Python-level __new__: values are made by the million


class Unreadable(ValueError):
    """The value cannot be read the way the transform needs (an unparsable date)."""

    def __init__(self, code: str, value: str) -> None:
        super().__init__(value)
        self.code = code
        self.value = value


Transform = Callable[[Value], list[Value]]


# --- text -------------------------------------------------------------------------------------

def whitespace(value: Value) -> list[Value]:
    text = " ".join(value.text.split())
    return [value.but(text, value.datatype)] if text else []


def html(value: Value) -> list[Value]:
    if "<" not in value.text and "&" not in value.text:
        return whitespace(value)
    from lxml import html as lxml_html

    try:
        # string(): what HtmlElement.text_content() returns, in terms lxml-stubs know
        text = str(lxml_html.fromstring(f"<div>{value.text}</div>").xpath("string()"))
    except Exception:  # lxml raises several kinds for garbage; the text stays readable as-is
        text = re.sub(r"<[^>]+>", " ", value.text)
    return whitespace(Value(text, value.lang, value.datatype))


def lower(value: Value) -> list[Value]:
    return [value.but(value.text.lower(), value.datatype)]


def upper(value: Value) -> list[Value]:
    return [value.but(value.text.upper(), value.datatype)]


_LIFE_DATES = re.compile(r"\s*[\(\[][^()\[\]]*\d{3,4}[^()\[\]]*[\)\]]\s*$")


def name(value: Value) -> list[Value]:
    """"Bouchard, Hélène (1898-1976)" → "Hélène Bouchard"; "Studio Lavoie (Chicoutimi)" stays."""
    text = value.text
    if text.endswith((")", "]")):
        text = _LIFE_DATES.sub("", text).strip()
    last, sep, first = text.partition(",")
    if sep and first.strip() and "," not in first and len(last.split()) <= 3:
        text = f"{first.strip()} {last.strip()}"
    return [value.but(" ".join(text.split()), value.datatype)] if text else []


_LIVED = re.compile(r"[\(\[]\s*(?:(?:n[ée]e?|born|b\.)\s+(?:en\s+|in\s+)?)?(\d{4})?\s*(?:[-–—]\s*(\d{4})?)?\s*[\)\]]\s*$",
                    re.IGNORECASE)


def _life_year(group: int) -> Transform:
    """A person's birth (1) or death (2) year from the life dates after a name, as xsd:gYear:
    "Bouchard, Hélène (1898-1976)" → 1898 / 1976; "Gauthier, Nadia (née en 1972)" → 1972 / none.
    Pooling compares them; a name without life dates gives nothing (no finding)."""

    def year(value: Value) -> list[Value]:
        text = value.text
        # The life dates close the text, so a name that ends otherwise (most do) needs no search
        # (the pattern's trailing `\s` is what `rstrip` strips: both are str.isspace).
        if text.rstrip()[-1:] not in (")", "]"):
            return []
        match = _LIVED.search(text)
        found = match.group(group) if match else None
        return [Value(found, None, XSD + "gYear")] if found else []

    return year


def slug(value: Value) -> list[Value]:
    return [value.but(make_slug(value.text), value.datatype)]


def localname(value: Value) -> list[Value]:
    """The last segment of an IRI: "http://www.wikidata.org/entity/Q296" → "Q296"."""
    text = value.text.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return [Value(text)] if text else []


def digest(value: Value) -> list[Value]:
    """A short stable fingerprint, for IRIs minted from long keys such as page URLs."""
    # surrogatepass: a lone surrogate (from a JSON escape such as "\ud800") still has a fingerprint
    return [Value(hashlib.sha1(value.text.encode("utf-8", "surrogatepass")).hexdigest()[:16])]


# --- IRIs -------------------------------------------------------------------------------------

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_HOST = re.compile(r"^(www\.|[a-z0-9-]+(\.[a-z0-9-]+)+)(/|$)", re.I)


def url(value: Value) -> list[Value]:
    """A web address as an IRI; "www.x.example/a" gains "http://"; text that is no address fails."""
    text = value.text.strip().replace(" ", "%20")
    if not _SCHEME.match(text):
        if not _HOST.match(text):
            raise Unreadable("mapping.value.bad_url", value.text)
        text = "http://" + text
    if text.lower().startswith(("javascript:", "data:")):
        raise Unreadable("mapping.value.bad_url", value.text)
    return [Value(text, None, IRI)]


def iri(value: Value) -> list[Value]:
    """The value taken as an IRI as it is (already absolute)."""
    if not _SCHEME.match(value.text):
        raise Unreadable("mapping.value.bad_url", value.text)
    return [Value(value.text.replace(" ", "%20"), None, IRI)]


_CC = re.compile(r"^cc[\s-]*(by(?:[\s-]+(?:nc|nd|sa))*|zero|0)(?:[\s-]+(\d\.\d))?$", re.I)
_RIGHTS_WORDS = {
    "domaine public": "https://creativecommons.org/publicdomain/mark/1.0/",
    "public domain": "https://creativecommons.org/publicdomain/mark/1.0/",
    "tous droits reserves": "http://rightsstatements.org/vocab/InC/1.0/",
    "all rights reserved": "http://rightsstatements.org/vocab/InC/1.0/",
    "droits non evalues": "http://rightsstatements.org/vocab/CNE/1.0/",
}


def licence(value: Value) -> list[Value]:
    """A licence as an IRI: a URL as is, "CC BY-NC 4.0" or "Domaine public" as the Creative
    Commons / RightsStatements.org IRI; other words fail (and are flagged)."""
    text = value.text.strip()
    if _SCHEME.match(text) or _HOST.match(text):
        return url(value)
    key = normalise_key(text)
    if key in _RIGHTS_WORDS:
        return [Value(_RIGHTS_WORDS[key], None, IRI)]
    match = _CC.match(" ".join(text.replace("-", " ").split()))
    if match:
        kind = "-".join(match.group(1).lower().split())
        if kind in ("zero", "0"):
            return [Value("https://creativecommons.org/publicdomain/zero/1.0/", None, IRI)]
        return [Value(f"https://creativecommons.org/licenses/{kind}/{match.group(2) or '4.0'}/", None, IRI)]
    raise Unreadable("mapping.value.bad_licence", value.text)


SCHEMA = "http://schema.org/"
_SCHEMA_PREFIXES = ("https://schema.org/", "http://schema.org/", "https://www.schema.org/",
                    "http://www.schema.org/", "schema:")


def schema(value: Value) -> list[Value]:
    """Any spelling of a schema.org term ("https://schema.org/EventScheduled", "schema:X", "X")
    as its http://schema.org/ IRI, the form Artsdata and the profile use."""
    text = value.text.strip()
    for prefix in _SCHEMA_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    else:
        if _SCHEME.match(text):
            return [Value(text, None, IRI)]
    return [Value(SCHEMA + text.strip("/"), None, IRI)] if text else []


# Authority identifiers → canonical IRIs, so that two sources citing one artist meet; pooling
# reads the same spellings (culturedata/authorities.py owns them).
def _authority(kind: str | None) -> Transform:
    def canonical(value: Value) -> list[Value]:
        found = authorities.canonical(value.text, kind)
        if found is None:
            raise Unreadable("mapping.value.bad_identifier", value.text)
        return [Value(found, None, IRI)]

    return canonical


_ANY_AUTHORITY = _authority(None)


def same_as(value: Value) -> list[Value]:
    """An authority id as its canonical IRI, else any http(s) IRI as given (GND, nomisma…)."""
    try:
        return _ANY_AUTHORITY(value)
    except Unreadable:
        if value.text.strip().lower().startswith(("http://", "https://")):
            return iri(value)
        raise


# --- numbers and units --------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_UNITS = {"mm": "MMT", "cm": "CMT", "m": "MTR", "km": "KMT", "in": "INH", "po": "INH", "ft": "FOT",
          "pi": "FOT", "g": "GRM", "kg": "KGM", "lb": "LBR", "l": "LTR", "ml": "MLT"}
_UNIT = re.compile(r"\b(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b\.?", re.I)


def number(value: Value) -> list[Value]:
    """The first number in the text as xsd:decimal ("32,50 $" → 32.50, "H. 48 cm" → 48)."""
    match = _NUMBER.search(value.text.replace("\u00a0", "").replace(" ", ""))
    if not match:
        raise Unreadable("mapping.value.bad_number", value.text)
    text = match.group().replace(",", ".").lstrip("+")
    return [Value(text, None, XSD + ("decimal" if "." in text else "integer"))]


def unit(value: Value) -> list[Value]:
    """A unit name in the text as its UN/CEFACT code ("cm" → "CMT"), schema.org's unitCode."""
    match = _UNIT.search(value.text)
    if not match:
        raise Unreadable("mapping.value.bad_unit", value.text)
    return [Value(_UNITS[match.group(1).lower()])]


_PHONE_DIGITS = re.compile(r"\d")


def telephone(value: Value) -> list[Value]:
    """North-American numbers in the RFC 3966 form Artsdata asks for: "+1-450-555-0101"."""
    digits = "".join(_PHONE_DIGITS.findall(value.text.split("poste")[0].split("ext")[0]))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return [value]  # not a North-American number: kept as the provider wrote it
    return [Value(f"+1-{digits[:3]}-{digits[3:6]}-{digits[6:]}")]


# --- dates ------------------------------------------------------------------------------------

_DOTNET = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}
_CENTURY = re.compile(r"^(?:(début|fin|milieu|early|late|mid)\s+(?:du\s+)?)?([ivxl]+|\d{1,2})\s*(?:e|er|ème|th|st|nd|rd)"
                      r"\s+(?:siècle|century)$", re.I)
_MONTHS = {m: i for i, names in enumerate((
    ("janvier", "january", "jan"), ("février", "fevrier", "february", "feb", "fév", "fev"),
    ("mars", "march", "mar"), ("avril", "april", "apr", "avr"), ("mai", "may"), ("juin", "june", "jun"),
    ("juillet", "july", "jul", "juil"), ("août", "aout", "august", "aug"),
    ("septembre", "september", "sep", "sept"), ("octobre", "october", "oct"),
    ("novembre", "november", "nov"), ("décembre", "decembre", "december", "dec", "déc")), start=1)
    for m in names}
_DAY_MONTH_YEAR = re.compile(r"^(?:le\s+)?(\d{1,2})(?:er)?\s+([a-zéû.]+)\s+(\d{4})$", re.I)
_MONTH_YEAR = re.compile(r"^([a-zéû.]+)\s+(\d{4})$", re.I)
_ISO = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")  # 31/12/1901: day first, as written in Quebec
_APPROX = re.compile(r"^(?:vers|circa|ca\.?|c\.|env\.?|environ|autour de)\s*", re.I)
_RANGE = re.compile(r"^(\d{4})\s*(?:[-–—/]|à|to)\s*(\d{4})$")
_YEAR_UNCERTAIN = re.compile(r"^(\d{4})\s*\?$")
_DECADE = re.compile(r"^(?:années\s+)?(\d{3})0\s*'?s?$", re.I)
_NEGATIVE_YEAR = re.compile(r"^-(\d{1,5})((?:-\d{2}){0,2})$")
_BCE = re.compile(r"^(\d{1,5})(?:\s*(?:[-–—/]|à|to)\s*(\d{1,5}))?\s*(?:av(?:ant|\.)?\s*J\.?\s*-?\s*C\.?"
                  r"|av(?:ant|\.)?\s*(?:notre|l'|l’)\s*[èe]re(?:\s+commune)?|AEC|BCE|B\.\s?C\.(?:\s?E\.)?|BC)$",
                  re.I)
_DASHES = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-"})  # minus sign, hyphens


def date(value: Value) -> list[Value]:
    """Free-text dates: xsd:date / gYear / dateTime when precise, EDTF otherwise.

    "1885" → gYear; "2026-01-24T20:00-05:00" → dateTime; "vers 1850" → "1850~" (EDTF);
    "1852–1911" → "1852/1911"; "XIXe siècle" → "18XX"; "/Date(1291352400000-0500)/" → date;
    "5300 av. J.-C." and "-5300" → gYear "-5299" (years before the Common Era in astronomical
    numbering, year 0 = 1 BCE, as XSD 1.1 and EDTF count). A date the calendar does not have
    ("31/02/1901") and text that is no date ("hier") raise `Unreadable`.
    """
    text = " ".join(value.text.translate(_DASHES).split())
    if not text.endswith(".."):  # "1885." is 1885; "1900/.." is an open interval
        text = text.rstrip(".").rstrip()
    typed = _precise(text)
    if typed:
        return [typed]
    bce = _before_common_era(text)
    if bce is not None:
        return [bce]
    if "/" in text and not _RANGE.match(_APPROX.sub("", text)):
        return [_interval(text, value.text)]
    code = _edtf(text)
    if code is None:
        raise Unreadable("mapping.value.bad_date", value.text)
    precise = _precise(code)
    return [precise or Value(code, None, EDTF)]


def precise(value: Value) -> list[Value]:
    """Keeps only dates typed as xsd (after `date`): for schema:dateCreated, which wants one."""
    return [value] if value.datatype and value.datatype.startswith(XSD) else []


def _astronomical(year: int) -> str:
    """A year before the Common Era (5300 BCE) as XSD 1.1 and EDTF write it: year 0 is 1 BCE."""
    return f"-{year - 1:04d}" if year > 1 else "0000"


def _before_common_era(text: str) -> Value | None:
    """"5300 av. J.-C.", "vers 44 BC", "5300-5200 av. J.-C." as years in astronomical numbering."""
    approx = bool(_APPROX.match(text))
    match = _BCE.match(_APPROX.sub("", text))
    if match is None:
        return None
    start, end = int(match.group(1)), int(match.group(2) or match.group(1))
    if not start or not end or end > start:  # no year 0 before the Common Era; a span runs forwards
        raise Unreadable("mapping.value.impossible_date", text)
    mark = "~" if approx else ""
    if start == end:
        year = _astronomical(start)
        return Value(year + mark, None, EDTF) if approx else Value(year, None, XSD + "gYear")
    return Value(f"{_astronomical(start)}{mark}/{_astronomical(end)}{mark}", None, EDTF)


def _interval(text: str, original: str) -> Value:
    """"1900-05/1901", "../1900", "31/12/1899/1901": each end read as a date on its own, so that
    an end that is no date ("hier/1950") is reported, not dropped."""
    for position, char in enumerate(text):
        if char != "/":
            continue
        start, end = text[:position].strip(), text[position + 1:].strip()
        if all("/" not in half or _DMY.match(half) for half in (start, end)):
            break
    else:
        raise Unreadable("mapping.value.bad_date", original)
    try:
        reads = [Value(half, None, EDTF) if half in ("", "..") else date(Value(half))[0] for half in (start, end)]
    except Unreadable as exc:  # reported with the whole text, as the source wrote it
        raise Unreadable(exc.code, original) from exc
    if any("/" in read.text for read in reads):  # an end that is itself a span
        raise Unreadable("mapping.value.bad_date", original)
    first, last = (read.text for read in reads)
    if first == last:
        return reads[0]
    if _YEAR.match(first) and _YEAR.match(last) and int(first) > int(last):
        raise Unreadable("mapping.value.impossible_date", original)
    return Value(f"{first}/{last}", None, EDTF)


_YEAR = re.compile(r"^-?\d{4}$")


def _precise(text: str) -> Value | None:
    """The text as an xsd date when it is one; None when it is not; `Unreadable` when it has the
    shape of one the calendar does not have (1885-13-40, 31/02/1901)."""
    match = _DOTNET.fullmatch(text)
    if match:
        offset = match.group(2) or "+0000"
        offset_zone = timezone(timedelta(hours=int(offset[:3]), minutes=int(offset[0] + offset[3:])))
        moment = datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).astimezone(offset_zone)
        return Value(moment.date().isoformat(), None, XSD + "date")
    match = _NEGATIVE_YEAR.match(text)
    if match:  # "-5300": a year before the Common Era, as catalogues write it
        if not int(match.group(1)):
            raise Unreadable("mapping.value.impossible_date", text)
        text = _astronomical(int(match.group(1))) + match.group(2)
    if _ISO.match(text):
        kind = {4: "gYear", 7: "gYearMonth", 10: "date"}.get(len(text.lstrip("-")))
        return Value(text, None, XSD + kind) if kind and _valid_iso(text, text) else None
    match = _ISO_TIME.match(text)
    if match:
        day, clock, _, _, zone = match.groups()
        clock = clock if len(clock) > 5 else clock + ":00"
        zone = (zone[:3] + ":" + zone[-2:]) if zone and zone != "Z" and ":" not in zone else (zone or "")
        return Value(f"{day}T{clock}{zone}", None, XSD + "dateTime") if _valid_iso(day, text) else None
    match = _DMY.match(text)
    if match:
        iso = f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
        return Value(iso, None, XSD + "date") if _valid_iso(iso, text) else None
    match = _DAY_MONTH_YEAR.match(text)
    if match and match.group(2).lower().rstrip(".") in _MONTHS:
        month = _MONTHS[match.group(2).lower().rstrip(".")]
        iso = f"{match.group(3)}-{month:02d}-{int(match.group(1)):02d}"
        return Value(iso, None, XSD + "date") if _valid_iso(iso, text) else None
    match = _MONTH_YEAR.match(text)
    if match and match.group(1).lower().rstrip(".") in _MONTHS:
        return Value(f"{match.group(2)}-{_MONTHS[match.group(1).lower().rstrip('.')]:02d}", None, XSD + "gYearMonth")
    return None


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_iso(text: str, original: str) -> bool:
    """True for a day and month the (proleptic Gregorian) calendar has; `Unreadable` otherwise."""
    negative = text.startswith("-")
    parts = text.lstrip("-").split("-")
    year = -int(parts[0]) if negative else int(parts[0])
    if len(parts) >= 2:
        month = int(parts[1])
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        if not 1 <= month <= 12 or (len(parts) == 3 and not
                                    1 <= int(parts[2]) <= _DAYS[month - 1] + (month == 2 and leap)):
            raise Unreadable("mapping.value.impossible_date", original)
    return True


def _edtf(text: str) -> str | None:
    """An EDTF string for a French or English date phrase.

    The common shapes are built directly (they are valid EDTF by construction, which the tests
    check with the edtf package); anything else goes through the edtf package's own parser and
    natural-language reader, which are slow (milliseconds), hence the cache."""
    approx = bool(_APPROX.match(text))
    core = _APPROX.sub("", text)
    if (match := _RANGE.match(core)) is not None:
        start, end = match.group(1), match.group(2)
        if start == end and not approx:
            return start
        mark = "~" if approx else ""
        return f"{start}{mark}/{end}{mark}" if start <= end else None
    if (match := _YEAR_UNCERTAIN.match(core)) is not None:
        return match.group(1) + ("%" if approx else "?")
    if re.fullmatch(r"-?\d{4}", core):
        return core + ("~" if approx else "")
    if (match := _CENTURY.match(core)) is not None:
        return _century(match.group(1), match.group(2), approx)
    if (match := _DECADE.match(core)) is not None:
        return match.group(1) + "X"
    # Only a short text with a year in it can be a date the edtf package reads; skipping the rest
    # spares its parser (milliseconds per call) on free text such as "date not known".
    if len(core) > 40 or not re.search(r"\d{3}", core):
        return None
    return _edtf_package(core)


@lru_cache(maxsize=4096)
def _edtf_package(core: str) -> str | None:
    from edtf import parse_edtf, text_to_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException

    try:
        parse_edtf(core)
        return core
    except EDTFParseException:
        candidate = text_to_edtf(core.replace("–", "-"))
    if not candidate:
        return None
    try:
        parse_edtf(candidate)
    except EDTFParseException:
        return None
    return candidate


def _century(part: str | None, number_text: str, approx: bool) -> str | None:
    lowered = number_text.lower()
    if lowered.isdigit():
        century = int(lowered)
    else:
        century, previous = 0, 0
        for char in reversed(lowered):
            digit = _ROMAN[char]
            century += -digit if digit < previous else digit
            previous = max(previous, digit)
    if not 1 <= century <= 21:
        return None
    hundreds = century - 1
    if part and part.lower() in ("début", "early"):
        return f"{hundreds:02d}00/{hundreds:02d}33" if not approx else f"{hundreds:02d}00~/{hundreds:02d}33~"
    if part and part.lower() in ("fin", "late"):
        return f"{hundreds:02d}66/{hundreds:02d}99"
    if part and part.lower() in ("milieu", "mid"):
        return f"{hundreds:02d}33/{hundreds:02d}66"
    return f"{hundreds:02d}XX"


def normalise_key(text: str) -> str:
    """Case- and accent-insensitive form used to match labels ("Saguenay–Lac-Saint-Jean")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\s\-–—_'’.]+", " ", ascii_only).split())


class _Failed(NamedTuple):
    code: str
    value: str


REMEMBERED = 4096  # distinct values each remembering transform keeps, so memory stays flat


def _remembered(transform: Transform) -> Transform:
    """The transform, with its results kept for the last few thousand distinct values.

    For the transforms whose inputs repeat from record to record in real exports (dates,
    people's names, licences, units, authority ids) and whose cost is regular expressions or
    the edtf package; not for text that is mostly unique (descriptions, URLs). Transforms are
    pure functions of the value, so a kept result is the result; a value that was unreadable
    stays unreadable (a fresh `Unreadable` each time, so each record still gets its finding)."""
    kept: dict[Value, tuple[Value, ...] | _Failed] = {}

    def remembered(value: Value) -> list[Value]:
        result = kept.get(value)
        if result is None:
            try:
                result = tuple(transform(value))
            except Unreadable as exc:
                result = _Failed(exc.code, exc.value)
            if len(kept) >= REMEMBERED:
                kept.clear()
            kept[value] = result
        if isinstance(result, _Failed):
            raise Unreadable(*result)
        return list(result)

    remembered.__doc__ = transform.__doc__
    return remembered


def _kept(value: Value) -> list[Value]:
    return [value]


def _html_of_clean_text(value: Value) -> list[Value]:
    text = value.text
    return [value] if "<" not in text and "&" not in text else html(value)


# What a transform does to a value read from a field: its text already non-empty and
# whitespace-normalised, no datatype. Then `trim` changes nothing, nor does `html` on text
# without markup; the engine uses these for the first transform of a field's chain.
ON_FIELD_TEXT: dict[str, Transform] = {"trim": _kept, "whitespace": _kept, "html": _html_of_clean_text}

TRANSFORMS: dict[str, Transform] = {
    "trim": whitespace, "whitespace": whitespace, "html": html, "lower": lower, "upper": upper,
    "name": _remembered(name), "born": _life_year(1), "died": _life_year(2), "slug": slug, "hash": digest, "localname": localname, "url": url, "iri": iri,
    "licence": _remembered(licence), "schema": _remembered(schema),
    "authority": _remembered(_ANY_AUTHORITY), "sameas": _remembered(same_as),
    "wikidata": _remembered(_authority("wikidata")), "ulan": _remembered(_authority("ulan")),
    "viaf": _remembered(_authority("viaf")), "isni": _remembered(_authority("isni")),
    "artsdata": _remembered(_authority("artsdata")),
    "number": _remembered(number), "unit": _remembered(unit), "telephone": _remembered(telephone),
    "date": _remembered(date), "precise": precise,
}

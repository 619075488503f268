"""What people type for a timezone -> the name DojoBot stores (engine.calendar.zone reads
it back). Every timezone a learner, a group or the settings name goes through `parse_zone`,
so all three accept the same inputs: IANA names in any case, unique city names, UTC
offsets, and (for people, who have a language) cities as they write them.

City names come from data shipped with the code and never written: CLDR's exemplar cities
(Babel) and city_zones.tsv.gz beside this module (GeoNames, CC BY 4.0; written by
scripts/make-city-zones), read once, as zoneinfo reads tzdata. So the engine stays a
function of its inputs, and no layer above has to hand it a gazetteer.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from zoneinfo import available_timezones

from babel.core import Locale, UnknownLocaleError

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_ETC_GMT = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")
MAX_OFFSET_MINUTES = {"+": 14 * 60, "-": 12 * 60}
# City names as people write them ("München", "Москва", "مشهد") -> zone, from GeoNames:
# written by scripts/make-city-zones, which says what is kept and why.
CITY_ZONES = Path(__file__).with_name("city_zones.tsv.gz")
# Arabic letters a Persian keyboard writes in their Persian forms (ي ى -> ی, ك -> ک).
_PERSIAN_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})


class InvalidZone(ValueError):
    """Text that is neither an IANA timezone nor a UTC offset."""


class AmbiguousZone(InvalidZone):
    """A city name that cities in several zones share: `zones` are the ones to ask about."""

    def __init__(self, text: str, zones: tuple[str, ...]) -> None:
        super().__init__(text)
        self.zones = zones


def _offset_name(sign: str, total_minutes: int) -> str:
    if total_minutes == 0:
        return "UTC"
    return f"UTC{sign}{total_minutes // 60:02d}:{total_minutes % 60:02d}"


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Lower-case name -> canonical IANA name, plus unique city names ('berlin')."""
    names = {
        n for n in available_timezones()
        if not n.startswith(("SystemV/", "posix")) and n not in ("localtime", "Factory")
    }
    by_lower = {n.lower(): n for n in names}
    cities: dict[str, list[str]] = {}
    for name in names:
        if "/" in name and not name.startswith("Etc/"):
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    for city, found in cities.items():
        if len(found) == 1 and city not in by_lower:
            by_lower[city] = found[0]
    return by_lower


def parse_zone(text: str, locale: str | None = None) -> str:
    """'Europe/Berlin', 'berlin', 'New York', '+05:30', 'UTC-3' -> the name to store; with
    a locale, also a city as that language names it (CLDR's exemplar cities: 'Tokio' in
    German, 'Москва' in Russian), then any city of 100,000 people or more as its people
    or another language write it (GeoNames: 'München', 'Köln', 'مشهد'). A city name that
    several zones share (Valencia: Spain and Venezuela) is AmbiguousZone."""
    cleaned = text.strip()
    if match := _OFFSET.match(cleaned):
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        total = hours * 60 + minutes
        if minutes > 59 or total > MAX_OFFSET_MINUTES[sign]:
            raise InvalidZone(text)
        return _offset_name(sign, total)
    key = cleaned.replace(" ", "_").lower()
    if key in ("utc", "gmt", "z", "zulu"):
        return "UTC"
    name = _zone_names().get(key)
    if name is None and locale is not None:
        name = _local_cities(locale).get(fold_city(cleaned))
        if name is None and (zones := _gazetteer().get(fold_city(cleaned))):
            if len(zones) > 1:
                raise AmbiguousZone(text, zones)
            name = zones[0]
    if name is None:
        raise InvalidZone(text)
    if match := _ETC_GMT.match(name):
        # Etc/GMT+5 means UTC-5 (POSIX signs); store the unambiguous spelling.
        flipped = "-" if match.group(1) == "+" else "+"
        return _offset_name(flipped, int(match.group(2)) * 60)
    return name


def fold_city(city: str) -> str:
    """A city name for matching: case, spaces, underscores, Unicode composition and the
    Arabic or Persian form of a letter do not matter."""
    composed = unicodedata.normalize("NFC", city).translate(_PERSIAN_LETTERS)
    return " ".join(composed.replace("_", " ").split()).casefold()


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, tuple[str, ...]]:
    """GeoNames' city names -> their zone, or the zones of the cities that share the name
    (read once: ~70,000 names, tens of ms; scripts/make-city-zones)."""
    known = set(_zone_names().values())
    found: dict[str, tuple[str, ...]] = {}
    with gzip.open(CITY_ZONES, "rt", encoding="utf-8") as table:
        for line in table:
            zone_id, *names = line.rstrip("\n").split("\t")
            if zone_id in known:  # skips the header line and any zone tzdata retired
                for name in names:
                    found[name] = (*found.get(name, ()), zone_id)
    return found


@lru_cache(maxsize=16)
def _local_cities(locale: str) -> dict[str, str | None]:
    """A language's city names (CLDR exemplar cities, via Babel) -> the zone; None where one
    name belongs to several zones, so that it is refused like an unknown one."""
    try:
        zones = Locale.parse(locale).time_zones
    except (UnknownLocaleError, ValueError):
        return {}
    known = set(_zone_names().values())
    found: dict[str, str | None] = {}
    for zone_id, names in zones.items():
        city = names.get("city")
        if not city or zone_id not in known:
            continue
        key = fold_city(city)
        found[key] = zone_id if found.get(key, zone_id) == zone_id else None
    return found

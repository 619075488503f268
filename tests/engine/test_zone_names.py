"""What people type for a timezone -> the stored name: IANA names, offsets, cities."""

from __future__ import annotations

import pytest

from dojobot.engine.zone_names import AmbiguousZone, InvalidZone, parse_zone


@pytest.mark.parametrize(
    ("text", "stored"),
    [("Europe/Berlin", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"),
     ("Berlin", "Europe/Berlin"), ("new york", "America/New_York"), ("+05:30", "UTC+05:30"),
     ("+5:30", "UTC+05:30"), ("UTC-3", "UTC-03:00"), ("-0330", "UTC-03:30"), ("+0", "UTC"),
     ("utc", "UTC"), ("GMT+14", "UTC+14:00"),
     # POSIX-style names invert the sign: Etc/GMT+5 is five hours behind UTC.
     ("Etc/GMT+5", "UTC-05:00"), ("Etc/GMT-3", "UTC+03:00")],
)
def test_parse_zone(text: str, stored: str) -> None:
    assert parse_zone(text) == stored


@pytest.mark.parametrize("text", ["Mars/Base", "+15:00", "-13", "+05:75", "", "localtime"])
def test_parse_zone_rejects(text: str) -> None:
    with pytest.raises(InvalidZone):
        parse_zone(text)


@pytest.mark.parametrize(
    ("text", "locale", "stored"),
    [
        ("München", "de", "Europe/Berlin"),  # GeoNames: CLDR names Europe/Berlin "Berlin"
        ("MÜNCHEN", "en", "Europe/Berlin"),
        ("Санкт-Петербург", "ru", "Europe/Moscow"),
        ("Москва", "ru", "Europe/Moscow"),  # ten times Moscow, Idaho: the big one
        ("كرج", "fa", "Asia/Tehran"),  # Karaj with an Arabic kaf, as Persian writes ک
        ("Tokio", "de", "Asia/Tokyo"),  # CLDR's exemplar city first
    ],
)
def test_parse_zone_takes_a_city_as_people_write_it(text: str, locale: str, stored: str) -> None:
    assert parse_zone(text, locale) == stored


def test_a_city_name_several_zones_share_names_them() -> None:
    with pytest.raises(AmbiguousZone) as caught:
        parse_zone("Valencia", "es")  # Spain, Venezuela, the Philippines
    assert set(caught.value.zones) == {"Europe/Madrid", "America/Caracas", "Asia/Manila"}
    with pytest.raises(InvalidZone):
        parse_zone("München")  # no locale (the settings): IANA names only

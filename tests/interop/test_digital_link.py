"""GS1 Digital Link and element strings: round trips, check digits, refusals."""

from __future__ import annotations

from datetime import date

import pytest
from biip import parse as biip_parse
from hypothesis import given
from hypothesis import strategies as st

from bakeprint.errors import Invalid
from bakeprint.gs1 import check_digit
from bakeprint.interop.digital_link import (
    DigitalLink,
    parse_element_string,
    parse_uri,
    parse_yymmdd,
)

CSET82 = (
    "!\"%&'()*+,-./0123456789:;<=>?"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)

gtins = st.text("0123456789", min_size=13, max_size=13).map(
    lambda d: d + str(check_digit(d))
)
texts = st.text(CSET82, min_size=1, max_size=20)
dates = st.dates(min_value=date(2001, 1, 1), max_value=date(2060, 12, 31))


@given(gtins, st.none() | texts, st.none() | texts, st.none() | dates)
def test_a_link_survives_a_round_trip_through_its_uri(gtin, lot, serial, expiry):
    today = date(2026, 11, 25)
    if expiry is not None and not -49 <= expiry.year - today.year <= 50:
        return
    link = DigitalLink(
        gtin=gtin, lot=lot, serial=serial, expiry=expiry, host="id.example.com"
    )
    assert parse_uri(link.uri()) == link


@given(gtins, st.none() | texts, st.none() | texts)
def test_a_link_survives_a_round_trip_through_its_element_strings(gtin, lot, serial):
    link = DigitalLink(gtin=gtin, lot=lot, serial=serial)
    raw = link.element_string(brackets=False)
    assert parse_element_string(raw) == link
    if all("(" not in (v or "") for v in (lot, serial)):
        assert parse_element_string(link.element_string()) == link


@given(gtins, texts, texts)
def test_biip_reads_the_same_gtin_lot_and_serial(gtin, lot, serial):
    link = DigitalLink(gtin=gtin, lot=lot, serial=serial)
    result = biip_parse(link.element_string(brackets=False))
    assert result.gs1_message is not None
    by_ai = {e.ai.ai: e.value for e in result.gs1_message.element_strings}
    assert by_ai["01"] == gtin and by_ai["10"] == lot and by_ai["21"] == serial


@given(gtins, st.integers(0, 8))
def test_a_wrong_check_digit_is_refused_with_the_right_one(gtin, delta):
    wrong = gtin[:-1] + str((int(gtin[-1]) + 1 + delta) % 10)
    with pytest.raises(Invalid) as exc:
        parse_uri(f"https://id.example.com/01/{wrong}/10/A1/21/1")
    assert f"expected {gtin[-1]}" in exc.value.en


def test_the_demo_unit_link_has_gtin_batch_serial_and_expiry():
    link = parse_uri(
        "https://id.example.com/01/06901234000016/10/251203-SS-PM-002/21/0007?17=251210"
    )
    assert (link.gtin, link.lot, link.serial) == (
        "06901234000016",
        "251203-SS-PM-002",
        "0007",
    )
    assert link.expiry == date(2025, 12, 10)


def test_a_path_stem_is_accepted_but_a_short_gtin_is_not():
    link = parse_uri("https://brand.example/products/01/09501101530003/21/X")
    assert link.gtin == "09501101530003" and link.serial == "X" and link.lot is None
    with pytest.raises(Invalid) as exc:  # DL URI syntax 1.4: 14 digits
        parse_uri("https://brand.example/products/01/9501101530003/21/X")
    assert "14 digits" in exc.value.en


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("https://id.example.com/10/ABC", "no GS1 primary key"),
        ("https://id.example.com/01/06901234000016/21/1/10/A", "sequence"),
        ("https://id.example.com/01/06901234000016/10", "no GS1 primary key"),
        ("https://id.example.com/01/06901234000016/10/", "empty value"),
        ("https://id.example.com/01//06901234000016", "no GS1 primary key"),
        ("https://id.example.com/01/06901234000/10/A", "14 digits"),
        ("https://id.example.com/01/06901234000016/10/%E6%98%A5", "CSET 82"),
        ("https://id.example.com/01/06901234000016/10/A%00", "NUL"),
        ("https://id.example.com/01/06901234000016/10/A?17=251301", "valid date"),
        ("https://id.example.com/01/06901234000016/10/A?99=", "empty value"),
        ("https://id.example.com/01/06901234000016?10=A", "belongs in the path"),
        ("https://id.example.com/01/06901234000016/10/A?10=A", "appears twice"),
        ("https://id.example.com/01/06901234000016/89/A", "no GS1 primary key"),
        ("https://id.example.com/01/06901234000016?89=A", "unknown AI"),
        ("https://id.example.com/00/006141411234567890", "GTIN (/01/…) links"),
        ("ftp://id.example.com/01/06901234000016", "http"),
    ],
)
def test_bad_links_get_a_specific_message(uri, words):
    with pytest.raises(Invalid) as exc:
        parse_uri(uri)
    assert words in exc.value.en


def test_day_zero_in_an_expiry_means_the_end_of_the_month():
    assert parse_yymmdd("260200", today=date(2026, 1, 1)) == date(2026, 2, 28)
    assert parse_yymmdd("991231", today=date(2026, 1, 1)) == date(1999, 12, 31)

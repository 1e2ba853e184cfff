"""GTIN check digits (bakeprint.gs1), checked against biip, an independent GS1
implementation, and by the properties the GS1 General Specifications give."""

from __future__ import annotations

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import given
from hypothesis import strategies as st

from bakeprint.errors import Invalid
from bakeprint.gs1 import check_digit, is_valid_gtin, normalize_gln, normalize_gtin

digits = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)
)


@given(digits)
def test_the_check_digit_is_the_one_biip_computes(body: str):
    assert check_digit(body) == int(gs1_standard_check_digit(body))


@given(digits)
def test_every_gtin_with_its_check_digit_is_normalised_to_fourteen_digits(body: str):
    gtin = body + str(check_digit(body))
    out = normalize_gtin(gtin)
    assert len(out) == 14 and out.lstrip("0") == gtin.lstrip("0")
    assert is_valid_gtin(out)
    # The GTIN-14 form is a fixed point: normalising twice changes nothing.
    assert normalize_gtin(out) == out


@given(digits, st.integers(1, 9))
def test_any_wrong_check_digit_is_refused_saying_which_digit_was_expected(
    body: str, shift: int
):
    right = check_digit(body)
    wrong = (right + shift) % 10
    with pytest.raises(Invalid) as exc:
        normalize_gtin(body + str(wrong))
    assert f"expected {right}, got {wrong}" in exc.value.en
    assert f"应为 {right}，实为 {wrong}" in exc.value.zh


@given(digits, st.data())
def test_changing_any_single_digit_breaks_the_check(body: str, data: st.DataObject):
    gtin = body + str(check_digit(body))
    i = data.draw(st.integers(0, len(gtin) - 1))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != gtin[i]]))
    assert not is_valid_gtin(gtin[:i] + new + gtin[i + 1 :])


@given(st.text("0123456789", min_size=1, max_size=20))
def test_only_8_12_13_or_14_digits_are_gtins(value: str):
    if len(value) in (8, 12, 13, 14):
        return
    with pytest.raises(Invalid) as exc:
        normalize_gtin(value)
    assert "8, 12, 13 or 14 digits" in exc.value.en


def test_letters_and_spaces_inside_a_gtin():
    assert normalize_gtin(" 6901234 000016 ") == "06901234000016"
    with pytest.raises(Invalid):
        normalize_gtin("69012340000A6")


@given(st.text("0123456789", min_size=12, max_size=12))
def test_a_gln_is_thirteen_digits_with_the_same_check_digit(body: str):
    gln = body + str(check_digit(body))
    assert normalize_gln(gln) == gln
    wrong = body + str((check_digit(body) + 1) % 10)
    with pytest.raises(Invalid) as exc:
        normalize_gln(wrong)
    assert "wrong check digit" in exc.value.en and "校验位错误" in exc.value.zh

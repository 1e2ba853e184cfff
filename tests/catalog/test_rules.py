"""Master-data rules as pure functions: codes, ranges, vocabularies, allergens."""

from __future__ import annotations

import pytest

from bakeprint.catalog import allergens, rules
from bakeprint.errors import Invalid


def test_the_allergen_vocabulary_holds_the_fourteen_major_allergens_named_twice():
    assert list(allergens.ALLERGENS) == [
        "gluten",
        "crustaceans",
        "eggs",
        "fish",
        "peanuts",
        "soybeans",
        "milk",
        "tree_nuts",
        "celery",
        "mustard",
        "sesame",
        "sulphites",
        "lupin",
        "molluscs",
    ]
    for zh, en in allergens.ALLERGENS.values():
        assert zh and en and zh != en
    assert allergens.names(["milk", "eggs"], "en") == ["Milk", "Eggs"]
    assert allergens.name("tree_nuts") == "坚果"


def test_allergens_are_accepted_by_code_or_name_and_kept_once_in_label_order():
    got = allergens.normalize(["Milk", "麸质", "milk", " eggs ", "芝麻", "tree nuts"])
    assert got == ["gluten", "eggs", "milk", "tree_nuts", "sesame"]


def test_an_unknown_allergen_is_refused_by_name_with_the_choices():
    with pytest.raises(Invalid) as exc:
        allergens.normalize(["milk", "walnut", "海鲜"])
    assert "walnut" in exc.value.en and "海鲜" in exc.value.en
    assert "tree_nuts" in exc.value.en
    assert "未知过敏原：walnut、海鲜" in exc.value.zh
    assert exc.value.field == "allergens"


@pytest.mark.parametrize("given", ["ss", " SS ", "Ss"])
def test_a_line_code_is_upper_cased(given: str):
    assert rules.line_code(given) == "SS"


@pytest.mark.parametrize("bad", ["S", "SSS", "S1", "", "ÄB", "城市"])
def test_a_line_code_must_be_exactly_two_letters(bad: str):
    with pytest.raises(Invalid) as exc:
        rules.line_code(bad)
    assert "exactly two letters" in exc.value.en and "两个英文字母" in exc.value.zh


@pytest.mark.parametrize(("given", "out"), [("f1", "F1"), ("F12", "F12")])
def test_variant_codes(given: str, out: str):
    assert rules.variant_code(given) == out


@pytest.mark.parametrize("bad", ["F", "F123", "G1", "1", "F-1"])
def test_a_variant_code_is_f_and_one_or_two_digits(bad: str):
    with pytest.raises(Invalid, match="F and 1–2 digits"):
        rules.variant_code(bad)


@pytest.mark.parametrize(
    ("fn", "value", "ok"),
    [
        (rules.shelf_life, 1, True),
        (rules.shelf_life, 60, True),
        (rules.shelf_life, 0, False),
        (rules.shelf_life, 61, False),
        (rules.oven_temp, 80, True),
        (rules.oven_temp, 320, True),
        (rules.oven_temp, 79.9, False),
        (rules.oven_temp, 320.5, False),
        (rules.oven_temp, float("nan"), False),
        (rules.bake_minutes, 1, True),
        (rules.bake_minutes, 240, True),
        (rules.bake_minutes, 0.5, False),
        (rules.bake_minutes, float("inf"), False),
    ],
)
def test_ranges_include_their_bounds(fn, value, ok):  # type: ignore[no-untyped-def]
    if ok:
        assert fn(value) == value
    else:
        with pytest.raises(Invalid):
            fn(value)


def test_kinds_come_from_fixed_sets_and_the_message_lists_them():
    assert rules.location_kind("Cold_Room") == "cold_room"
    assert rules.unit("ml") == "mL"
    with pytest.raises(Invalid) as exc:
        rules.equipment_kind("toaster")
    assert exc.value.en == (
        "unknown equipment kind: toaster; choose from oven, mixer, proofer, "
        "chiller, packer, other"
    )
    assert exc.value.zh.startswith("未知设备类型：toaster")


@pytest.mark.parametrize("bad", ["", "-X", "烤箱", "A B", "X" * 41])
def test_other_codes_are_letters_digits_and_separators(bad: str):
    with pytest.raises(Invalid) as exc:
        rules.code(bad)
    assert "e.g. OVEN-3" in exc.value.en and "例如 OVEN-3" in exc.value.zh

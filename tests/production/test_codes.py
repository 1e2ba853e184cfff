"""Batch codes: format ⇄ parse, and a specific message for every mistake."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakeprint.errors import Invalid
from bakeprint.production.codes import BatchCode, parse

codes = st.builds(
    BatchCode,
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    line=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    session=st.sampled_from(["AM", "PM"]),
    seq=st.integers(1, 999),
    variant=st.none() | st.integers(1, 99).map(lambda n: f"F{n}"),
)


@given(codes)
def test_every_code_parses_back_to_itself(code: BatchCode):
    text = code.format()
    assert parse(text) == code
    assert parse(text).format() == text


@given(codes, st.integers(0, 15), st.sampled_from("0123456789AZaz-_ x"))
def test_a_changed_character_is_refused_or_reads_as_another_valid_code(
    code: BatchCode, pos: int, ch: str
):
    text = code.format()
    pos = pos % len(text)
    mutated = text[:pos] + ch + text[pos + 1 :]
    try:
        other = parse(mutated)
    except Invalid as exc:
        assert exc.zh and exc.en
    else:
        assert other.format() == mutated


def test_the_briefs_codes_parse():
    c = parse("251215-CS-AM-001")
    assert (c.day, c.line, c.session, c.seq, c.variant) == (
        date(2025, 12, 15),
        "CS",
        "AM",
        1,
        None,
    )
    assert parse("251203-SS-PM-002-F1").variant == "F1"


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("251315-CS-AM-001", "月份 13 无效", "month 13 is invalid"),
        ("250230-CS-AM-001", "2 月没有 30 日", "month 2 has no day 30"),
        ("251215-ZZ-AM-001", "未知产品线 ZZ", "unknown product line ZZ"),
        ("251215-cs-AM-001", "大写", "capital letters"),
        ("251215-CS-XM-001", "AM 或 PM", "AM or PM"),
        ("251215-CS-AM-000", "从 001 开始", "starts at 001"),
        ("251215-CS-AM-0A1", "3 位数字", "3 digits"),
        (
            "251215-MC-AM-1000",
            "序列号须为 3 位数字（001–999）：1000",
            "(001–999): 1000",
        ),
        ("251215-CS-AM-01", "3 位数字（001–999）", "3 digits (001–999)"),
        ("251215-CSS-AM-001", "两个大写字母：CSS", "two capital letters: CSS"),
        ("251215-CS-A-001", "AM 或 PM：A", "AM or PM: A"),
        ("25121-CS-AM-001", "6 位数字 YYMMDD：25121", "6 digits YYMMDD: 25121"),
        ("251215-CS-AM-001-G1", "F1–F99", "F1–F99"),
        ("2512-CS-AM-001", "251215-CS-AM-001", "YYMMDD-LL-AM|PM-NNN"),
        ("", "251215-CS-AM-001", "looks like"),
    ],
)
def test_each_mistake_gets_its_own_message(code: str, zh: str, en: str):
    with pytest.raises(Invalid) as exc:
        parse(code, known_lines={"CS", "SS"})
    assert zh in exc.value.zh
    assert en in exc.value.en


DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# (part of the code, a wrong value for it, what the message must say)
WRONG_PART = st.one_of(
    st.tuples(
        st.just(0),
        st.text(DIGITS, min_size=1, max_size=9).filter(lambda s: len(s) != 6),
        st.just(("日期须为 6 位数字 YYMMDD", "the date must be 6 digits YYMMDD")),
    ),
    st.tuples(
        st.just(1),
        st.text(LETTERS + DIGITS, min_size=1, max_size=5).filter(
            lambda s: len(s) != 2 or not s.isalpha()
        ),
        st.just(("产品线代码须为两个大写字母", "the product line must be two")),
    ),
    st.tuples(
        st.just(2),
        st.text(LETTERS + DIGITS, min_size=1, max_size=5).filter(
            lambda s: len(s) != 2 or not s.isalpha()
        ),
        st.just(("生产时段须为 AM 或 PM", "the session must be AM or PM")),
    ),
    st.tuples(
        st.just(3),
        st.text(DIGITS, min_size=1, max_size=7).filter(lambda s: len(s) != 3)
        | st.text(DIGITS + LETTERS, min_size=3, max_size=3).filter(
            lambda s: not s.isdigit()
        ),
        st.just(("序列号须为 3 位数字（001–999）", "the sequence must be 3 digits")),
    ),
)


@given(codes, WRONG_PART)
def test_one_wrong_part_gets_that_parts_message(code: BatchCode, wrong):  # type: ignore[no-untyped-def]
    index, value, (zh, en) = wrong
    parts = code.format().split("-")
    parts[index] = value
    with pytest.raises(Invalid) as exc:
        parse("-".join(parts))
    assert zh in exc.value.zh and value in exc.value.zh
    assert en in exc.value.en and value in exc.value.en
    assert exc.value.field == "code"


@given(
    st.from_regex(r"\d{6}-[A-Za-z]{2}-[A-Za-z]{2}-\d{3}(-F\d{1,2})?", fullmatch=True)
    | st.text(max_size=25)
)
def test_what_parses_reads_back_as_typed(text: str):
    try:
        code = parse(text)
    except Invalid as exc:
        assert exc.zh and exc.en
    else:
        assert code.format() == unicodedata.normalize("NFKC", text).strip()


# digits that int() reads but that are not ours: Arabic-Indic, Devanagari, Thai
OTHER_DIGITS = ["٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "๐๑๒๓๔๕๖๗๘๙"]


@given(codes, st.sampled_from(OTHER_DIGITS), st.integers(1, 2**9 - 1))
def test_digits_of_other_scripts_are_refused_not_read_as_ours(
    code: BatchCode, script: str, which: int
):
    """ "٢٥١٢١٥-CS-AM-001" is not 251215-CS-AM-001: a look-up must not find a
    batch the person did not type."""
    text = code.format()
    spots = [i for i, c in enumerate(text) if c.isdigit()][:9]
    chars = list(text)
    for bit, i in enumerate(spots):
        if which >> bit & 1:
            chars[i] = script[int(chars[i])]
    with pytest.raises(Invalid) as exc:
        parse("".join(chars))
    assert exc.value.field == "code"


@given(codes)
def test_a_full_width_code_from_a_chinese_input_method_is_the_same_code(
    code: BatchCode,
):
    text = code.format()
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    assert parse(wide) == code

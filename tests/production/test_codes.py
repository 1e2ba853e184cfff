"""Batch codes: format ⇄ parse, and a specific message for every mistake."""

from __future__ import annotations

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

"""Dynamic batch codes (R1.2): ``YYMMDD-LL-AM|PM-NNN[-Fn]``.

e.g. ``251215-CS-AM-001`` = 15 Dec 2025, product line CS, morning, first batch;
``251203-SS-PM-002-F1`` = the second afternoon batch of line SS, recipe variant F1.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from bakeprint.errors import Invalid

EXAMPLE = "251215-CS-AM-001"
# ASCII only: \d would also take other scripts' digits ("٢٥١٢١٥")
_SHAPE = re.compile(
    r"(\d{6})-([A-Za-z]{2})-([A-Za-z]{2})-(\d{3})(?:-(F\d{1,2}))?", re.ASCII
)
_LOOKS_ZH = f"批次号格式应为 YYMMDD-产品线-AM|PM-序号，例如 {EXAMPLE}"
_LOOKS_EN = f"a batch code looks like YYMMDD-LL-AM|PM-NNN, e.g. {EXAMPLE}"
SESSIONS = ("AM", "PM")


def _bad(zh: str, en: str) -> Invalid:
    return Invalid(zh, en, field="code")


@dataclass(frozen=True, order=True)
class BatchCode:
    day: date
    line: str
    session: str
    seq: int
    variant: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{2}", self.line):
            raise _bad(
                f"产品线代码须为两个大写字母：{self.line}",
                f"the product line must be two capital letters: {self.line}",
            )
        if self.session not in SESSIONS:
            raise _bad(
                f"生产时段须为 AM 或 PM：{self.session}",
                f"the session must be AM or PM: {self.session}",
            )
        if not 1 <= self.seq <= 999:
            raise _bad(
                f"序列号须在 001–999 之间：{self.seq}",
                f"the sequence must be 001–999: {self.seq}",
            )
        if self.variant is not None and not re.fullmatch(r"F[1-9]\d?", self.variant):
            raise _bad(
                f"配方版本须为 F1–F99：{self.variant}",
                f"the recipe variant must be F1–F99: {self.variant}",
            )
        if not 2000 <= self.day.year <= 2099:
            raise _bad("年份须在 2000–2099 之间", "the year must be 2000–2099")

    def format(self) -> str:
        out = f"{self.day:%y%m%d}-{self.line}-{self.session}-{self.seq:03d}"
        return f"{out}-{self.variant}" if self.variant else out

    def __str__(self) -> str:
        return self.format()


def _diagnose(raw: str) -> Invalid:
    """Say which part of a code that does not have the shape is wrong."""
    parts = raw.split("-")
    if not 4 <= len(parts) <= 5:
        return _bad(f"{_LOOKS_ZH}：{raw!r}", f"{_LOOKS_EN}: {raw!r}")
    ymd, line, session, seq = parts[:4]
    if not re.fullmatch(r"\d{6}", ymd, re.ASCII):
        return _bad(
            f"日期须为 6 位数字 YYMMDD：{ymd}（{_LOOKS_ZH}）",
            f"the date must be 6 digits YYMMDD: {ymd} ({_LOOKS_EN})",
        )
    if not re.fullmatch(r"[A-Za-z]{2}", line):
        return _bad(
            f"产品线代码须为两个大写字母：{line}",
            f"the product line must be two capital letters: {line}",
        )
    if not re.fullmatch(r"[A-Za-z]{2}", session):
        return _bad(
            f"生产时段须为 AM 或 PM：{session}",
            f"the session must be AM or PM: {session}",
        )
    if not re.fullmatch(r"\d{3}", seq, re.ASCII):
        return _bad(
            f"序列号须为 3 位数字（001–999）：{seq}",
            f"the sequence must be 3 digits (001–999): {seq}",
        )
    variant = parts[4] if len(parts) == 5 else ""
    return _bad(
        f"配方版本后缀须为 F1–F99：{variant}",
        f"the recipe variant suffix must be F1–F99: {variant}",
    )


def parse(text: str, *, known_lines: Collection[str] | None = None) -> BatchCode:
    """Parse a batch code, or raise Invalid saying exactly what is wrong."""
    # NFKC: a Chinese input method's full-width "２５１２１５－ＣＳ…" is the
    # same code; digits of other scripts stay what they are, and are refused
    raw = unicodedata.normalize("NFKC", text).strip()
    m = _SHAPE.fullmatch(raw)
    if not m:
        raise _diagnose(raw)
    ymd, line, session, seq, variant = m.groups()
    yy, mm, dd = int(ymd[:2]), int(ymd[2:4]), int(ymd[4:])
    if not 1 <= mm <= 12:
        raise _bad(f"月份 {mm} 无效", f"month {mm} is invalid")
    try:
        day = date(2000 + yy, mm, dd)
    except ValueError:
        raise _bad(
            f"日期无效：{mm} 月没有 {dd} 日",
            f"invalid date: month {mm} has no day {dd}",
        ) from None
    if line != line.upper():
        raise _bad(
            f"产品线代码须为大写：{line}",
            f"the product line must be capital letters: {line}",
        )
    if session.upper() not in SESSIONS or session != session.upper():
        raise _bad(
            f"生产时段须为 AM 或 PM：{session}",
            f"the session must be AM or PM: {session}",
        )
    if int(seq) == 0:
        raise _bad("序列号从 001 开始", "the sequence starts at 001")
    if known_lines is not None and line not in known_lines:
        raise _bad(f"未知产品线 {line}", f"unknown product line {line}")
    return BatchCode(day=day, line=line, session=session, seq=int(seq), variant=variant)

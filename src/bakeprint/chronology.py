"""The order of recorded times: one check for every service that records one.

A time someone records (a lot consumed, a batch packed, a van back…) must not
contradict what is already known: a lot is not used before it was received, a
batch is not packed before its post-cooling check, a shop does not sell what
it had not received yet. ``check`` refuses such a time with a message that
names both times in the bakery's time zone, with its offset, so the person can
see which one is wrong.

A time in the future is refused too, beyond ``CLOCK_SKEW``: a till's or a
phone's clock that runs a few minutes fast is normal and must not block the
counter, while anything further ahead is a typo (a wrong day or hour) that
would put the record out of order with everything recorded after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bakeprint import localtime
from bakeprint.db import utcnow
from bakeprint.errors import Invalid
from bakeprint.localtime import TEXT

CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Moment:
    """A time and what it is, as a bakery owner would say it in each language
    (e.g. "消耗时间" / "consumption time"). ``when`` None: not known (yet), so
    there is nothing to compare with."""

    when: datetime | None
    zh: str
    en: str


def shown(when: datetime, tz: str, *, seconds: bool = False) -> str:
    """``2025-12-03 07:10 +08:00``: the bakery's wall clock and its offset."""
    return localtime.text(when, tz, fmt="%Y-%m-%d %H:%M:%S" if seconds else TEXT)


def _pair(a: datetime, b: datetime, tz: str) -> tuple[str, str]:
    """Both times as shown; with seconds when minutes alone would read equal."""
    sa, sb = shown(a, tz), shown(b, tz)
    if sa == sb:
        sa, sb = shown(a, tz, seconds=True), shown(b, tz, seconds=True)
    return sa, sb


def _refuse(
    moment: Moment,
    other: Moment,
    *,
    tz: str,
    field: str | None,
    later: bool,
) -> Invalid:
    assert moment.when is not None and other.when is not None
    mine, theirs = _pair(moment.when, other.when, tz)
    zh_word, en_word = ("晚于", "after") if later else ("早于", "before")
    return Invalid(
        f"{moment.zh} {mine} {zh_word}{other.zh} {theirs}，请核对时间",
        f"{moment.en} {mine} is {en_word} {other.en} {theirs}: check the time",
        field=field,
        details={
            "time": localtime.iso(moment.when, tz),
            "other": localtime.iso(other.when, tz),
        },
    )


def not_in_future(
    moment: Moment, *, tz: str, field: str | None = None, now: datetime | None = None
) -> datetime:
    """The moment's time, unless it is more than ``CLOCK_SKEW`` ahead of now."""
    assert moment.when is not None
    now = now or utcnow()
    if moment.when > now + CLOCK_SKEW:
        minutes = int(CLOCK_SKEW.total_seconds() // 60)
        mine, current = _pair(moment.when, now, tz)
        raise Invalid(
            f"{moment.zh} {mine} 在将来：现在是 {current}"
            f"（时钟误差最多允许 {minutes} 分钟），请核对日期和时间",
            f"{moment.en} {mine} is in the future: it is now {current} (clocks may "
            f"differ by up to {minutes} minutes); check the date and time",
            field=field,
            details={
                "time": localtime.iso(moment.when, tz),
                "now": localtime.iso(now, tz),
            },
        )
    return moment.when


def check(
    moment: Moment,
    *,
    tz: str,
    field: str | None = None,
    not_before: Iterable[Moment] = (),
    not_after: Iterable[Moment] = (),
    future: bool = False,
) -> datetime:
    """The moment's time, if it is consistent with what is already recorded.

    Refused (``Invalid``, 422, naming both times) when it is before any of
    ``not_before`` or after any of ``not_after``; facts whose time is not known
    are skipped. Unless ``future``, a time ahead of now beyond the clock skew
    is refused as well.
    """
    assert moment.when is not None
    if not future:
        not_in_future(moment, tz=tz, field=field)
    for earlier in not_before:
        if earlier.when is not None and moment.when < earlier.when:
            raise _refuse(moment, earlier, tz=tz, field=field, later=False)
    for later in not_after:
        if later.when is not None and moment.when > later.when:
            raise _refuse(moment, later, tz=tz, field=field, later=True)
    return moment.when


def latest(times: Iterable[datetime | None]) -> datetime | None:
    """The latest known time (None when none is known)."""
    known = [t for t in times if t is not None]
    return max(known) if known else None


def earliest(times: Iterable[datetime | None]) -> datetime | None:
    """The earliest known time (None when none is known)."""
    known = [t for t in times if t is not None]
    return min(known) if known else None

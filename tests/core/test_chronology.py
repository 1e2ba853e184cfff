"""The one time-order check: both times named in the bakery's zone, told
apart by their seconds when they fall in the same minute; unknown facts
skipped; a plan may lie ahead."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bakeprint.chronology import Moment, check, shown
from bakeprint.db import utcnow
from bakeprint.errors import Invalid

TZ = "Asia/Shanghai"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_times_in_the_same_minute_are_told_apart_by_their_seconds():
    with pytest.raises(Invalid) as exc:
        check(
            Moment(t("2025-12-03T09:00:10+08:00"), "消耗时间", "the consumption time"),
            tz=TZ,
            not_before=[Moment(t("2025-12-03T09:00:40+08:00"), "入库时间", "intake")],
        )
    assert exc.value.zh == (
        "消耗时间 2025-12-03 09:00:10 +08:00 早于入库时间 "
        "2025-12-03 09:00:40 +08:00，请核对时间"
    )


def test_times_are_shown_on_the_bakerys_clock_whatever_zone_they_came_in():
    utc = t("2025-12-02T23:10:00+00:00")
    assert shown(utc, TZ) == "2025-12-03 07:10 +08:00"
    assert shown(utc, "Europe/Berlin") == "2025-12-03 00:10 +01:00"


def test_a_later_fact_bounds_from_above_and_unknown_facts_are_skipped():
    when = t("2025-12-03T15:45:00+08:00")
    assert (
        check(Moment(when, "a", "a"), tz=TZ, not_after=[Moment(None, "", "")]) == when
    )
    with pytest.raises(Invalid) as exc:
        check(
            Moment(when, "生产结束时间", "the end of production"),
            tz=TZ,
            not_after=[Moment(t("2025-12-03T15:30:00+08:00"), "检验时间", "check")],
        )
    assert "晚于" in exc.value.zh and " is after " in exc.value.en


def test_a_plan_may_be_ahead_and_a_record_may_not():
    ahead = Moment(utcnow() + timedelta(days=3), "计划返回时间", "the planned arrival")
    assert check(ahead, tz=TZ, future=True) == ahead.when
    with pytest.raises(Invalid) as exc:
        check(ahead, tz=TZ, field="at")
    assert exc.value.field == "at" and "in the future" in exc.value.en

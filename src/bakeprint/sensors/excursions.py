"""Excursions: runs of readings outside the allowed band (R2.5).

Pure functions on (time, value) points, shared by the alerts raised at ingest
and by a batch's environment, so both see the same excursion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

LEVEL1_MAX_PCT = 15.0
JOIN_GAP = timedelta(minutes=5)  # two stretches this close are one excursion


@dataclass
class Excursion:
    start: datetime
    end: datetime | None  # first reading back in range; None: still outside
    peak: float
    low: float | None
    high: float | None
    beyond_pct: float
    minutes: float

    @property
    def level(self) -> int:
        return 1 if self.beyond_pct <= LEVEL1_MAX_PCT else 2

    @property
    def until(self) -> datetime:
        """When it ended, or (still outside) the last reading seen."""
        return self.end or self.start + timedelta(minutes=self.minutes)


def beyond(value: float, low: float | None, high: float | None) -> float:
    """How far beyond the band, in % of the limit crossed (0 if inside)."""
    width = (high - low) if low is not None and high is not None else 0.0
    if high is not None and value > high:
        base = abs(high) or width or 1.0
        return (value - high) / base * 100
    if low is not None and value < low:
        base = abs(low) or width or 1.0
        return (low - value) / base * 100
    return 0.0


def detect(
    points: Sequence[tuple[datetime, float]],
    limits: Callable[[datetime], tuple[float | None, float | None]],
) -> list[Excursion]:
    """Runs of readings outside their band, with start, end and peak."""
    out: list[Excursion] = []
    run: list[tuple[datetime, float, float, float | None, float | None]] = []

    def close(end: datetime | None) -> None:
        if not run:
            return
        worst = max(run, key=lambda r: r[2])
        last = end or run[-1][0]
        exc = Excursion(
            start=run[0][0],
            end=end,
            peak=worst[1],
            low=worst[3],
            high=worst[4],
            beyond_pct=round(worst[2], 2),
            minutes=round((last - run[0][0]).total_seconds() / 60, 1),
        )
        if out and out[-1].end is not None and exc.start - out[-1].end <= JOIN_GAP:
            prev = out.pop()
            exc = Excursion(
                start=prev.start,
                end=exc.end,
                peak=exc.peak if exc.beyond_pct >= prev.beyond_pct else prev.peak,
                low=exc.low if exc.beyond_pct >= prev.beyond_pct else prev.low,
                high=exc.high if exc.beyond_pct >= prev.beyond_pct else prev.high,
                beyond_pct=max(exc.beyond_pct, prev.beyond_pct),
                minutes=round((last - prev.start).total_seconds() / 60, 1),
            )
        out.append(exc)
        run.clear()

    for when, value in points:
        low, high = limits(when)
        pct = beyond(value, low, high)
        if pct > 0:
            run.append((when, value, pct, low, high))
        else:
            close(when)
    close(None)
    return out

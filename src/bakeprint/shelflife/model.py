"""The dynamic shelf-life model (R3.3): pure functions, no database.

A product's standard shelf life ``L`` (the bakery's ``shelf_life_days``) is a
budget of ``L`` days spent at the category's reference conditions. Every hour
of the batch's real history spends it at a relative rate

    rate = hall × packaging × temperature(T) × humidity(RH) × exposure

- temperature: Ratkowsky's square-root model, sqrt(rate) ∝ (T − Tmin), so the
  rate relative to the reference temperature is ((T − Tmin)/(Tref − Tmin))²
  (0 at or below Tmin);
- humidity: 1 + k_rh × (RH − RH_ref) above the reference humidity (moisture
  taken up raises the water activity mould needs);
- hall: a product made in a humid hall carries that moisture for its whole
  life: 1 + k_hall × (peak hall RH − hall RH_ref) above the reference;
- packaging: a factor per packaging type (below 1 protects);
- exposure: hours between baking and shelving beyond the category's planned
  window count ``late_exposure`` times (unshelved, handled, in a van cabin).

After the known history the batch is assumed at the reference conditions.
The model's life is when the budget is spent; the effective life never
exceeds ``L`` (a prediction only ever shortens what the bakery set). The
reasons are the model's steps one factor at a time, in days.

docs/shelf-life.md explains each parameter and where its default comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

PACKAGING_TYPES = ("standard", "improved", "open")

# Defaults for every category until the bakery sets its own (version 0).
DEFAULTS: dict[str, Any] = {
    "t_ref_c": 20.0,
    "t_min_c": 2.0,
    "rh_ref_pct": 60.0,
    "k_rh_per_pct": 0.02,
    "hall_rh_ref_pct": 60.0,
    "k_hall_per_pct": 0.014,
    "planned_hours": 4.0,
    "late_exposure": 8.0,
    "packaging": {"standard": 1.0, "improved": 0.78, "open": 1.25},
    "default_packaging": "standard",
}

# name: (lowest, highest) a bakery may set
BOUNDS: dict[str, tuple[float, float]] = {
    "t_ref_c": (0.0, 40.0),
    "t_min_c": (-10.0, 15.0),
    "rh_ref_pct": (20.0, 95.0),
    "k_rh_per_pct": (0.0, 0.2),
    "hall_rh_ref_pct": (20.0, 95.0),
    "k_hall_per_pct": (0.0, 0.2),
    "planned_hours": (0.0, 72.0),
    "late_exposure": (1.0, 50.0),
}
PACKAGING_BOUNDS = (0.2, 5.0)


@dataclass(frozen=True)
class Params:
    t_ref_c: float
    t_min_c: float
    rh_ref_pct: float
    k_rh_per_pct: float
    hall_rh_ref_pct: float
    k_hall_per_pct: float
    planned_hours: float
    late_exposure: float
    packaging: dict[str, float]
    default_packaging: str

    @classmethod
    def of(cls, values: dict[str, Any]) -> Params:
        merged = {**DEFAULTS, **values}
        merged["packaging"] = {**DEFAULTS["packaging"], **values.get("packaging", {})}
        return cls(**{k: merged[k] for k in DEFAULTS})

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in DEFAULTS}


@dataclass(frozen=True)
class Interval:
    """A stretch of the batch's history at one place (mean conditions;
    None where that place has no sensor of the kind: reference assumed)."""

    start: datetime
    end: datetime
    temp_c: float | None = None
    rh_pct: float | None = None
    place: str = ""

    @property
    def hours(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds() / 3600)


@dataclass(frozen=True)
class History:
    baked_at: datetime  # the life counts from here
    intervals: list[Interval] = field(default_factory=list)
    hall_rh_pct: float | None = None  # peak hall humidity while it was made
    shelved_at: datetime | None = None  # first on a shop's shelf
    packaging: str | None = None


@dataclass(frozen=True)
class Reason:
    factor: str  # hall_humidity, storage, late_delivery, packaging
    days: float  # + lengthens, − shortens (model days)
    zh: str
    en: str


@dataclass(frozen=True)
class Prediction:
    standard_days: int
    model_days: float
    effective_days: float
    reasons: list[Reason]
    packaging: str

    @property
    def shortened(self) -> bool:
        return self.effective_days < self.standard_days

    def days_after_production(self) -> int:
        """Whole days to add to the production date for the best-before
        (rounded down: a date is only printed when the whole day is good)."""
        return math.floor(round(self.effective_days, 1))


def temperature_factor(p: Params, temp_c: float | None) -> float:
    if temp_c is None:
        return 1.0
    span = p.t_ref_c - p.t_min_c
    if span <= 0:
        return 1.0
    return (max(0.0, temp_c - p.t_min_c) / span) ** 2


def humidity_factor(p: Params, rh_pct: float | None) -> float:
    if rh_pct is None:
        return 1.0
    return 1.0 + p.k_rh_per_pct * max(0.0, rh_pct - p.rh_ref_pct)


def hall_factor(p: Params, rh_pct: float | None) -> float:
    if rh_pct is None:
        return 1.0
    return 1.0 + p.k_hall_per_pct * max(0.0, rh_pct - p.hall_rh_ref_pct)


def packaging_factor(p: Params, packaging: str) -> float:
    return p.packaging.get(packaging, 1.0)


def late_hours(p: Params, h: History) -> float:
    if h.shelved_at is None:
        return 0.0
    waited = (h.shelved_at - h.baked_at).total_seconds() / 3600
    return max(0.0, waited - p.planned_hours)


def _life(
    p: Params,
    h: History,
    standard_days: float,
    *,
    hall: bool,
    storage: bool,
    late: bool,
    packaging: str,
) -> float:
    """The model's life in days with the chosen factors switched on."""
    base = (hall_factor(p, h.hall_rh_pct) if hall else 1.0) * packaging_factor(
        p, packaging
    )
    budget = standard_days * 24.0
    late_from = None
    if late and h.shelved_at is not None:
        late_from = h.shelved_at - timedelta(hours=late_hours(p, h))
    spent = 0.0
    wall = 0.0
    for start, end, temp_c, rh_pct in timeline(h):
        hours = (end - start).total_seconds() / 3600
        rel = (
            temperature_factor(p, temp_c) * humidity_factor(p, rh_pct)
            if storage
            else 1.0
        )
        exposed = 0.0
        if late_from is not None and h.shelved_at is not None:
            a, b = max(start, late_from), min(end, h.shelved_at)
            exposed = max(0.0, (b - a).total_seconds() / 3600)
        cost = base * rel * (hours + (p.late_exposure - 1.0) * exposed)
        if spent + cost >= budget:  # the budget runs out in this stretch
            return (wall + hours * (budget - spent) / cost) / 24.0
        spent += cost
        wall += hours
    return (wall + (budget - spent) / base) / 24.0


Piece = tuple[datetime, datetime, float | None, float | None]


def timeline(h: History) -> list[Piece]:
    """The history from baking on as consecutive, non-overlapping stretches:
    where two places overlap (a van still on its round after the first shop
    received) the earlier place ends when the next begins; a gap (a place
    without sensors) is a stretch at the reference conditions."""
    out: list[Piece] = []
    cursor = h.baked_at
    ivs = sorted(h.intervals, key=lambda i: (i.start, i.end))
    for n, iv in enumerate(ivs):
        start = max(iv.start, cursor)
        end = iv.end
        if n + 1 < len(ivs):
            end = min(end, max(ivs[n + 1].start, start))
        if start > cursor:
            out.append((cursor, start, None, None))
        if end > start:
            out.append((start, end, iv.temp_c, iv.rh_pct))
            cursor = end
        cursor = max(cursor, start)
    if h.shelved_at is not None and h.shelved_at > cursor:
        out.append((cursor, h.shelved_at, None, None))
    return out


def _days(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


def predict(p: Params, h: History, standard_days: int) -> Prediction:
    """The batch's predicted life with the reasons, one factor at a time."""
    packaging = h.packaging or p.default_packaging
    # each step switches one more factor on: (factor, hall, storage, late, pack)
    steps = [
        ("hall_humidity", True, False, False, "standard"),
        ("storage", True, True, False, "standard"),
        ("late_delivery", True, True, True, "standard"),
        ("packaging", True, True, True, packaging),
    ]
    before = float(standard_days)
    reasons: list[Reason] = []
    for factor, hall, storage, late, pack in steps:
        after = _life(
            p, h, standard_days, hall=hall, storage=storage, late=late, packaging=pack
        )
        after = round(after, 1)  # reasons in tenths that add up exactly
        delta = round(after - before, 1)
        if delta != 0:
            zh, en = _words(factor, p, h, packaging, delta)
            reasons.append(Reason(factor, delta, zh, en))
        before = after
    model = round(before, 1)
    return Prediction(
        standard_days=standard_days,
        model_days=model,
        effective_days=min(model, float(standard_days)),
        reasons=reasons,
        packaging=packaging,
    )


PACKAGING_WORDS = {
    "standard": ("标准包装", "standard packaging"),
    "improved": ("改良包装", "improved packaging"),
    "open": ("无包装", "unpackaged"),
}


def _words(
    factor: str, p: Params, h: History, packaging: str, delta: float
) -> tuple[str, str]:
    d = f"{_days(delta)} 天"
    d_en = f"{_days(delta)} days"
    if factor == "hall_humidity":
        rh = f"{h.hall_rh_pct:.0f}%"
        return f"湿度 {rh} 生产 {d}", f"made at {rh} humidity {d_en}"
    if factor == "late_delivery":
        late = late_hours(p, h)
        if late >= 1:
            hrs = f"{late:.1f}".rstrip("0").rstrip(".")
            return f"配送延迟 {hrs} h {d}", f"delivered {hrs} h late {d_en}"
        mins = f"{late * 60:.0f}"
        return f"配送延迟 {mins} 分钟 {d}", f"delivered {mins} min late {d_en}"
    if factor == "packaging":
        zh, en = PACKAGING_WORDS.get(packaging, (packaging, packaging))
        return f"{zh} {d}", f"{en} {d_en}"
    temps = [iv for iv in h.intervals if iv.temp_c is not None and iv.hours > 0]
    hours = sum(iv.hours for iv in temps)
    if hours:
        mean = (
            sum(iv.temp_c * iv.hours for iv in temps if iv.temp_c is not None) / hours
        )
        return (
            f"储存温度 平均 {mean:.0f}°C {d}",
            f"kept at {mean:.0f} °C on average {d_en}",
        )
    return f"储存条件 {d}", f"storage conditions {d_en}"

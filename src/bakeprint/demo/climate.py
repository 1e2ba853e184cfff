"""The demo's sensors: the hall's humidity and temperature, the cold room and
the shop's display, a reading a minute, through the real ingest path.

The hall is kept at ≤ 70 % humidity. It is a damp winter: humidity drifts with
the weather and the ovens, and twice it goes over — briefly on 2025-11-21
(acknowledged by the production lead), and on 2025-12-03 from 14:10 to 15:35,
at 75 %, while 251203-SS-PM-002 was being made: the brief's case.
The vans' cabin thermometers are fed by the trips themselves (distribution.py).
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bakeprint.alerts import environment as alerts
from bakeprint.db import utcnow
from bakeprint.demo import data as D
from bakeprint.identity.service import Actor
from bakeprint.sensors import service as sensors

TZ = ZoneInfo(D.TIMEZONE)
STEP = timedelta(minutes=1)
SENSORS = [
    # code, kind, place kind, place, name
    ("HALL-1-RH", "humidity", "location", "HALL-1", "生产车间湿度"),
    ("HALL-1-T", "temperature", "location", "HALL-1", "生产车间温度"),
    ("COLD-1-T", "temperature", "location", "COLD-1", "冷库温度"),
    ("VAN-1-T", "temperature", "vehicle", "VAN-1", "1号车车厢温度"),
    ("VAN-2-T", "temperature", "vehicle", "VAN-2", "2号车车厢温度"),
    ("CITY-LIB-T", "temperature", "point_of_sale", "CITY-LIB", "城市书房展柜温度"),
]
RANGES = [
    # kind, place kind, place, low, high, reason
    ("humidity", "location", "HALL-1", None, 70.0, "车间湿度标准 ≤ 70%（防酥皮回软）"),
    ("temperature", "location", "HALL-1", 16.0, 28.0, "车间温度 16–28 °C"),
    ("temperature", "location", "COLD-1", 0.0, 4.0, "冷库 0–4 °C"),
    ("temperature", "vehicle", "VAN-1", 0.0, 8.0, "冷链车厢 0–8 °C"),
    ("temperature", "vehicle", "VAN-2", 0.0, 8.0, "冷链车厢 0–8 °C"),
    ("temperature", "point_of_sale", "CITY-LIB", 2.0, 10.0, "冷藏展柜 2–10 °C"),
]
# (day, from, to, peak) — humidity episodes above the standard
HUMID = [
    (date(2025, 11, 21), time(10, 5), time(10, 25), 71.5),
    (date(2025, 12, 3), time(14, 10), time(15, 35), 75.0),
]


def install(session: Session, actor: Actor) -> None:
    start = datetime.combine(D.FIRST_DAY, time(0, 0), TZ) - timedelta(days=7)
    for code, kind, place_kind, place, name in SENSORS:
        sensors.register(
            session,
            code=code,
            kind=kind,
            place_kind=place_kind,
            place=place,
            name=name,
            actor=actor,
        )
    for kind, place_kind, place, low, high, reason in RANGES:
        sensors.set_range(
            session,
            kind=kind,
            place_kind=place_kind,
            place=place,
            low=low,
            high=high,
            valid_from=start,
            reason=reason,
            actor=actor,
        )


def _humidity(when: datetime, weather: float, rng: random.Random) -> float:
    local = when.astimezone(TZ)
    hour = local.hour + local.minute / 60
    ovens = 4.0 if 8 <= hour < 17 else 0.0  # steam from proofing and baking
    value = 56 + weather + ovens + 3 * math.sin((hour - 6) / 24 * 2 * math.pi)
    value += rng.uniform(-0.6, 0.6)
    for day, a, b, peak in HUMID:
        if local.date() == day:
            start = datetime.combine(day, a, TZ)
            end = datetime.combine(day, b, TZ)
            if start <= local <= end:
                ramp = min(
                    (local - start).total_seconds(), (end - local).total_seconds()
                )
                return round(min(peak, 70.5 + ramp / 60 * 1.5), 1)
    return round(min(value, 69.4), 1)


def day_readings(day: date, rng: random.Random) -> list[sensors.RawReading]:
    """One day of readings for the fixed sensors (vans come with their trips)."""
    weather = rng.uniform(-3, 5)
    t = datetime.combine(day, time(0, 0), TZ)
    end = t + timedelta(days=1)
    rows: list[sensors.RawReading] = []
    while t < end:
        local_hour = t.astimezone(TZ).hour
        hot = 8 <= local_hour < 17
        rows += [
            sensors.RawReading("HALL-1-RH", t, _humidity(t, weather, rng), "%RH"),
            sensors.RawReading(
                "HALL-1-T",
                t,
                round((24.5 if hot else 19.0) + rng.uniform(-0.8, 0.8), 1),
                "°C",
            ),
            sensors.RawReading("COLD-1-T", t, round(2.6 + rng.uniform(-0.7, 0.7), 1)),
            sensors.RawReading(
                "CITY-LIB-T", t, round(5.5 + rng.uniform(-1.0, 1.0), 1), "°C"
            ),
        ]
        t += STEP
    return rows


class Feed:
    """The sensors' readings as they stream in: each step of the demo's day
    ingests what was read up to its time (never a reading from its future)."""

    def __init__(self, session: Session, tenant_id: Any, rng: random.Random) -> None:
        self.session, self.tenant_id, self.rng = session, tenant_id, rng
        self.waiting: list[sensors.RawReading] = []
        self.accepted = 0

    def add_day(self, day: date) -> None:
        self.waiting += day_readings(day, self.rng)

    def until(self, now: datetime) -> None:
        due = [r for r in self.waiting if r.at <= now]
        if not due:
            return
        self.waiting = self.waiting[len(due) :]
        result = sensors.ingest(self.session, self.tenant_id, due, source="demo")
        self.accepted += result.accepted


def acknowledge_old(session: Session, actor: Actor, before: date) -> None:
    """The production lead sees the alerts of past weeks and handles them
    once the humidity is back to normal."""
    cutoff = datetime.combine(before, time(0, 0), TZ)
    now = utcnow()
    for a in alerts.alerts(session, actor.tenant_id, status="open"):
        over = a.ended_at is not None and a.ended_at + timedelta(minutes=10) <= now
        if a.started_at < cutoff and over:
            alerts.acknowledge(
                session, a.id, note="已开启除湿机，湿度恢复正常", actor=actor
            )

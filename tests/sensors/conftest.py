"""A bakery with a humidity and a temperature sensor in the production hall,
a cabin sensor in van #2, and the hall's standard: humidity ≤ 70 %."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bakeprint.sensors import service as sensors
from tests.packaging.conftest import cat  # noqa: F401
from tests.production.conftest import T0

SINCE = T0 - timedelta(days=30)


@pytest.fixture
def hall(session: Session, bakery, cat) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    return make_hall(session, bakery, cat)


def make_hall(session: Session, bakery, cat) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    a = bakery.actor
    rh = sensors.register(
        session,
        code="HALL-1-RH",
        kind="humidity",
        place_kind="location",
        place="HALL-1",
        actor=a,
    )
    temp = sensors.register(
        session,
        code="HALL-1-T",
        kind="temperature",
        place_kind="location",
        place="HALL-1",
        actor=a,
    )
    cabin = sensors.register(
        session,
        code="VAN-2-T",
        kind="temperature",
        place_kind="vehicle",
        place="VAN-2",
        actor=a,
    )
    sensors.set_range(
        session,
        kind="humidity",
        place_kind="location",
        place="HALL-1",
        low=None,
        high=70.0,
        valid_from=SINCE,
        actor=a,
    )
    sensors.set_range(
        session,
        kind="temperature",
        place_kind="vehicle",
        place="VAN-2",
        low=0.0,
        high=8.0,
        valid_from=SINCE,
        actor=a,
    )
    return {"rh": rh, "temp": temp, "cabin": cabin, **cat}


def series(
    code: str, start: datetime, values: list[float], step_s: int = 60
) -> list[sensors.RawReading]:
    return [
        sensors.RawReading(code, (start + timedelta(seconds=i * step_s)).isoformat(), v)
        for i, v in enumerate(values)
    ]

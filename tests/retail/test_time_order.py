"""A shop cannot receive a delivery before it was dropped off, nor shelve,
sell, waste or return what it had not received yet. Each refusal names both
times in the bakery's time zone and changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.errors import Invalid
from bakeprint.events.models import Event
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Delivery
from bakeprint.logistics.schemas import DeliveryCreate, LoadCreate, TripCreate
from bakeprint.production.models import Batch
from bakeprint.retail import service as retail
from bakeprint.retail.models import ShopStock
from bakeprint.retail.schemas import (
    ReceiptCreate,
    RemovalCreate,
    SaleCreate,
    ShelfCreate,
)


def at(hhmm: str) -> datetime:
    """A wall-clock time in Shanghai on 2025-12-03."""
    return datetime.fromisoformat(f"2025-12-03T{hhmm}:00+08:00")


def _drop(session: Session, bakery: Any, batch: Batch, when: datetime) -> Delivery:
    a = bakery.actor
    trip = logistics.create_trip(session, TripCreate(vehicle="VAN-2"), actor=a)
    logistics.load(
        session, trip.code, LoadCreate(batch=batch.code, quantity=20, at=when), actor=a
    )
    logistics.depart(session, trip.code, at=when, actor=a)
    return logistics.deliver(
        session,
        trip.code,
        DeliveryCreate(
            point_of_sale="CITY-LIB", batch=batch.code, quantity=20, at=when
        ),
        actor=a,
    )


def _state(session: Session, tenant_id: Any) -> tuple[Any, ...]:
    events = select(func.count()).select_from(Event).where(Event.tenant_id == tenant_id)
    stock = session.scalars(
        select(ShopStock).where(ShopStock.tenant_id == tenant_id)
    ).all()
    return (
        session.scalar(events),
        [(s.received, s.sold, s.wasted, s.returned, s.shelved_at) for s in stock],
    )


def refused(session: Session, bakery: Any, call: Any, mine: str, other: str) -> Invalid:
    before = _state(session, bakery.tenant.id)
    with pytest.raises(Invalid) as exc:
        call()
    for text in (mine, other):
        assert text in exc.value.zh and text in exc.value.en
    assert exc.value.field == "at"
    assert _state(session, bakery.tenant.id) == before
    return exc.value


def test_a_delivery_is_not_received_before_it_was_dropped_off(session, bakery, packed):
    drop = _drop(session, bakery, packed, at("17:00"))
    err = refused(
        session,
        bakery,
        lambda: retail.receive(
            session,
            "CITY-LIB",
            ReceiptCreate(delivery_id=drop.id, quantity=20, at=at("16:50")),
            actor=bakery.actor,
        ),
        "2025-12-03 16:50 +08:00",
        "2025-12-03 17:00 +08:00",
    )
    assert err.zh.startswith("收货时间 2025-12-03 16:50 +08:00 早于")
    assert drop.received == 0


@pytest.mark.parametrize(
    ("doing", "zh"),
    [
        (
            lambda s, a, b, t: retail.shelve(
                s, "CITY-LIB", ShelfCreate(batch=b, at=t), actor=a
            ),
            "上架时间",
        ),
        (
            lambda s, a, b, t: retail.sell(
                s, "CITY-LIB", SaleCreate(batch=b, quantity=2, at=t), actor=a
            ),
            "销售时间",
        ),
        (
            lambda s, a, b, t: retail.remove(
                s,
                "CITY-LIB",
                RemovalCreate(batch=b, quantity=2, reason="压坏", at=t),
                actor=a,
                returned=False,
            ),
            "报损时间",
        ),
        (
            lambda s, a, b, t: retail.remove(
                s,
                "CITY-LIB",
                RemovalCreate(batch=b, quantity=2, reason="多送", at=t),
                actor=a,
                returned=True,
            ),
            "退回时间",
        ),
    ],
    ids=["shelve", "sell", "waste", "return"],
)
def test_nothing_is_done_with_a_batch_before_the_shop_received_it(
    session, bakery, packed, doing, zh
):
    drop = _drop(session, bakery, packed, at("17:00"))
    # entered late and out of order: the earliest receipt is what counts
    retail.receive(
        session,
        "CITY-LIB",
        ReceiptCreate(delivery_id=drop.id, quantity=10, at=at("17:40")),
        actor=bakery.actor,
    )
    retail.receive(
        session,
        "CITY-LIB",
        ReceiptCreate(delivery_id=drop.id, quantity=10, at=at("17:20")),
        actor=bakery.actor,
    )
    err = refused(
        session,
        bakery,
        lambda: doing(session, bakery.actor, packed.code, at("17:10")),
        "2025-12-03 17:10 +08:00",
        "2025-12-03 17:20 +08:00",
    )
    assert err.zh.startswith(f"{zh} 2025-12-03 17:10 +08:00 早于")
    doing(session, bakery.actor, packed.code, at("17:30"))

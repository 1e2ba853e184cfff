"""A packed batch, made through the real services, for the forward chain."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bakeprint.production import service as production
from bakeprint.production.models import Batch
from bakeprint.production.schemas import BatchComplete, BatchCreate, PackCreate
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCreate
from tests.factories import make_catalog
from tests.production.conftest import T0


def pack_a_batch(
    session: Session,
    actor,
    cat: dict[str, Any],
    *,  # type: ignore[no-untyped-def]
    quantity: int = 30,
    minutes: int = 0,
    location: str | None = None,
) -> Batch:
    start = T0 + timedelta(minutes=minutes)
    batch = production.start_batch(
        session,
        BatchCreate(
            product_gtin=cat["product"].gtin,
            planned_quantity=quantity,
            operators=["WANG-03"],
            equipment=["OVEN-3"],
            location=location,
            started_at=start,
        ),
        actor=actor,
    )
    production.complete_batch(
        session,
        batch.code,
        BatchComplete(produced_quantity=quantity, ended_at=start + timedelta(hours=1)),
        actor=actor,
    )
    quality.record(
        session,
        batch.code,
        CheckpointCreate(
            stage="post_cooling",
            passed=True,
            notes="内部备注：色泽正常",
            inspector="WANG-03",
            checked_at=start + timedelta(hours=1, minutes=30),
        ),
        actor=actor,
    )
    return production.pack_batch(
        session,
        batch.code,
        PackCreate(quantity=quantity, packed_at=start + timedelta(hours=2)),
        actor=actor,
    )


@pytest.fixture
def cat(session: Session, bakery) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return make_catalog(session, bakery.tenant.id)


@pytest.fixture
def packed(session: Session, bakery, cat) -> Batch:  # type: ignore[no-untyped-def]
    return pack_a_batch(session, bakery.actor, cat)

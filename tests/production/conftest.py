from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bakeprint.materials.models import MaterialLot
from tests.factories import add, make_catalog

T0 = datetime(2025, 12, 3, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai: PM


@pytest.fixture
def cat(session: Session, bakery) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return make_catalog(session, bakery.tenant.id)


def make_lot(
    session: Session,
    cat: dict[str, Any],
    *,
    code: str = "RM-1",
    material: str = "sakura",
    supplier: str = "supplier_b",
    qc: str = "pass",
    quantity: float = 5.0,
    expires: date = date(2025, 12, 20),
    score: int = 96,
) -> MaterialLot:
    return add(
        session,
        MaterialLot(
            tenant_id=cat["line"].tenant_id,
            code=code,
            material_type_id=cat[material].id,
            supplier_id=cat[supplier].id,
            supplier_lot="LOT25S-45",
            received_at=datetime(2025, 12, 2, 2, tzinfo=UTC),
            quantity=quantity,
            unit="kg",
            expires_on=expires,
            qc_result=qc,
            quality_score=score,
        ),
    )

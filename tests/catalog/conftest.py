from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_catalog


@pytest.fixture
def cat(session: Session, bakery) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """make_catalog's master data in the test bakery (line SS, OVEN-3, WANG-03…)."""
    return make_catalog(session, bakery.tenant.id)

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_catalog


@pytest.fixture
def cat(session: Session, bakery) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return make_catalog(session, bakery.tenant.id)


@pytest.fixture(autouse=True)
def files_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("bakeprint.config.settings.files_dir", tmp_path / "files")
    return tmp_path / "files"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

"""A packed batch (from tests/packaging) for the resolver's tests."""

from __future__ import annotations

from tests.packaging.conftest import cat, packed

__all__ = ["cat", "packed"]

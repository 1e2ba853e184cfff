from tests.packaging.conftest import cat, packed  # noqa: F401

"""Server-rendered pages."""

from __future__ import annotations

from fastapi import FastAPI


def include(app: FastAPI) -> None:
    return None

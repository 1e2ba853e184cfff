"""ASGI entry point for uvicorn workers."""

from bakeprint.app import create_app

app = create_app()

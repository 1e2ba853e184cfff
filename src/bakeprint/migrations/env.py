"""Alembic environment: runs on the connection given by bakeprint, or on
BAKEPRINT_DATABASE_URL."""

from __future__ import annotations

from typing import Any

from alembic import context

from bakeprint.config import settings
from bakeprint.db import make_engine
from bakeprint.migrate import compare_type, render_item
from bakeprint.models import metadata

config = context.config


def run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=compare_type,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(
        config.get_main_option("sqlalchemy.url") or settings.database_url
    )
    with engine.connect() as conn:
        run(conn)
        conn.commit()
    engine.dispose()

"""Alembic environment: runs on the connection given by bakeprint, or on
BAKEPRINT_DATABASE_URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import types as satypes

from bakeprint.config import settings
from bakeprint.db import UTCDateTime, make_engine
from bakeprint.models import metadata

config = context.config


def render_item(type_: str, obj: Any, autogen_context: Any) -> Any:
    # Keep migrations free of app imports: UTCDateTime is a timestamptz.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def compare_type(
    ctx: Any, inspected: Any, metadata_col: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, satypes.DateTime)
    return None


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

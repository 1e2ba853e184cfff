"""Gap-free, duplicate-free counters for human codes (trips, recalls).

``next_value`` is one atomic upsert inside the caller's transaction: two
concurrent callers queue on the row and get different numbers; a rolled-back
caller gives its number back. The first value of a counter continues from
``start_after`` (what already exists), so adopting it never reuses a code.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, Session, mapped_column

from bakeprint.db import Base, upsert_insert


class CodeSequence(Base):
    __tablename__ = "code_sequences"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # T-251203-VAN-2
    last_value: Mapped[int] = mapped_column(Integer)


def next_value(
    session: Session, tenant_id: uuid.UUID, name: str, *, start_after: int = 0
) -> int:
    insert = upsert_insert(session)
    stmt = (
        insert(CodeSequence)
        .values(tenant_id=tenant_id, name=name, last_value=start_after + 1)
        .on_conflict_do_update(
            index_elements=["tenant_id", "name"],
            set_={"last_value": CodeSequence.last_value + 1},
        )
        .returning(CodeSequence.last_value)
    )
    return int(session.execute(stmt).scalar_one())

"""Dead letters: readings that could not be stored, grouped by sensor and reason.

A gateway that is wrong is usually wrong the same way for every reading (an
unregistered sensor, a clock in the future), and one row per reading let one
upload of 11 MB write 200,000 rows (issue 17, item 10). So an upload's
refused readings are grouped in memory by (sensor, reason) — the reason in
stable words, the precise detail kept with the example — and each group is
one upsert: its count grows, its last example and time move on, its first
stay. An upload keeps at most ``MAX_GROUPS`` groups apart; the rest are
counted together in one overflow group. Nothing refused is lost: every
reading is counted in exactly one group and in the upload's answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.db import new_id, upsert_insert
from bakeprint.sensors.models import DeadLetterGroup

MAX_GROUPS = 100  # per upload
PAYLOAD_CHARS = 2000
OVERFLOW_SENSOR = "*"
OVERFLOW_REASON = "more kinds of refused readings in one upload than are kept apart"


class Rejected(Exception):
    """A reading that cannot be stored. ``reason`` groups it, so it must not
    carry the reading's own values; ``detail`` says what was wrong with it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason[:300]
        self.detail = (detail or reason)[:300]


@dataclass
class Group:
    count: int
    first: dict[str, str]
    last: dict[str, str]


@dataclass
class DeadLetters:
    """One upload's refused readings, grouped."""

    source: str = ""
    cap: int = MAX_GROUPS
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    total: int = 0

    def add(self, sensor: str, why: Rejected, payload: str) -> None:
        self.total += 1
        key = (sensor[:120], why.reason)
        detail = why.detail
        if key not in self.groups and len(self.groups) >= self.cap:
            key = (OVERFLOW_SENSOR, OVERFLOW_REASON)
            detail = f"{sensor[:40]}: {why.detail}"[:300]
        example = {
            "source": self.source,
            "payload": payload[:PAYLOAD_CHARS],
            "detail": detail,
        }
        group = self.groups.get(key)
        if group is None:
            self.groups[key] = Group(1, example, example)
        else:
            group.count += 1
            group.last = example

    def summary(self, limit: int = 50) -> list[dict[str, Any]]:
        """The largest groups: sensor, reason, how many, the first one's detail."""
        ranked = sorted(self.groups.items(), key=lambda kv: (-kv[1].count, kv[0]))
        return [
            {"sensor": s, "reason": r, "count": g.count, "example": g.first["detail"]}
            for (s, r), g in ranked[:limit]
        ]

    def store(self, session: Session, tenant_id: uuid.UUID, now: datetime) -> None:
        """One upsert per group, in key order, so two uploads touching the same
        groups take their row locks in the same order (no deadlock)."""
        insert = upsert_insert(session)
        for (sensor, reason), g in sorted(self.groups.items()):
            stmt = insert(DeadLetterGroup).values(
                tenant_id=tenant_id,
                id=new_id(),
                created_at=now,
                sensor_code=sensor,
                reason=reason,
                count=g.count,
                first_seen=now,
                last_seen=now,
                first_example=g.first,
                last_example=g.last,
            )
            session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["tenant_id", "sensor_code", "reason"],
                    set_={
                        "count": DeadLetterGroup.count + stmt.excluded.count,
                        "last_seen": stmt.excluded.last_seen,
                        "last_example": stmt.excluded.last_example,
                    },
                )
            )


def groups(
    session: Session, tenant_id: uuid.UUID, limit: int = 100
) -> list[DeadLetterGroup]:
    """The bakery's dead-letter groups, the most recently added to first."""
    return list(
        session.scalars(
            select(DeadLetterGroup)
            .where(DeadLetterGroup.tenant_id == tenant_id)
            .order_by(DeadLetterGroup.last_seen.desc(), DeadLetterGroup.sensor_code)
            .limit(limit)
        )
    )

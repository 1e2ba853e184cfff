"""Time `events.append` alone: N events into one bakery's hash chain in one
session on a fresh SQLite file (or the database URL given), in CPU seconds,
then check the chain verifies. Usage: python bench/append_chain.py [URL]"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime

from bakeprint import migrate
from bakeprint.db import Database
from bakeprint.events import service as events
from bakeprint.identity import service as identity

N = 2000


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/b.db"
    db = Database(url)
    migrate.upgrade(db.engine)
    with db.session() as s:
        tenant = identity.create_tenant(s, slug=f"append-{os.getpid()}", name="x")
        s.flush()
        cpu = time.process_time()
        for i in range(N):
            events.append(
                s,
                tenant_id=tenant.id,
                kind="test",
                subject=f"thing:{i % 50}",
                event_type="ObjectEvent",
                action="OBSERVE",
                biz_step="inspecting",
                event_time=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
                fields={"epcList": [f"urn:test:{i}"]},
                actor="user:owner",
            )
        cpu = time.process_time() - cpu
        count, problems = events.verify(s, tenant.id)
        assert count == N and not problems, problems
    db.dispose()
    print(
        f"{db.engine.dialect.name}: {N} appends, {cpu:.2f} s CPU = "
        f"{N / cpu:.0f} events/s"
    )


if __name__ == "__main__":
    main()

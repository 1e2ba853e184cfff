"""Rate limits for what anyone can reach without signing in: the public scan
page and its forms (resolver) and the login form.

A fixed one-minute window per client address, counted in the database with one
atomic upsert, so every worker process (``bakeprint serve --workers N``) and
every server behind a load balancer shares the same count — nothing is kept in
process memory. Over the limit: HTTP 429 with ``Retry-After`` and a message in
the visitor's language. The counter table holds no tenant: the visitor is not
anyone's yet. Old windows are deleted as new ones open.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import Request
from sqlalchemy import BigInteger, Integer, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from bakeprint.config import settings
from bakeprint.db import Base, upsert_insert
from bakeprint.deps import WriterDep
from bakeprint.errors import BakeprintError

WINDOW_S = 60


class RateCounter(Base):
    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # scope:address
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch minute
    count: Mapped[int] = mapped_column(Integer)


class TooManyRequests(BakeprintError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"请求太频繁，请 {retry_after} 秒后再试",
            f"too many requests: try again in {retry_after} s",
        )
        self.headers = {"Retry-After": str(retry_after)}


def hit(session: Session, key: str, window: int) -> int:
    """Count one request for ``key`` in ``window``; return the count so far."""
    insert = upsert_insert(session)
    count = int(
        session.execute(
            insert(RateCounter)
            .values(key=key, window=window, count=1)
            .on_conflict_do_update(
                index_elements=["key", "window"],
                set_={"count": RateCounter.count + 1},
            )
            .returning(RateCounter.count)
        ).scalar_one()
    )
    if count == 1:  # a new window: forget the ones before the last
        session.execute(delete(RateCounter).where(RateCounter.window < window - 1))
    return count


def client_address(request: Request) -> str:
    # uvicorn runs with proxy_headers: behind a trusted proxy this is the
    # visitor's address from X-Forwarded-For, otherwise the peer's
    return request.client.host if request.client else "unknown"


def limited(scope: str) -> Callable[..., None]:
    """A dependency: at most ``settings.public_rate_limit`` requests a minute
    per client address for this scope."""

    def check(request: Request, writer: WriterDep) -> None:
        limit = settings.public_rate_limit
        if limit <= 0:
            return
        now = time.time()
        window = int(now // WINDOW_S)
        key = f"{scope}:{client_address(request)}"[:120]
        if writer(lambda s: hit(s, key, window)) > limit:
            raise TooManyRequests(int(WINDOW_S - now % WINDOW_S) + 1)

    return check

"""Password login with a per-account backoff.

The public login form is also limited per client address (``ratelimit``);
this limits guessing one account's password from many addresses. After
``settings.login_free_attempts`` failures in a row an account name must wait
30 s before the next try, and each further failure doubles the wait, up to
15 minutes; a success starts over, and so does an hour without failures.
Names that do not exist are counted the same way, so neither the answer nor
the waiting tells which names exist.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bakeprint.config import settings
from bakeprint.db import upsert_insert, utcnow
from bakeprint.errors import BakeprintError, Unauthorized
from bakeprint.identity.models import LoginFailure, User
from bakeprint.identity.service import authenticate_password, tenant_by_slug

FIRST_WAIT_S = 30
LONGEST_WAIT_S = 15 * 60
FORGET_AFTER = timedelta(hours=1)


class AccountLocked(BakeprintError):
    status = 429
    code = "login_locked"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"此账号登录失败次数过多，请 {retry_after} 秒后再试",
            f"too many failed logins for this account: try again in {retry_after} s",
        )
        self.headers = {"Retry-After": str(retry_after)}


def wait_after(failures: int) -> int:
    """Seconds an account waits after this many failures in a row."""
    over = failures - settings.login_free_attempts
    if over < 0:
        return 0
    return min(LONGEST_WAIT_S, FIRST_WAIT_S * 2 ** min(over, 10))


def log_in(
    session: Session,
    slug: str,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
) -> User:
    """The user, if the password is right and the account is not waiting;
    a failure is counted (in this transaction: the caller commits it)."""
    now = now or utcnow()
    name = username[:64]
    tenant = tenant_by_slug(session, slug.strip().lower())
    row = _failures(session, tenant.id, name) if tenant else None
    if row is not None and row.locked_until is not None and row.locked_until > now:
        # not even checked: a right password now must not tell a guesser so
        raise AccountLocked(math.ceil((row.locked_until - now).total_seconds()))
    try:
        user = authenticate_password(session, slug, username, password)
    except Unauthorized:
        if tenant is not None:
            _count_failure(session, tenant.id, name, now)
        raise
    if row is not None:
        _forget(session, user.tenant_id, name)
    return user


def _failures(session: Session, tenant_id: uuid.UUID, name: str) -> Any:
    """The account name's failures (columns, not an ORM object: the count is
    changed by statements below, which must not meet a stale copy)."""
    return session.execute(
        select(LoginFailure.last_failed_at, LoginFailure.locked_until).where(
            LoginFailure.tenant_id == tenant_id, LoginFailure.username == name
        )
    ).first()


def _forget(session: Session, tenant_id: uuid.UUID, name: str) -> None:
    session.execute(
        delete(LoginFailure)
        .where(LoginFailure.tenant_id == tenant_id, LoginFailure.username == name)
        .execution_options(synchronize_session=False)
    )


def _count_failure(
    session: Session, tenant_id: uuid.UUID, name: str, now: datetime
) -> None:
    # names quiet for an hour start over — this one, and every other of the
    # bakery's, so made-up names tried once do not pile up
    session.execute(
        delete(LoginFailure)
        .where(
            LoginFailure.tenant_id == tenant_id,
            LoginFailure.last_failed_at < now - FORGET_AFTER,
            or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < now),
        )
        .execution_options(synchronize_session=False)
    )
    insert = upsert_insert(session)
    # one atomic increment: concurrent failures are all counted
    failures = int(
        session.execute(
            insert(LoginFailure)
            .values(tenant_id=tenant_id, username=name, failures=1, last_failed_at=now)
            .on_conflict_do_update(
                index_elements=["tenant_id", "username"],
                set_={"failures": LoginFailure.failures + 1, "last_failed_at": now},
            )
            .returning(LoginFailure.failures)
        ).scalar_one()
    )
    wait = wait_after(failures)
    if wait:
        session.execute(
            update(LoginFailure)
            .where(LoginFailure.tenant_id == tenant_id, LoginFailure.username == name)
            .values(locked_until=now + timedelta(seconds=wait))
            .execution_options(synchronize_session=False)
        )

"""Page-side login: a signed session cookie, CSRF tokens on every form."""

from __future__ import annotations

import contextlib
import hmac
import secrets
import uuid
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.deps import SessionDep, session_login
from bakeprint.identity import service as identity
from bakeprint.identity import sessions
from bakeprint.identity.models import Tenant, User
from bakeprint.identity.service import Actor
from bakeprint.web.names import Names


class LoginRequired(Exception):
    """Raised by page dependencies; the app redirects to /login."""


class PageForbidden(Exception):
    def __init__(self, action: str) -> None:
        self.action = action


class CsrfFailed(Exception):
    pass


class PageUser:
    def __init__(
        self, actor: Actor, user: User, tenant: Tenant, names: Names | None = None
    ) -> None:
        self.actor, self.user, self.tenant = actor, user, tenant
        self.names = names

    def require(self, action: str) -> None:
        if not self.actor.can(action):
            raise PageForbidden(action)


def log_in(request: Request, session: Session, user: User) -> None:
    """A new login kept on the server; the cookie starts afresh (a new CSRF
    token too), so nothing set before logging in carries over."""
    secret = sessions.start(session, user)
    request.session.clear()
    request.session.update(
        {
            "tid": str(user.tenant_id),
            "sid": secret,
            "csrf": secrets.token_urlsafe(24),
        }
    )


def log_out(request: Request, session: Session) -> None:
    """End this login on the server, so the cookie is worthless even to
    whoever copied it."""
    tid, sid = request.session.get("tid"), request.session.get("sid")
    if tid and isinstance(sid, str):
        with contextlib.suppress(ValueError):  # a cookie from nowhere: nothing to end
            sessions.end(session, uuid.UUID(str(tid)), sid)
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, form: Any) -> None:
    sent = str(form.get("csrf") or "")
    expected = str(request.session.get("csrf") or "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


def _page_user(request: Request, session: SessionDep) -> PageUser:
    found = session_login(request, session)
    if found is None:
        raise LoginRequired()
    user, login = found
    tenant = session.get(Tenant, user.tenant_id)
    if tenant is None:
        raise LoginRequired()
    request.state.tz = tenant.timezone
    localtime.use(tenant.timezone)
    return PageUser(
        identity.actor_for(user, via="web", session_id=login.id),
        user,
        tenant,
        Names(session, tenant.id),
    )


CurrentUser = Annotated[PageUser, Depends(_page_user)]


def nested(session: Session) -> Any:
    """A savepoint for a form's command: a refused command leaves nothing."""
    return session.begin_nested()

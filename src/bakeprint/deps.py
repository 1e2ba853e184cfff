"""FastAPI dependencies: the request's transaction, the caller, the language."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from bakeprint import localtime
from bakeprint.db import Database
from bakeprint.errors import Unauthorized
from bakeprint.identity import service as identity
from bakeprint.identity import sessions
from bakeprint.identity.models import Tenant, User, WebSession
from bakeprint.identity.service import Actor
from bakeprint.web.lang import lang_of

T = TypeVar("T")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    """One request = one transaction: committed on success, rolled back on error."""
    db = get_db(request)
    with db.session(write=request.method not in SAFE_METHODS) as session:
        yield session


class Writer:
    """Runs ``work(session)`` in its own short writing transaction, apart from
    the request's (counting a scan, a rate-limit hit): the page itself stays a
    read, and on SQLite concurrent requests queue for a millisecond-long write
    lock instead of holding it while the page renders."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __call__(self, work: Callable[[Session], T]) -> T:
        with self.db.session(write=True) as s:
            return work(s)


def get_writer(request: Request) -> Writer:
    return Writer(get_db(request))


# scope="function": the transaction commits before the response is sent, so a
# commit that fails (database gone, disk full) is an error answer, never a 200
# for something that was not saved
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriterDep = Annotated[Writer, Depends(get_writer)]


def get_lang(
    request: Request, accept_language: Annotated[str | None, Header()] = None
) -> str:
    """The request's language (``accept_language`` is declared so the OpenAPI
    document shows the header; ``lang_of`` reads it)."""
    return lang_of(request)


Lang = Annotated[str, Depends(get_lang)]


def session_login(request: Request, session: Session) -> tuple[User, WebSession] | None:
    """The web login the cookie names, while the server still has it live
    (not logged out, not past its end, its user active)."""
    data = request.scope.get("session") or {}
    tid, sid = data.get("tid"), data.get("sid")
    if not tid or not isinstance(sid, str):
        return None
    try:
        tenant_id = uuid.UUID(str(tid))
    except ValueError:
        return None
    return sessions.find(session, tenant_id, sid)


def get_actor(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Actor:
    """The caller: a Bearer API token, or the web login's session cookie.

    The cookie is only honoured for reads, so another site cannot make a logged-in
    browser write through the API (CSRF); pages post through their own forms.
    The answer is written in the caller's bakery's time zone.
    """
    actor = _authenticate(request, session, authorization)
    tenant = session.get(Tenant, actor.tenant_id)
    localtime.use(tenant.timezone if tenant else None)
    return actor


def _authenticate(
    request: Request, session: Session, authorization: str | None
) -> Actor:
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            raise Unauthorized("请使用 Bearer 令牌", "use a Bearer token")
        return identity.authenticate_token(session, secret)
    if request.method in SAFE_METHODS:
        found = session_login(request, session)
        if found is not None:
            user, login = found
            return identity.actor_for(user, via="session", session_id=login.id)
    raise Unauthorized("需要登录或 API 令牌", "log in or send an API token")


ActorDep = Annotated[Actor, Depends(get_actor)]


def require(action: str) -> Callable[[Actor], Actor]:
    """Dependency: the caller, refused with 403 unless a role allows ``action``."""

    def dep(actor: ActorDep) -> Actor:
        actor.require(action)
        return actor

    return dep


# One alias per action, so endpoints read `actor: CanRead` (403 when not allowed).
CanRead = Annotated[Actor, Depends(require("read"))]
CanLookup = Annotated[Actor, Depends(require("lookup"))]
CanWriteCatalog = Annotated[Actor, Depends(require("catalog:write"))]
CanWriteMaterials = Annotated[Actor, Depends(require("materials:write"))]
CanWriteProduction = Annotated[Actor, Depends(require("production:write"))]
CanWriteQuality = Annotated[Actor, Depends(require("quality:write"))]
CanWriteLogistics = Annotated[Actor, Depends(require("logistics:write"))]
CanWriteRetail = Annotated[Actor, Depends(require("retail:write"))]
CanWriteRecall = Annotated[Actor, Depends(require("recall:write"))]
CanAckAlerts = Annotated[Actor, Depends(require("alerts:ack"))]
CanFileComplaints = Annotated[Actor, Depends(require("complaints:file"))]
CanIngestSensors = Annotated[Actor, Depends(require("sensors:ingest"))]
CanAdminUsers = Annotated[Actor, Depends(require("users:admin"))]
CanExportAudit = Annotated[Actor, Depends(require("audit:export"))]
CanSubmitSupplier = Annotated[Actor, Depends(require("supplier:submit"))]
CanCapture = Annotated[Actor, Depends(require("epcis:capture"))]


async def read_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form (its uploaded files closed after the answer).

    The one async step of a page's POST: the body is already in memory
    (``bodies.WholeBody``), so this only parses it, and the handler itself
    is a plain ``def`` that FastAPI runs in a worker thread — its database
    work never blocks the event loop, whatever it waits for."""
    async with request.form() as form:
        yield form


FormDep = Annotated[FormData, Depends(read_form)]


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 once it passes ``limit`` bytes —
    by its declared length before reading, or while it streams in (a client
    that does not declare it cannot make the server hold more)."""
    from bakeprint.errors import TooLarge

    def too_large() -> TooLarge:
        mb = limit // 2**20
        return TooLarge(
            f"一次最多上传 {mb} MB，请分批发送",
            f"at most {mb} MB per request: send it in parts",
        )

    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)

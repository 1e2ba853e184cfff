"""Request bodies arrive whole before any route runs (issue #17).

``WholeBody`` is an ASGI middleware: for a request that carries a body it reads
all of it first — at most ``cap_for(path)`` bytes (413), within
``settings.body_timeout_s`` seconds (408) — and only then calls the app with
the body replayed from memory. So no dependency, transaction or handler ever
waits on the client: a signed-in user who promises 100 kB and sends it a byte
at a time cannot hold SQLite's write lock (``get_session`` opens the writing
transaction as a dependency, before the handler reads the form), and no
worker thread sits on a half-sent upload.

A body that is JSON (by its content type, or by starting with ``[`` or ``{``)
is refused with 400 when it nests deeper than ``settings.max_json_depth``,
before anything parses it: ``json.loads`` of 10 kB of ``[`` raises
``RecursionError``, which the app would answer with a 500 and a reset. The
routes that take large raw uploads (sensor readings, EPCIS documents) check
the depth themselves, after the caller is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import accumulate

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bakeprint.config import settings
from bakeprint.errors import BakeprintError, TooLarge

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# JSON up to this size is scanned for depth on the event loop, larger in a
# worker thread (a couple of MB of nothing but brackets: a few 100 ms)
SCAN_INLINE = 256 * 1024

# a JSON string once its escaped quotes are gone (an unterminated one runs to
# the end, as the decoder would read it before failing)
_STRING = re.compile(rb'"[^"]*"?')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1, +1, -1, -1


class TooSlow(BakeprintError):
    status = 408
    code = "request_timeout"


class TooDeep(BakeprintError):
    status = 400
    code = "json_too_deep"


def json_depth(raw: bytes) -> int:
    """How deeply a JSON text nests arrays and objects, without parsing it
    (so without recursion), in a few passes of C loops: escaped backslashes
    and quotes are dropped (so no quote hides behind one), then strings, and
    the brackets left are counted +1 / -1: the running total's peak is the
    depth. No regular expression here can backtrack: linear in any input."""
    plain = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = _STRING.sub(b"", plain).translate(_STEP, delete=_NOT_BRACKET)
    return max(accumulate(memoryview(skeleton).cast("b")), default=0)


def too_deep(raw: bytes, limit: int | None = None) -> TooDeep | None:
    """The error to answer when ``raw`` nests deeper than ``limit``, or None.
    A text with no more opening brackets than the limit is not scanned."""
    limit = settings.max_json_depth if limit is None else limit
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return None
    if json_depth(raw) <= limit:
        return None
    return TooDeep(
        f"JSON 嵌套超过 {limit} 层，无法处理：请检查发送的数据",
        f"the JSON nests deeper than {limit} levels and cannot be processed: "
        "check what is being sent",
        field="body",
    )


def check_depth(raw: bytes | str, limit: int | None = None) -> None:
    """Raise ``TooDeep`` (400) for JSON nested deeper than ``limit`` — for
    JSON that reaches ``json.loads`` by another way than an HTTP body."""
    problem = too_deep(raw.encode() if isinstance(raw, str) else raw, limit)
    if problem is not None:
        raise problem


def _looks_like_json(scope: Scope, body: bytes) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            if b"json" in kind:
                return True
            if kind.startswith((b"multipart/", b"application/x-www-form")):
                return False
    return body.lstrip()[:1] in (b"[", b"{")


def _declared_length(scope: Scope) -> tuple[int | None, bool]:
    """(Content-Length or None, whether the request has a body at all)."""
    length, chunked = None, False
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked or bool(length)


def too_large(limit: int) -> TooLarge:
    if limit >= 2**20:
        size = f"{round(limit / 2**20, 1):g} MB"
    else:
        size = f"{round(limit / 1024, 1):g} KB"
    return TooLarge(
        f"请求内容太大：最多 {size}，请分批发送",
        f"the request is too large: at most {size} — send it in parts",
    )


def too_slow(seconds: float) -> TooSlow:
    return TooSlow(
        f"请求内容在 {seconds:g} 秒内没有传完：请检查网络后重新发送",
        f"the request did not arrive within {seconds:g} s: check the connection "
        "and send it again",
    )


class WholeBody:
    """The ASGI middleware (see the module's docstring). ``cap_for(path)``:
    the most a request may send; ``json_cap_for(path)``: the most JSON it may
    send, checked for depth here — None for a route that reads its body raw
    and checks it itself once it knows the caller (a large upload is not
    scanned for anyone). ``answer`` turns an error into the response a page
    or an API client expects."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cap_for: Callable[[str], int],
        json_cap_for: Callable[[str], int | None],
        answer: Callable[[Request, BakeprintError], Response],
    ) -> None:
        self.app, self.answer = app, answer
        self.cap_for, self.json_cap_for = cap_for, json_cap_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        declared, has_body = _declared_length(scope)
        if not has_body:
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["path"])
        if declared is not None and declared > cap:
            await self._refuse(scope, send, too_large(cap))
            return
        chunks: list[bytes] = []
        size = 0
        timeout = settings.body_timeout_s
        with anyio.move_on_after(timeout) as waited:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client went away: nobody to answer
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > cap:
                    await self._refuse(scope, send, too_large(cap))
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        if waited.cancelled_caught:
            await self._refuse(scope, send, too_slow(timeout))
            return
        body = b"".join(chunks)
        json_cap = self.json_cap_for(scope["path"])
        if json_cap is not None and _looks_like_json(scope, body):
            problem: BakeprintError | None
            if len(body) > json_cap:
                problem = too_large(json_cap)
            elif len(body) <= SCAN_INLINE:
                problem = too_deep(body)
            else:
                problem = await anyio.to_thread.run_sync(too_deep, body)
            if problem is not None:
                await self._refuse(scope, send, problem)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _refuse(self, scope: Scope, send: Send, exc: BakeprintError) -> None:
        request = Request(scope)
        response = self.answer(request, exc)
        # the rest of the body is not read: the connection cannot be reused
        response.headers["Connection"] = "close"
        await response(scope, _no_body, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for the app: the whole body at once, then whatever the
    client does next (a disconnect)."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _no_body() -> Message:
    return {"type": "http.disconnect"}

"""Response headers that keep a browser from being turned against the user:
no framing (clickjacking), no content sniffing, no referrer to other sites,
a Content-Security-Policy that runs only the app's own scripts and styles
(the pages have no inline script, style or event handler), and — on HTTPS —
Strict-Transport-Security and the Secure flag on every cookie. A response
that sets its own policy keeps it (the API docs, ``bakeprint.apidocs``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
COMMON = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    # the scan button uses the camera; nothing else is asked for
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {name.lower() for name, _ in headers}
                extra = [*COMMON, (b"content-security-policy", CSP.encode())]
                if https:
                    extra.append(HSTS)
                    headers = [_secure(name, value) for name, value in headers]
                headers += [(n, v) for n, v in extra if n not in have]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    """A cookie set over HTTPS is never sent back over plain HTTP."""
    if name.lower() == b"set-cookie" and b"; secure" not in value.lower():
        value += b"; Secure"
    return name, value

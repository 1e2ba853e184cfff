"""Slow and busy clients against a real server (issue #17): the pieces that
the regression tests (tests/reliability/test_slow_clients.py) and the
slow-client soak (``make soak-slow``, bench/soak_slow.py) share.

Two bakeries: A built by the benchmark dataset (a day of production: 8
batches, ~870 units with serials, the demo's users and shops), B just an
owner with an API token (the dataset's serials are the same in every bakery it
builds, and a serial must name one package for the public page), a raw socket
that promises a body and trickles it, a web login, and the public "report a
problem" form as a consumer's phone sends it.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from bakeprint.bench import dataset as ds
from bakeprint.db import Database
from bakeprint.demo import data as demo
from bakeprint.identity import service as identity
from bakeprint.identity.models import User
from bakeprint.packaging.models import Unit

SLOW_A = ds.Size("SA", shops=1, days=1, hall_sensors=0)
SLUG_B = "slow-b"
SHOP = "CITY-LIB"  # the demo's shop; its clerk is "shop-citylib"
CLERK = "shop-citylib"
PASSWORD = demo.PASSWORD


@dataclass
class Bakeries:
    """Bakery A (whose supplier and shop clerk are the slow clients) and
    bakery B (whose owner writes meanwhile)."""

    slug_a: str
    slug_b: str
    supplier_token_a: str
    owner_token_b: str
    serials_a: list[str] = field(default_factory=list)  # a few of each batch


def two_bakeries(db: Database, per_batch: int = 12) -> Bakeries:
    ds.build(db, SLOW_A)
    with db.session() as s:
        b = identity.create_tenant(s, slug=SLUG_B, name="另一家烘焙坊")
        identity.create_user(
            s, b.id, username="owner", display_name="店主", roles=["owner"]
        )
    with db.session() as s:
        a = identity.tenant_by_slug(s, SLOW_A.slug)
        assert a is not None

        def user(tenant_id: Any, name: str) -> User:
            row = s.scalar(
                select(User).where(User.tenant_id == tenant_id, User.username == name)
            )
            assert row is not None
            return row

        supplier = identity.issue_token(s, user(a.id, "supplier-b"), name="slow")
        owner_b = identity.issue_token(s, user(b.id, "owner"), name="slow")
        serials: list[str] = []
        for batch_id in s.scalars(
            select(Unit.batch_id).where(Unit.tenant_id == a.id).distinct()
        ):
            serials += s.scalars(
                select(Unit.serial)
                .where(Unit.tenant_id == a.id, Unit.batch_id == batch_id)
                .order_by(Unit.serial)
                .limit(per_batch)
            )
    return Bakeries(SLOW_A.slug, SLUG_B, supplier, owner_b, serials)


class SlowBody:
    """One request over a raw socket whose headers promise ``declared``
    bytes: it sends ``first`` at once, then one more byte every ``pace``
    seconds until closed — a phone on a bad line, or someone holding a
    connection open on purpose."""

    def __init__(
        self,
        base: str,
        path: str,
        headers: dict[str, str],
        *,
        first: bytes = b'{"type": "EPCISDocument",',
        declared: int = 100_000,
        pace: float = 0.1,
    ) -> None:
        url = urlsplit(base)
        self.address = (url.hostname or "127.0.0.1", url.port or 80)
        lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {declared}")
        self.head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.first, self.pace = first, pace
        self.sent = 0
        self.answer = b""
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def start(self) -> SlowBody:
        self._sock = socket.create_connection(self.address, timeout=5)
        self._sock.sendall(self.head + self.first)
        self.sent = len(self.first)
        self._thread.start()
        return self

    def _trickle(self) -> None:
        assert self._sock is not None
        while not self._stop.wait(self.pace):
            try:
                self._sock.sendall(b" ")
            except OSError:  # the server answered and closed (408, 413…)
                return
            self.sent += 1

    def wait_sent(self, extra: int) -> None:
        """Until ``extra`` bytes more than the first were trickled: by then
        the server has long had the headers and acted on them."""
        while self.sent < len(self.first) + extra and self._thread.is_alive():
            time.sleep(self.pace / 2)

    def answered(self) -> bool:
        """Whether the server has already answered (or hung up)."""
        assert self._sock is not None
        self._sock.setblocking(False)
        try:
            chunk = self._sock.recv(4096)
        except BlockingIOError:
            return False
        finally:
            self._sock.setblocking(True)
        self.answer += chunk
        return True

    def status(self, timeout: float = 10) -> int | None:
        """The status the server answered with (waiting up to ``timeout``)."""
        assert self._sock is not None
        self._sock.settimeout(timeout)
        try:
            while b"\r\n" not in self.answer:
                chunk = self._sock.recv(4096)
                if not chunk:
                    break
                self.answer += chunk
        except OSError:
            pass
        match = re.match(rb"HTTP/1\.1 (\d{3})", self.answer)
        return int(match.group(1)) if match else None

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        if self._sock is not None:
            self._sock.close()


def web_login(base: str, slug: str, username: str) -> httpx.Client:
    """A browser-like client logged in to the pages (cookie + CSRF token)."""
    c = httpx.Client(base_url=base, timeout=10)
    page = c.get("/login")
    r = c.post(
        "/login",
        data={
            "csrf": form_value(page.text, "csrf") or "",
            "bakery": slug,
            "username": username,
            "password": PASSWORD,
        },
    )
    if r.status_code != 303:
        raise RuntimeError(f"login as {username} answered {r.status_code}")
    return c


def form_value(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


def cookie_header(c: httpx.Client) -> str:
    return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


def report(c: httpx.Client, serial: str, text: str = "吃到硬物") -> int:
    """A consumer scans the unit, then sends the scan page's report form."""
    page = c.get(f"/u/{serial}", headers={"Accept": "text/html"})
    data = {"category": "foreign_body", "description": text}
    token = form_value(page.text, "report_token")
    if token is not None:
        data["report_token"] = token
    return c.post(f"/u/{serial}/report", data=data).status_code

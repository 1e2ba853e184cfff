"""Issue 17, item 5: a shop's webhook URL cannot turn the server into a proxy
into its own network (SSRF), and what a target answers is never shown.

Inside addresses are refused when the URL is entered and again before every
send — the connection goes to the address that was checked, so a DNS answer
that changes in between (rebinding) cannot bring one in — unless the operator
allows them (``BAKEPRINT_WEBHOOK_ALLOW``). Only a target's status is kept.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bakeprint import outbound
from bakeprint.catalog.models import PointOfSale
from bakeprint.config import settings
from bakeprint.db import utcnow
from bakeprint.errors import Invalid
from bakeprint.outbox.models import OutboxMessage
from bakeprint.recall import webhooks
from tests.factories import make_catalog
from tests.recall.test_recall import Shared, _open
from tests.trace.test_scope import chain  # noqa: F401
from tests.web.test_pages import csrf_of, login

LEAK = "root:x:0:0 db-password=hunter2"  # what an inside service would say


class Target:
    """An HTTP endpoint on this machine, answering every POST with ``status``,
    ``body`` and ``headers``; it records what reached it."""

    def __init__(
        self,
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.calls: list[dict[str, Any]] = []
        self.finished_body: list[bool] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                n = int(self.headers["Content-Length"])
                outer.calls.append({"headers": dict(self.headers), "body": n})
                self.rfile.read(n)
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                    outer.finished_body.append(True)
                except OSError:  # the caller hung up without reading it
                    outer.finished_body.append(False)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the operator's allow-list for this test."""

    def set_(value: str) -> None:
        monkeypatch.setattr(settings, "webhook_allow", value)

    set_("")
    return set_


@pytest.fixture
def target() -> Iterator[Target]:
    t = Target(500, LEAK.encode())
    yield t
    t.close()


def _shop_notice(session: Any, tenant_id: Any, url: str) -> OutboxMessage:
    """CITY-LIB with ``url`` stored as it is (as an older version or a direct
    database edit left it) and one notice due for it."""
    pos = session.scalar(
        select(PointOfSale).where(
            PointOfSale.tenant_id == tenant_id, PointOfSale.code == "CITY-LIB"
        )
    )
    pos.webhook_url, pos.webhook_secret = url, "s3cret-s3cret-s3cret"
    msg = OutboxMessage(
        tenant_id=tenant_id,
        topic="recall.notice",
        ref="RC-TEST",
        recipient="pos:CITY-LIB",
        payload={"recall": "RC-TEST"},
        available_at=utcnow() - timedelta(seconds=1),
    )
    session.add(msg)
    session.flush()
    return msg


@pytest.fixture
def shop(session: Any, bakery: Any) -> Any:
    make_catalog(session, bakery.tenant.id)
    session.flush()
    return lambda url: _shop_notice(session, bakery.tenant.id, url)


# --- the send: checked, pinned, not followed, not read -------------------------


def test_an_inside_target_is_not_contacted_unless_the_operator_allows_it(
    session, db, shop, target, allow
):
    msg = shop(target.url)
    stats = webhooks.dispatch_once(Shared(session, db.dialect))
    assert (stats.delivered, stats.retried) == (0, 1)
    assert target.calls == []
    assert msg.last_error.startswith(
        "refused: recall notices may not go to a loopback address (127.0.0.1)"
    )
    assert "BAKEPRINT_WEBHOOK_ALLOW" in msg.last_error
    # the operator allows this machine: now it is reached
    allow("127.0.0.1")
    later = utcnow() + timedelta(hours=1)
    webhooks.dispatch_once(Shared(session, db.dialect), now=later)
    assert len(target.calls) == 1
    assert msg.last_error == "HTTP 500"  # the status only, never the reply


def test_what_a_target_answers_never_reaches_anyone_who_reads_the_recall(
    client,
    session,
    bakery,
    db,
    chain,  # noqa: F811
    target,
    allow,
):
    allow("127.0.0.0/8")
    pos = session.scalar(
        select(PointOfSale).where(
            PointOfSale.tenant_id == bakery.tenant.id, PointOfSale.code == "CITY-LIB"
        )
    )
    pos.webhook_url = target.url
    session.commit()
    code = _open(client, bakery, lot="SAK-1").json()["code"]
    webhooks.dispatch_once(Shared(session, db.dialect))
    assert len(target.calls) == 1
    auditor = bakery.auth("auditor")
    shown = client.get(f"/api/v1/recalls/{code}", headers=auditor)
    notice = {n["point_of_sale"]: n for n in shown.json()["notices"]}["CITY-LIB"]
    assert notice["last_error"] == "HTTP 500"
    report = client.get(f"/api/v1/recalls/{code}/report", headers=auditor)
    assert report.status_code == 200
    for text in (shown.text, report.text):
        assert "hunter2" not in text and "root:x" not in text


def test_a_name_is_resolved_once_and_the_connection_goes_to_that_address(
    session, db, shop, target, allow
):
    allow("127.0.0.1")
    asked: list[str] = []

    def resolve(host: str) -> list[outbound.IPAddress]:
        asked.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    # no resolver but ours knows this name: reaching the target proves the
    # connection used the checked address and did not look the name up again
    msg = shop(f"http://hooks.shop.test:{target.port}/hook")
    webhooks.dispatch_once(Shared(session, db.dialect), resolve=resolve)
    assert asked == ["hooks.shop.test"]
    assert len(target.calls) == 1
    assert target.calls[0]["headers"]["Host"] == f"hooks.shop.test:{target.port}"
    assert msg.last_error == "HTTP 500"


@pytest.mark.parametrize(
    "answer",
    [
        ["127.0.0.1"],  # rebound since the URL was entered
        ["93.184.216.34", "10.0.0.7"],  # one good answer does not vouch for all
        ["::ffff:169.254.169.254"],
    ],
)
def test_a_name_that_resolves_inside_at_send_time_is_refused(
    session, db, shop, target, answer
):
    msg = shop(f"http://hooks.shop.test:{target.port}/hook")
    webhooks.dispatch_once(
        Shared(session, db.dialect),
        resolve=lambda host: [ipaddress.ip_address(a) for a in answer],
    )
    assert target.calls == []
    assert msg.last_error.startswith("refused:")
    assert "(hooks.shop.test resolves to one)" in msg.last_error
    assert not any(a in msg.last_error for a in answer)  # inside DNS stays inside


def test_a_redirect_is_not_followed(session, db, shop, allow):
    inside = Target(200)
    hop = Target(302, headers={"Location": inside.url.replace("/hook", "/admin")})
    try:
        allow("127.0.0.1")
        msg = shop(hop.url)
        stats = webhooks.dispatch_once(Shared(session, db.dialect))
        assert len(hop.calls) == 1 and inside.calls == []
        assert stats.delivered == 0
        assert msg.last_error == "HTTP 302 (redirects are not followed)"
        assert msg.delivered_at is None
    finally:
        hop.close()
        inside.close()


def test_a_target_answer_is_not_read(session, db, shop, allow):
    huge = Target(200, b"x" * (64 * 1024 * 1024))
    try:
        allow("127.0.0.1")
        msg = shop(huge.url)
        assert webhooks.dispatch_once(Shared(session, db.dialect)).delivered == 1
        assert msg.delivered_at is not None
        huge.close()  # waits for the handler: it has written what it could
        assert huge.finished_body == [False]  # we hung up after the status
    finally:
        huge.close()


# --- entering the URL -----------------------------------------------------------

INSIDE = [
    "http://127.0.0.1/hook",
    "http://127.1/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one number
    "http://0x7f.0.0.1/hook",
    "http://017700000001/hook",  # octal
    "http://localhost:8000/hook",
    "http://api.localhost/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[2002:7f00:1::]/hook",  # 6to4 around 127.0.0.1
    "http://0.0.0.0/hook",
    "http://0/hook",
    "http://[::]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.20/hook",
    "http://[fd12:3456::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://100.64.0.1/hook",  # CGNAT
    "http://224.0.0.251/hook",  # multicast
    "http://255.255.255.255/hook",
    "https://192.168.1.20:8443/hook",
]
NOT_HTTP = [
    "ftp://shop.example/hook",
    "file:///etc/passwd",
    "gopher://shop.example:70/_x",
    "shop.example/hook",
    "http://user:pw@shop.example/hook",
    "https://token@shop.example/hook",
    "http:// shop.example/hook",
]


def test_an_inside_or_non_http_url_is_refused_with_a_reason(client, session, bakery):
    make_catalog(session, bakery.tenant.id)
    session.commit()
    path = "/api/v1/catalog/points-of-sale/CITY-LIB"
    for url in INSIDE + NOT_HTTP:
        r = client.patch(path, json={"webhook_url": url}, headers=bakery.headers)
        assert r.status_code == 422, (url, r.text)
        err = r.json()["error"]
        assert err["field"] == "webhook_url", url
        assert err["message_zh"] and err["message_en"] != err["message_zh"]
        new = client.post(
            "/api/v1/catalog/points-of-sale",
            json={"code": "NEW-1", "name": "新店", "kind": "shop", "webhook_url": url},
            headers=bakery.headers,
        )
        assert new.status_code == 422, (url, new.text)
    assert client.get(path, headers=bakery.headers).json()["webhook_url"] is None
    gone = client.get("/api/v1/catalog/points-of-sale/NEW-1", headers=bakery.headers)
    assert gone.status_code == 404


def test_the_refusal_says_what_to_do(client, session, bakery):
    make_catalog(session, bakery.tenant.id)
    session.commit()
    r = client.patch(
        "/api/v1/catalog/points-of-sale/CITY-LIB",
        json={"webhook_url": "http://10.0.0.5/hook"},
        headers=bakery.headers,
    )
    err = r.json()["error"]
    assert "内部网络地址" in err["message_zh"] and "10.0.0.5" in err["message_zh"]
    assert "private network" in err["message_en"]
    assert "BAKEPRINT_WEBHOOK_ALLOW" in err["message_en"]
    creds = client.patch(
        "/api/v1/catalog/points-of-sale/CITY-LIB",
        json={"webhook_url": "https://me:pw@shop.example/h"},
        headers=bakery.headers,
    )
    assert "password" in creds.json()["error"]["message_en"]


def test_the_shop_form_says_it_next_to_the_field(client, session, bakery):
    make_catalog(session, bakery.tenant.id)
    session.commit()
    login(client, bakery)
    page = client.get("/master/points-of-sale/CITY-LIB")
    bad = client.post(
        "/master/points-of-sale/CITY-LIB",
        data={
            "csrf": csrf_of(page.text),
            "webhook_url": "http://169.254.169.254/latest/meta-data/",
        },
    )
    assert bad.status_code == 422 and 'class="field-error"' in bad.text
    assert "链路本地地址" in bad.text
    pos = session.scalar(
        select(PointOfSale).where(
            PointOfSale.tenant_id == bakery.tenant.id, PointOfSale.code == "CITY-LIB"
        )
    )
    session.refresh(pos)
    assert pos.webhook_url is None


def test_an_allowed_inside_address_can_be_entered(client, session, bakery, allow):
    make_catalog(session, bakery.tenant.id)
    session.commit()
    allow("10.20.0.0/16, hooks.lan")
    path = "/api/v1/catalog/points-of-sale/CITY-LIB"
    for url in ("http://10.20.3.4:9000/hook", "http://hooks.lan/bp"):
        r = client.patch(path, json={"webhook_url": url}, headers=bakery.headers)
        assert r.status_code == 200, r.text
    refused = client.patch(
        path, json={"webhook_url": "http://10.21.0.1/hook"}, headers=bakery.headers
    )
    assert refused.status_code == 422


def test_a_name_resolving_inside_is_refused_when_entered() -> None:
    def intranet(host: str) -> list[outbound.IPAddress]:
        return [ipaddress.ip_address("192.168.7.7")]

    with pytest.raises(Invalid) as exc:
        outbound.check_entry(
            "https://till.shop.test/hook", allow=outbound.Allow(), resolve=intranet
        )
    assert "192.168.7.7" not in exc.value.en
    assert "(till.shop.test resolves to one)" in exc.value.en
    allowed = outbound.Allow.parse("till.shop.test")
    assert outbound.check_entry(
        "https://till.shop.test/hook", allow=allowed, resolve=intranet
    )


PRIVATE_V4 = st.one_of(
    st.integers(0x7F000000, 0x7FFFFFFF),  # 127/8
    st.integers(0x0A000000, 0x0AFFFFFF),  # 10/8
    st.integers(0xAC100000, 0xAC1FFFFF),  # 172.16/12
    st.integers(0xC0A80000, 0xC0A8FFFF),  # 192.168/16
    st.integers(0xA9FE0000, 0xA9FEFFFF),  # 169.254/16
    st.integers(0x64400000, 0x647FFFFF),  # 100.64/10
    st.integers(0xE0000000, 0xFFFFFFFF),  # multicast and reserved
)


def _spellings(n: int) -> list[str]:
    """``n`` written every way a resolver reads as that IPv4 address (the
    dotted octal form, 0177.0.0.1, is not a valid URL host at all)."""
    a = ipaddress.IPv4Address(n)
    octets = [int(x) for x in str(a).split(".")]
    return [
        str(a),
        str(n),
        hex(n),
        "0" + format(n, "o"),
        ".".join(hex(x) for x in octets),
        f"{octets[0]}.{(octets[1] << 16) | (octets[2] << 8) | octets[3]}",
        f"[::ffff:{a}]",
        f"[{ipaddress.IPv6Address(0x20020000 << 96 | n << 80)}]",
    ]


@given(PRIVATE_V4)
def test_every_spelling_of_an_inside_address_is_refused(n: int) -> None:
    octal = ".".join(f"0{int(x):o}" for x in str(ipaddress.IPv4Address(n)).split("."))
    for host in [*_spellings(n), octal]:
        with pytest.raises(Invalid):
            outbound.check_entry(f"http://{host}/hook", allow=outbound.Allow())


@given(st.sampled_from(["8.8.8.8", "93.184.216.34", "1.1.1.1", "203.0.114.1"]))
def test_a_public_address_passes_in_any_spelling(a: str) -> None:
    for host in _spellings(int(ipaddress.IPv4Address(a))):
        url = f"http://{host}/hook"
        assert outbound.check_entry(url, allow=outbound.Allow()) == url

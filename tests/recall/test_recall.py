"""A recall from a suspect lot: its batches are frozen (no more selling or
shipping), exactly the shops holding them are notified — by a signed webhook
retried until it answers, delivered once — each shop confirms what it pulled,
and the recall shows its effectiveness until it is closed."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

from sqlalchemy import select

from bakeprint.catalog.models import PointOfSale
from bakeprint.db import utcnow
from bakeprint.outbox.models import OutboxMessage
from bakeprint.production.models import Batch
from bakeprint.recall import webhooks
from tests.factories import make_bakery
from tests.production.conftest import T0
from tests.trace.test_scope import chain  # noqa: F401


class Receiver:
    """A shop's webhook endpoint that fails ``fail`` times, then accepts."""

    def __init__(self, fail: int) -> None:
        self.calls: list[dict[str, object]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append({"headers": dict(self.headers), "body": body})
                code = 500 if len(outer.calls) <= fail else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"try later")

            def log_message(self, *_: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


class Shared:
    """The dispatcher's transactions, inside the test's own (rolled back)."""

    def __init__(self, session, dialect: str) -> None:  # type: ignore[no-untyped-def]
        self.s, self.dialect = session, dialect

    @contextmanager
    def session(self, *, write: bool = True):  # type: ignore[no-untyped-def]
        nested = self.s.begin_nested()
        try:
            yield self.s
            nested.commit()
        except BaseException:
            nested.rollback()
            raise


def _open(client, bakery, **criteria):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/recalls",
        json={"reason": "樱花蜜饯疑似异味（客诉）", **criteria},
        headers=bakery.headers,
    )


def test_a_recall_freezes_notifies_exactly_and_counts_what_was_pulled(
    client,
    session,
    bakery,
    db,
    chain,  # noqa: F811
    monkeypatch,
):
    # the shop's receiver runs on this machine: the operator allows it
    monkeypatch.setattr("bakeprint.config.settings.webhook_allow", "127.0.0.1")
    b = chain["b"]
    t = bakery.tenant.id
    hook = Receiver(fail=2)
    city = session.scalar(
        select(PointOfSale).where(
            PointOfSale.tenant_id == t, PointOfSale.code == "CITY-LIB"
        )
    )
    city.webhook_url, city.webhook_secret = hook.url, "s3cret"
    session.commit()
    try:
        r = _open(client, bakery, lot="SAK-1")
        assert r.status_code == 201, r.text
        rec = r.json()
        code = rec["code"]
        assert sorted(x["batch"] for x in rec["batches"]) == sorted(
            b[n].code for n in (1, 3, 5, 6, 8)
        )
        session.expire_all()
        status = {
            x.code: x.status
            for x in session.scalars(select(Batch).where(Batch.tenant_id == t))
        }
        assert {status[b[n].code] for n in (1, 3, 5, 6, 8)} == {"recalled"}
        assert {status[b[n].code] for n in (2, 4, 7)} == {"packed"}
        # exactly the shops that hold affected units, with what they hold
        msgs = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.tenant_id == t, OutboxMessage.topic == "recall.notice"
            )
        ).all()
        by_shop = {m.recipient: m.payload for m in msgs}
        assert set(by_shop) == {"pos:CITY-LIB", "pos:MUSEUM"}
        assert {
            (x["batch"], x["on_shelf"]) for x in by_shop["pos:CITY-LIB"]["batches"]
        } == {
            (b[1].code, 5),
            (b[3].code, 6),
            (b[8].code, 12),
        }  # b5 sold out there: nothing to pull, not in the notice
        assert {
            (x["batch"], x["on_shelf"]) for x in by_shop["pos:MUSEUM"]["batches"]
        } == {(b[3].code, 8), (b[6].code, 40)}
        assert rec["effectiveness"]["on_shelf_at_notice"] == 71

        # the counter refuses the recalled batch; a sale made before the
        # notice (a till that was offline) is still recorded
        shop = bakery.auth("store")
        sale = client.post(
            "/api/v1/pos/CITY-LIB/sales",
            json={"batch": b[3].code, "quantity": 1},
            headers=shop,
        )
        assert sale.status_code == 409 and "召回" in sale.json()["error"]["message"]
        earlier = client.post(
            "/api/v1/pos/CITY-LIB/sales",
            json={
                "batch": b[3].code,
                "quantity": 1,
                "at": (T0 + timedelta(hours=6)).isoformat(),
            },
            headers=shop,
        )
        assert earlier.status_code == 201, earlier.text
        # …and no van takes it out again
        h = bakery.auth("logistics")
        trip = client.post("/api/v1/trips", json={"vehicle": "VAN-2"}, headers=h).json()
        load = client.post(
            f"/api/v1/trips/{trip['code']}/loads",
            json={"batch": b[8].code, "quantity": 5},
            headers=h,
        )
        assert (
            load.status_code == 409 and "recalled" in load.json()["error"]["message_en"]
        )

        # the webhook: fails twice, then answers — delivered once
        db = Shared(session, db.dialect)
        now = utcnow()
        s1 = webhooks.dispatch_once(db, now=now)
        assert (s1.delivered, s1.retried, s1.ui_only) == (0, 1, 1)  # MUSEUM: no hook
        assert webhooks.dispatch_once(db, now=now).delivered == 0  # not due yet
        s2 = webhooks.dispatch_once(db, now=now + timedelta(seconds=6))
        assert s2.retried == 1
        s3 = webhooks.dispatch_once(db, now=now + timedelta(seconds=20))
        assert s3.delivered == 1
        assert webhooks.dispatch_once(db, now=now + timedelta(hours=2)).delivered == 0
        assert len(hook.calls) == 3
        ids = {c["headers"]["X-Bakeprint-Delivery"] for c in hook.calls}
        assert len(ids) == 1  # the same delivery each time: the shop can dedupe
        last = hook.calls[-1]
        hdr = last["headers"]
        assert webhooks.verify(
            "s3cret",
            hdr["X-Bakeprint-Timestamp"],
            last["body"],
            hdr["X-Bakeprint-Signature"],
        )
        assert json.loads(last["body"])["recall"] == code
        notices = {
            n["point_of_sale"]: n
            for n in client.get(
                f"/api/v1/recalls/{code}", headers=bakery.headers
            ).json()["notices"]
        }
        assert notices["CITY-LIB"]["state"] == "delivered"
        assert notices["CITY-LIB"]["attempts"] == 3
        assert notices["MUSEUM"]["state"] == "shop_page_only"

        # the shop confirms what it pulled; more than it has is refused
        too_many = client.post(
            f"/api/v1/recalls/{code}/confirmations",
            json={"point_of_sale": "CITY-LIB", "batch": b[3].code, "pulled": 9},
            headers=shop,
        )
        assert too_many.status_code == 409
        ok = client.post(
            f"/api/v1/recalls/{code}/confirmations",
            json={"point_of_sale": "CITY-LIB", "batch": b[3].code, "pulled": 5},
            headers=shop,
        )
        assert ok.status_code == 201, ok.text
        other = client.post(
            f"/api/v1/recalls/{code}/confirmations",
            json={"point_of_sale": "CITY-LIB", "batch": b[2].code, "pulled": 1},
            headers=shop,
        )
        assert other.status_code == 404
        now_rec = client.get(f"/api/v1/recalls/{code}", headers=bakery.headers).json()
        eff = now_rec["effectiveness"]
        assert (eff["pulled"], eff["on_shelf_at_notice"]) == (5, 71)
        row = next(
            x
            for x in now_rec["shops"]
            if (x["point_of_sale"], x["batch"]) == ("CITY-LIB", b[3].code)
        )
        assert (row["on_shelf_at_notice"], row["pulled"], row["on_shelf_now"]) == (
            6,
            5,
            0,
        )
        assert now_rec["sales_after_notice"] == []

        closed = client.post(
            f"/api/v1/recalls/{code}/close",
            json={"note": "供应商B 批次停用"},
            headers=bakery.headers,
        )
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        again = client.post(
            f"/api/v1/recalls/{code}/close", json={}, headers=bakery.headers
        )
        assert again.status_code == 409
        late = client.post(
            f"/api/v1/recalls/{code}/confirmations",
            json={"point_of_sale": "MUSEUM", "batch": b[6].code, "pulled": 1},
            headers=bakery.headers,
        )
        assert late.status_code == 409
    finally:
        hook.close()


def test_who_may_open_a_recall_and_what_it_needs(client, session, bakery, chain):  # noqa: F811
    r = client.post(
        "/api/v1/recalls",
        json={"reason": "x", "lot": "SAK-1"},
        headers=bakery.auth("store"),
    )
    assert r.status_code == 403
    assert _open(client, bakery).status_code == 422  # no criterion
    assert (
        client.post(
            "/api/v1/recalls", json={"lot": "SAK-1"}, headers=bakery.headers
        ).status_code
        == 422
    )  # no reason
    nothing = _open(client, bakery, lot="SAK-1", session="251205-AM")
    assert nothing.status_code == 409
    other = make_bakery(session)
    session.commit()
    assert _open(client, other, lot="SAK-1").status_code == 404
    one = _open(client, bakery, batch=chain["b"][4].code)
    assert one.status_code == 201
    assert [x["batch"] for x in one.json()["batches"]] == [chain["b"][4].code]


def test_a_shop_webhook_is_set_and_its_secret_never_shown(client, session, bakery):
    from tests.factories import make_catalog

    make_catalog(session, bakery.tenant.id)
    session.commit()
    url = "/api/v1/catalog/points-of-sale/CITY-LIB"
    bad = client.patch(url, json={"webhook_url": "ftp://x"}, headers=bakery.headers)
    assert bad.status_code == 422
    short = client.patch(url, json={"webhook_secret": "abc"}, headers=bakery.headers)
    assert short.status_code == 422
    r = client.patch(
        url,
        json={
            "webhook_url": "https://shop.example/hooks/bakeprint",
            "webhook_secret": "a-long-shared-secret-1",
        },
        headers=bakery.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["webhook_url"] == "https://shop.example/hooks/bakeprint"
    assert "a-long-shared-secret-1" not in r.text
    assert "a-long-shared-secret-1" not in client.get(url, headers=bakery.headers).text


def test_from_the_scope_page_to_the_shop_and_back(client, session, bakery, chain):  # noqa: F811
    import re

    from tests.web.test_distribution_pages import login_as
    from tests.web.test_pages import csrf_of

    b = chain["b"]
    login_as(client, bakery)
    page = client.get("/scope", params={"lot": "SAK-1"})
    assert 'id="open-recall"' in page.text
    r = client.post(
        "/recalls",
        data={"csrf": csrf_of(page.text), "lot": "SAK-1", "reason": "客诉：异味"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/recalls/RC-")
    code = r.headers["location"].rsplit("/", 1)[1]
    detail = client.get(r.headers["location"]).text
    assert "客诉：异味" in detail and b[3].code in detail
    assert re.search(r'id="recalls-tile"><b>1</b>', client.get("/").text)
    # the shop sees the notice and confirms what it pulled
    shop = client.get("/shops/CITY-LIB").text
    assert 'id="recall-notices"' in shop and b[3].code in shop
    bad = client.post(
        "/shops/CITY-LIB/recall-pulled",
        data={
            "csrf": csrf_of(shop),
            "recall": code,
            "batch": b[3].code,
            "pulled": "99",
        },
    )
    assert bad.status_code == 422 and 'class="field-error"' in bad.text
    ok = client.post(
        "/shops/CITY-LIB/recall-pulled",
        data={"csrf": csrf_of(shop), "recall": code, "batch": b[3].code, "pulled": "6"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    detail = client.get(f"/recalls/{code}").text
    assert "6/71" in detail
    closed = client.post(
        f"/recalls/{code}/close",
        data={"csrf": csrf_of(detail), "note": "结案"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert "已关闭" in client.get(f"/recalls/{code}").text
    assert 'id="recall-notices"' not in client.get("/shops/CITY-LIB").text


def test_the_recall_report_as_json_and_pdf(client, session, bakery, chain):  # noqa: F811
    import io

    from pypdf import PdfReader

    code = _open(client, bakery, lot="SAK-1").json()["code"]
    client.post(
        f"/api/v1/recalls/{code}/confirmations",
        json={"point_of_sale": "MUSEUM", "batch": chain["b"][6].code, "pulled": 40},
        headers=bakery.headers,
    )
    rep = client.get(f"/api/v1/recalls/{code}/report", headers=bakery.auth("auditor"))
    assert rep.status_code == 200
    data = rep.json()
    assert data["effectiveness"]["pulled"] == 40 and data["log"]["head_hash"]
    assert data["generated_by"] == "auditor-user"
    pdf = client.get(f"/api/v1/recalls/{code}/report.pdf", headers=bakery.headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = text.replace("\n", " ")
    for fact in (
        code,
        "樱花蜜饯疑似异味",
        "博物馆",
        "40 / 通知时在架",
        data["log"]["head_hash"],
    ):
        assert fact in flat, fact


def test_a_refused_recall_goes_back_to_its_scope(client, session, bakery, chain):  # noqa: F811
    from urllib.parse import parse_qs, urlsplit

    from tests.web.test_distribution_pages import login_as
    from tests.web.test_pages import csrf_of

    login_as(client, bakery)
    page = client.get("/scope", params={"batch": chain["b"][4].code})
    assert chain["b"][4].code in page.text and 'id="open-recall"' in page.text
    r = client.post(
        "/recalls",
        data={
            "csrf": csrf_of(page.text),
            "lot": "SAK-1",
            "session": "251205-AM",
            "supplier": "B & C",
            "reason": "x",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    back = urlsplit(r.headers["location"])
    assert back.path == "/scope"
    assert parse_qs(back.query) == {
        "lot": ["SAK-1"],
        "session": ["251205-AM"],
        "supplier": ["B & C"],
    }
    bad = client.post(
        "/recalls",
        data={"csrf": csrf_of(page.text), "from": "2025-13-40", "reason": "x"},
        follow_redirects=False,
    )
    assert bad.status_code == 303 and bad.headers["location"].startswith("/scope?")

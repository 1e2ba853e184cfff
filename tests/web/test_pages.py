"""The management pages, through the same app the browser uses."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bakeprint.events.models import Event
from bakeprint.production.models import Batch
from tests.factories import make_bakery, make_catalog, raw_id
from tests.production.conftest import make_lot


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client, bakery, password: str = "correct-horse-1"):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "csrf": csrf_of(page.text),
            "bakery": bakery.tenant.slug,
            "username": "owner",
            "password": password,
            "next": "/",
        },
        follow_redirects=False,
    )


def test_pages_need_a_login(client):
    r = client.get("/batches", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/batches"


def test_a_wrong_password_is_said_in_the_chosen_language(client, bakery):
    r = login(client, bakery, "wrong-password")
    assert r.status_code == 401 and "店铺代码、用户名或密码不正确" in r.text
    client.cookies.set("lang", "en")
    r = login(client, bakery, "wrong-password")
    assert "wrong bakery code, user name or password" in r.text


def test_logging_in_shows_the_board_and_logging_out_ends_it(client, bakery):
    r = login(client, bakery)
    assert r.status_code == 303
    board = client.get("/")
    assert board.status_code == 200 and bakery.tenant.name in board.text
    out = client.post(
        "/logout", data={"csrf": csrf_of(board.text)}, follow_redirects=False
    )
    assert out.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_form_without_its_csrf_token_is_refused(client, bakery):
    login(client, bakery)
    r = client.post("/logout", data={"csrf": "forged"})
    assert r.status_code == 403


def test_the_board_counts_todays_batches(client, bakery, session):
    cat = make_catalog(session, bakery.tenant.id)
    login(client, bakery)
    page = client.get("/batches/new")
    for _ in range(2):
        r = client.post(
            "/batches/new",
            data={
                "csrf": csrf_of(page.text),
                "product_gtin": cat["product"].gtin,
                "planned_quantity": "80",
                "operators": "WANG-03",
                "equipment": "OVEN-3",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    board = client.get("/").text
    assert re.search(r"<b>2</b><span>生产中</span>", board)


def test_starting_a_batch_shows_its_code_large(client, bakery, session):
    cat = make_catalog(session, bakery.tenant.id)
    login(client, bakery)
    page = client.get("/batches/new")
    r = client.post(
        "/batches/new",
        data={
            "csrf": csrf_of(page.text),
            "product_gtin": cat["product"].gtin,
            "planned_quantity": "120",
            "operators": "WANG-03",
        },
    )
    assert r.status_code == 200
    code = session.scalar(select(Batch.code).where(Batch.tenant_id == bakery.tenant.id))
    assert f'<p class="code-big batch">{code}</p>' in r.text


def test_a_form_error_is_shown_next_to_the_field_and_writes_nothing(
    client, bakery, session
):
    cat = make_catalog(session, bakery.tenant.id)
    login(client, bakery)
    page = client.get("/batches/new")
    before = session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.tenant_id == bakery.tenant.id)
    )
    r = client.post(
        "/batches/new",
        data={
            "csrf": csrf_of(page.text),
            "product_gtin": cat["product"].gtin,
            "planned_quantity": "120",
            "operators": "NOBODY",
        },
    )
    assert r.status_code == 422
    assert 'class="invalid"' in r.text and "NOBODY" in r.text
    after = session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.tenant_id == bakery.tenant.id)
    )
    assert before == after


def test_intake_form_registers_a_lot(client, bakery, session):
    make_catalog(session, bakery.tenant.id)
    login(client, bakery)
    page = client.get("/lots/new")
    r = client.post(
        "/lots/new",
        data={
            "csrf": csrf_of(page.text),
            "material": "SAKURA",
            "supplier": "B",
            "supplier_lot": "LOT25S-45",
            "quantity": "5",
            "expires_on": "2099-01-01",
            "qc_result": "pass",
            "quality_score": "96",
        },
    )
    assert r.status_code == 200 and "LOT25S-45" in r.text
    bad = client.post(
        "/lots/new",
        data={
            "csrf": csrf_of(page.text),
            "material": "SAKURA",
            "supplier": "B",
            "supplier_lot": "X",
            "quantity": "5",
            "expires_on": "2000-01-01",
            "qc_result": "pass",
            "quality_score": "96",
        },
    )
    assert bad.status_code == 422 and "过期" in bad.text


def test_a_checkpoint_is_recorded_from_the_batch_page(client, bakery, session):
    cat = make_catalog(session, bakery.tenant.id)
    login(client, bakery)
    page = client.get("/batches/new")
    client.post(
        "/batches/new",
        data={
            "csrf": csrf_of(page.text),
            "product_gtin": cat["product"].gtin,
            "planned_quantity": "120",
            "operators": "WANG-03",
        },
    )
    code = session.scalar(select(Batch.code).where(Batch.tenant_id == bakery.tenant.id))
    r = client.post(
        f"/batches/{code}/checkpoints",
        data={
            "csrf": csrf_of(page.text),
            "stage": "pre_bake",
            "passed": "1",
            "notes": "面团状态良好",
        },
    )
    assert r.status_code == 200 and "面团状态良好" in r.text


def test_another_bakerys_batch_and_lot_pages_are_404(client, bakery, session):
    other = make_bakery(session)
    cat = make_catalog(session, other.tenant.id)
    make_lot(session, cat, code="RM-OTHER")
    login(client, bakery)
    assert (
        client.get("/lots/RM-OTHER", headers={"Accept": "text/html"}).status_code == 404
    )
    assert (
        client.get(
            "/batches/251203-SS-PM-001", headers={"Accept": "text/html"}
        ).status_code
        == 404
    )
    r = client.get("/lookup", params={"q": "RM-OTHER"}, follow_redirects=False)
    assert r.status_code == 404


def test_the_event_log_page_shows_exactly_which_event_was_edited(
    client, bakery, session
):
    from sqlalchemy import text

    cat = make_catalog(session, bakery.tenant.id)
    make_lot(session, cat)
    login(client, bakery)
    page = client.get("/batches/new")
    for _ in range(3):
        client.post(
            "/batches/new",
            data={
                "csrf": csrf_of(page.text),
                "product_gtin": cat["product"].gtin,
                "planned_quantity": "50",
                "operators": "WANG-03",
            },
        )
    r = client.post("/events/verify", data={"csrf": csrf_of(page.text)})
    assert "✓" in r.text
    session.execute(
        text(
            "UPDATE events SET actor = 'user:mallory' WHERE tenant_id = :t AND seq = 2"
        ),
        {"t": raw_id(session, bakery.tenant.id)},
    )
    session.expire_all()
    r = client.post("/events/verify", data={"csrf": csrf_of(page.text)})
    assert "✗" in r.text and "#2 —" in r.text and "#1 —" not in r.text


def test_language_switch_sticks(client, bakery):
    login(client, bakery)
    r = client.get("/lang/en?back=/batches")
    assert r.status_code == 200 and "Batches" in r.text and "Log out" in r.text


def test_the_kitchen_floor_runs_from_the_batch_page(client, bakery, session):
    """Bind a lot (typed or scanned into the same field), oven actuals, close
    production, the post-cooling check, pack — each form on the batch page;
    a mistake is said next to its field and writes nothing."""
    from datetime import date

    from bakeprint.packaging.models import Unit

    cat = make_catalog(session, bakery.tenant.id)
    lot = make_lot(session, cat, code="RM-WEB-1", expires=date(2099, 1, 1))
    login(client, bakery)
    page = client.get("/batches/new")
    client.post(
        "/batches/new",
        data={
            "csrf": csrf_of(page.text),
            "product_gtin": cat["product"].gtin,
            "planned_quantity": "24",
            "operators": "WANG-03",
            "equipment": cat["oven"].code,
        },
    )
    code = session.scalar(select(Batch.code).where(Batch.tenant_id == bakery.tenant.id))
    page = client.get(f"/batches/{code}")
    assert 'action="/batches/' in page.text and 'id="consume"' in page.text
    assert "RM-WEB-1" in page.text  # offered in the lot field's suggestions
    assert 'name="lot"' in page.text and "data-scan" in page.text
    csrf = csrf_of(page.text)

    def post(what: str, **data: str):  # type: ignore[no-untyped-def]
        return client.post(f"/batches/{code}/{what}", data={"csrf": csrf, **data})

    events_before = session.scalar(select(func.count()).select_from(Event))
    bad = post("consume", lot="RM-NOPE", quantity="1")
    assert bad.status_code == 404 and "RM-NOPE" in bad.text
    assert 'class="field-error"' in bad.text
    too_much = post("consume", lot="RM-WEB-1", quantity="abc")
    assert too_much.status_code == 422 and 'class="invalid"' in too_much.text
    assert session.scalar(select(func.count()).select_from(Event)) == events_before

    assert post("consume", lot="RM-WEB-1", quantity="0.8").status_code == 200
    session.refresh(lot)
    assert lot.consumed == 0.8
    r = post(
        "bake", equipment=cat["oven"].code, actual_temp_c="181", actual_minutes="22"
    )
    assert r.status_code == 200 and "181" in r.text
    early = post("pack", quantity="24")  # not completed yet: no pack form action
    assert early.status_code in (409, 422)
    r = post("complete", produced_quantity="24")
    assert r.status_code == 200 and 'id="pack"' in r.text
    refused = post("pack", quantity="24")  # no post-cooling check yet
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    assert post("checkpoints", stage="post_cooling", passed="1").status_code == 200
    r = post("pack", quantity="24")
    assert r.status_code == 200 and "/labels" in r.text
    batch = session.scalar(
        select(Batch).where(Batch.tenant_id == bakery.tenant.id, Batch.code == code)
    )
    assert batch is not None and batch.status == "packed"
    n = session.scalar(
        select(func.count()).select_from(Unit).where(Unit.batch_id == batch.id)
    )
    assert n == 24

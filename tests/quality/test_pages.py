"""The pages of R2.5: what to handle (level-2/3 alerts, QC tasks,
thresholds), complaints filed by a shop and verified by QC into a recall
draft that the owner launches, and the consumer's "report a problem" form on
the public scan page — which shows nothing internal."""

from __future__ import annotations

import re

from sqlalchemy import select

from bakeprint.packaging.models import Unit
from bakeprint.production.models import Batch
from bakeprint.quality.models import Complaint
from tests.trace.test_scope import chain  # noqa: F401
from tests.web.test_distribution_pages import login_as
from tests.web.test_pages import csrf_of


def report_token_of(html: str) -> str:
    """The signed token the scan page puts into its report form."""
    match = re.search(r'name="report_token" value="([^"]+)"', html)
    assert match is not None, "the scan page's report form has no token"
    return match.group(1)


def test_a_shop_files_qc_verifies_the_owner_launches(
    client,
    session,
    bakery,
    chain,  # noqa: F811
):  # type: ignore[no-untyped-def]
    b3 = chain["b"][3]
    login_as(client, bakery, "store-user")
    page = client.get("/complaints")
    assert page.status_code == 200 and 'id="complaint-form"' in page.text
    csrf = csrf_of(page.text)
    bad = client.post(
        "/complaints",
        data={"csrf": csrf, "code": "NOPE", "category": "spoiled", "description": "x"},
    )
    assert bad.status_code == 422
    assert 'class="invalid"' in bad.text and "NOPE" in bad.text
    ok = client.post(
        "/complaints",
        data={
            "csrf": csrf,
            "code": b3.code,
            "category": "spoiled",
            "description": "顾客说有酸味",
            "point_of_sale": "CITY-LIB",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    (row,) = session.scalars(
        select(Complaint).where(Complaint.tenant_id == bakery.tenant.id)
    ).all()
    assert row.channel == "shop" and row.reported_by == "store-user"
    assert client.get(f"/complaints/{row.code}").status_code == 403  # store: no read

    client.post("/logout", data={"csrf": csrf_of(client.get("/complaints").text)})
    login_as(client, bakery, "qc-user")
    board = client.get("/").text
    assert 'id="complaints-tile"' in board and 'id="tasks-tile"' in board
    detail = client.get(f"/complaints/{row.code}")
    assert 'id="decision"' in detail.text and "顾客说有酸味" in detail.text
    csrf = csrf_of(detail.text)
    empty = client.post(
        f"/complaints/{row.code}/decision",
        data={"csrf": csrf, "verified": "yes", "verdict": ""},
    )
    assert empty.status_code == 422 and 'class="invalid"' in empty.text
    done = client.post(
        f"/complaints/{row.code}/decision",
        data={"csrf": csrf, "verified": "yes", "verdict": "留样 pH 异常"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(f"/complaints/{row.code}").text
    assert "RC-" in shown and 'id="decision"' not in shown
    rc = shown.split('href="/recalls/')[1].split('"')[0]

    client.post("/logout", data={"csrf": csrf_of(shown)})
    login_as(client, bakery, "owner")
    attention = client.get("/attention").text
    assert "投诉核实属实" in attention and b3.code in attention
    draft = client.get(f"/recalls/{rc}").text
    assert 'id="launch-recall"' in draft and 'id="draft"' in draft
    launched = client.post(
        f"/recalls/{rc}/launch", data={"csrf": csrf_of(draft)}, follow_redirects=False
    )
    assert launched.status_code == 303
    session.refresh(b3)
    assert b3.status == "recalled"
    again = client.post(f"/recalls/{rc}/launch", data={"csrf": csrf_of(draft)})
    assert again.status_code == 409 and 'role="alert"' in again.text


def test_qc_closes_its_sampling_task_and_sets_the_thresholds(
    client,
    session,
    bakery,
    chain,  # noqa: F811
):  # type: ignore[no-untyped-def]
    login_as(client, bakery, "qc-user")
    r = client.post(
        "/api/v1/lots/SAK-1/qc",
        json={"qc_result": "borderline", "quality_score": 70, "reason": "复检"},
        headers=bakery.headers,
    )
    assert r.status_code == 200, r.text
    page = client.get("/attention")
    assert page.text.count('action="/qc-tasks/') == 5
    csrf = csrf_of(page.text)
    task = page.text.split('action="/qc-tasks/')[1].split("/done")[0]
    empty = client.post(f"/qc-tasks/{task}/done", data={"csrf": csrf, "result": ""})
    assert empty.status_code == 422 and 'class="field-error"' in empty.text
    ok = client.post(
        f"/qc-tasks/{task}/done",
        data={"csrf": csrf, "result": "抽检 8 个，正常"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/attention").text.count('action="/qc-tasks/') == 4

    bad = client.post(
        "/alert-settings",
        data={"csrf": csrf, "minor_anomalies": "0", "raised_sampling_pct": "10"},
    )
    assert bad.status_code == 409 or bad.status_code == 422
    assert "1" in bad.text and 'role="alert"' in bad.text
    saved = client.post(
        "/alert-settings",
        data={"csrf": csrf, "minor_anomalies": "3", "raised_sampling_pct": "20"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    form = client.get("/attention").text
    assert 'inputmode="numeric" value="3"' in form
    assert 'value="20.0"' in form

    batch = chain["b"][1]
    detail = client.get(f"/batches/{batch.code}").text
    assert 'id="batch-alerts"' in detail and "原料边缘合格" in detail
    assert "10.0%" in detail  # its raised sampling rate


def test_a_consumer_reports_a_problem_from_the_scan_page(
    client,
    session,
    bakery,
    chain,  # noqa: F811
):  # type: ignore[no-untyped-def]
    b3: Batch = chain["b"][3]
    unit = session.scalar(select(Unit).where(Unit.batch_id == b3.id).limit(1))
    assert unit is not None
    page = client.get(f"/u/{unit.serial}")
    assert f'action="/u/{unit.serial}/report"' in page.text
    token = report_token_of(page.text)
    empty = client.post(
        f"/u/{unit.serial}/report",
        data={"category": "foreign_body", "description": "", "report_token": token},
    )
    assert empty.status_code == 422 and 'class="field-error"' in empty.text
    odd = client.post(
        f"/u/{unit.serial}/report",
        data={"category": "poison", "description": "x", "report_token": token},
    )
    assert odd.status_code == 422
    sent = client.post(
        f"/u/{unit.serial}/report",
        data={
            "category": "foreign_body",
            "description": "吃到塑料片",
            "contact": "138-0000-1234",
            "report_token": report_token_of(odd.text),  # the page drawn again
        },
    )
    assert sent.status_code == 201 and 'id="report-filed"' in sent.text
    (row,) = session.scalars(
        select(Complaint).where(Complaint.tenant_id == bakery.tenant.id)
    ).all()
    assert row.channel == "scan" and row.serial == unit.serial
    assert row.batch_id == b3.id and row.reported_by == ""
    assert row.code in sent.text
    # nothing internal on the public answer: no contact echoed, no names
    for secret in ("138-0000-1234", "WANG-03", "王", "owner", "qc-user"):
        assert secret not in sent.text
    missing = client.post("/u/NOSUCH99/report", data={"category": "other"})
    assert missing.status_code == 404

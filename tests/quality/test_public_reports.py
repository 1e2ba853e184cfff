"""The public "report a problem" form (issue #17, item 2). Anyone can send it
without signing in, so:

- it is only taken from a form the scan page drew for that package lately
  (a signed, time-limited token): without it, with another package's, a
  forged or an expired one, nothing is filed and the page says to scan again;
- one package takes a few open reports a day and one batch a few an hour;
  past that the consumer is told, in the page's language, that QC is already
  checking it — one serial can no longer make hundreds of complaints, QC
  tasks and outbox messages. Shops and staff are not limited.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.config import settings
from bakeprint.outbox.models import OutboxMessage
from bakeprint.packaging.models import Unit
from bakeprint.quality.models import Complaint, QcTask
from tests.quality.test_pages import report_token_of
from tests.trace.test_scope import chain  # noqa: F401

EN = {"Accept-Language": "en"}


def _units(session: Session, batch: Any, n: int) -> list[str]:
    return list(
        session.scalars(
            select(Unit.serial)
            .where(Unit.tenant_id == batch.tenant_id, Unit.batch_id == batch.id)
            .order_by(Unit.number)
            .limit(n)
        )
    )


def _count(session: Session, model: Any, tenant_id: Any) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        )
        or 0
    )


def _report(client: Any, serial: str, headers: dict[str, str] | None = None) -> Any:
    """Open the scan page, then send its form (as a phone does)."""
    page = client.get(f"/u/{serial}", headers=headers)
    return client.post(
        f"/u/{serial}/report",
        data={
            "category": "spoiled",
            "description": "有酸味",
            "report_token": report_token_of(page.text),
        },
        headers=headers,
    )


def test_a_report_not_from_the_packages_scan_page_is_refused_and_files_nothing(
    client,
    session,
    bakery,
    chain,  # noqa: F811
    monkeypatch,
):  # type: ignore[no-untyped-def]
    serial, other = _units(session, chain["b"][3], 2)
    token = report_token_of(client.get(f"/u/{serial}").text)
    others = report_token_of(client.get(f"/u/{other}").text)
    form = {"category": "spoiled", "description": "有酸味"}
    for bad in ({}, {"report_token": ""}, {"report_token": others}):
        r = client.post(f"/u/{serial}/report", data={**form, **bad})
        assert r.status_code == 403 and "表单已过期" in r.text
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    r = client.post(
        f"/u/{serial}/report", data={**form, "report_token": forged}, headers=EN
    )
    assert r.status_code == 403 and "scan the QR code on the pack again" in r.text
    monkeypatch.setattr(settings, "report_form_max_age_s", -1)  # shown long ago
    r = client.post(f"/u/{serial}/report", data={**form, "report_token": token})
    assert r.status_code == 403
    assert _count(session, Complaint, bakery.tenant.id) == 0
    monkeypatch.setattr(settings, "report_form_max_age_s", 3600)
    r = client.post(f"/u/{serial}/report", data={**form, "report_token": token})
    assert r.status_code == 201 and 'id="report-filed"' in r.text


def test_one_package_takes_three_reports_a_day_then_hears_qc_is_on_it(
    client,
    session,
    bakery,
    chain,  # noqa: F811
):  # type: ignore[no-untyped-def]
    t = bakery.tenant.id
    serial, neighbour = _units(session, chain["b"][3], 2)
    assert [_report(client, serial).status_code for _ in range(3)] == [201] * 3
    tasks, messages = _count(session, QcTask, t), _count(session, OutboxMessage, t)
    zh = _report(client, serial)
    assert zh.status_code == 429
    assert (
        "这件商品在 24 小时内已收到 3 次反馈" in zh.text and "无需重复提交" in zh.text
    )
    en = _report(client, serial, EN)
    assert en.status_code == 429
    assert "already reported 3 times in the last 24 hours" in en.text
    # nothing more for QC: no complaint, no task, no message
    assert _count(session, Complaint, t) == 3
    assert (_count(session, QcTask, t), _count(session, OutboxMessage, t)) == (
        tasks,
        messages,
    )
    # the next package of the batch is another consumer's
    assert _report(client, neighbour).status_code == 201


def test_one_batch_takes_a_few_reports_an_hour_from_the_public(
    client,
    session,
    bakery,
    chain,  # noqa: F811
    monkeypatch,
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(settings, "public_reports_per_batch_hour", 4)
    serials = _units(session, chain["b"][3], 5)
    assert [_report(client, s).status_code for s in serials[:4]] == [201] * 4
    over = _report(client, serials[4], EN)
    assert over.status_code == 429
    assert "this batch was reported 4 times in the last hour" in over.text
    (elsewhere,) = _units(session, chain["b"][4], 1)
    assert _report(client, elsewhere).status_code == 201
    # a shop's complaint about the batch is still taken
    r = client.post(
        "/api/v1/complaints",
        json={"code": chain["b"][3].code, "category": "spoiled", "description": "酸"},
        headers=bakery.auth("store"),
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("field", "longest"), [("description", 2000), ("contact", 200)]
)
def test_an_overlong_field_is_refused_and_files_nothing(
    client,
    session,
    bakery,
    chain,  # noqa: F811
    field,
    longest,
):  # type: ignore[no-untyped-def]
    (serial,) = _units(session, chain["b"][3], 1)
    token = report_token_of(client.get(f"/u/{serial}").text)
    form = {"category": "spoiled", "description": "有酸味", "report_token": token}
    r = client.post(f"/u/{serial}/report", data={**form, field: "长" * (longest + 1)})
    assert r.status_code == 422 and 'class="field-error"' in r.text
    assert _count(session, Complaint, bakery.tenant.id) == 0
    # the longest the form allows is taken (2,000 characters: 18 KB sent)
    r = client.post(
        f"/u/{serial}/report",
        data={**form, "report_token": report_token_of(r.text), field: "长" * longest},
    )
    assert r.status_code == 201

"""Limited-edition certificates (R4.3): a limited product's units are
numbered across its batches ("第 41 / 70 份") up to the edition size, each
with an Ed25519 certificate that the scan page verifies; a buyer claims it
once, and the page says so to the next scanner."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bakeprint.errors import Conflict
from bakeprint.packaging import service as packaging
from bakeprint.packaging.models import Unit
from bakeprint.production.models import Batch
from tests.factories import raw_id
from tests.packaging.conftest import pack_a_batch


@pytest.fixture
def edition(session, bakery, cat):  # type: ignore[no-untyped-def]
    cat["product"].limited_edition_size = 70
    session.flush()
    first = pack_a_batch(session, bakery.actor, cat, quantity=40)
    session.commit()
    return first


def test_units_are_numbered_across_batches_up_to_the_edition_size(
    session, bakery, cat, edition
):  # type: ignore[no-untyped-def]
    units = packaging.units_of(session, edition)
    assert [u.edition_number for u in units] == list(range(1, 41))
    assert all(u.certificate for u in units)
    with pytest.raises(Conflict) as err:
        pack_a_batch(session, bakery.actor, cat, quantity=40, minutes=180)
    assert "70" in err.value.zh and "40" in err.value.en
    session.rollback()
    # one command, one transaction: nothing of the refused run stayed
    assert [
        b.code
        for b in session.scalars(
            select(Batch).where(Batch.tenant_id == bakery.tenant.id)
        )
    ] == [edition.code]
    second = pack_a_batch(session, bakery.actor, cat, quantity=30, minutes=360)
    assert [u.edition_number for u in packaging.units_of(session, second)] == list(
        range(41, 71)
    )


def test_the_scan_page_verifies_the_certificate_and_the_claim(
    client, session, bakery, cat, edition
):  # type: ignore[no-untyped-def]
    unit = packaging.units_of(session, edition)[11]
    page = client.get(f"/u/{unit.serial}")
    assert page.status_code == 200
    assert "第 12 / 70 份" in page.text and 'id="certificate-valid"' in page.text
    data = client.get(f"/u/{unit.serial}?format=json").json()["certificate"]
    assert data["edition"] == 12 and data["of"] == 70 and data["valid"] is True
    assert data["claimed_at"] is None and data["scans"] == 2
    en = client.get(f"/u/{unit.serial}?lang=en").text
    assert "No. 12 of 70" in en

    claimed = client.post(f"/u/{unit.serial}/claim")
    assert claimed.status_code == 200 and 'id="certificate-claimed"' in claimed.text
    again = client.post(f"/u/{unit.serial}/claim")
    assert again.status_code == 409 and "已于" in again.text
    later = client.get(f"/u/{unit.serial}").text
    assert 'id="certificate-claimed"' in later and 'id="claim"' not in later

    # someone renumbers the unit in the database: the signature no longer holds
    session.execute(
        text("UPDATE units SET edition_number = 1 WHERE tenant_id = :t AND id = :u"),
        {"t": raw_id(session, bakery.tenant.id), "u": raw_id(session, unit.id)},
    )
    session.expire_all()
    forged = client.get(f"/u/{unit.serial}")
    assert 'id="certificate-invalid"' in forged.text and "第 1 / 70 份" in forged.text


def test_an_ordinary_unit_has_no_certificate(client, session, bakery, cat):  # type: ignore[no-untyped-def]
    batch = pack_a_batch(session, bakery.actor, cat, quantity=5)
    unit = packaging.units_of(session, batch)[0]
    assert unit.edition_number is None and unit.certificate is None
    assert 'id="certificate"' not in client.get(f"/u/{unit.serial}").text
    r = client.post(f"/u/{unit.serial}/claim")
    assert r.status_code == 422
    assert session.scalar(select(Unit.claimed_at).where(Unit.id == unit.id)) is None

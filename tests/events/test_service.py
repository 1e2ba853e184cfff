from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bakeprint.db import Database
from bakeprint.events import service as events
from bakeprint.events.hashing import GENESIS
from bakeprint.events.models import Event
from tests.factories import make_bakery


def _append(session: Session, tenant_id, n: int = 3):  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        out.append(
            events.append(
                session,
                tenant_id=tenant_id,
                kind="test",
                subject=f"thing:{i}",
                event_type="ObjectEvent",
                action="OBSERVE",
                biz_step="inspecting",
                event_time=datetime(2026, 3, 3, 8, i, tzinfo=UTC),
                fields={"epcList": [f"urn:test:{i}"]},
                actor="user:owner",
            )
        )
    return out


def test_events_are_numbered_and_each_links_to_the_one_before(session: Session):
    bakery = make_bakery(session)
    evs = _append(session, bakery.tenant.id)
    assert [e.seq for e in evs] == [1, 2, 3]
    assert evs[0].prev_hash == GENESIS
    assert evs[1].prev_hash == evs[0].hash and evs[2].prev_hash == evs[1].hash
    assert evs[0].body["eventTimeZoneOffset"] == "+08:00"
    assert evs[0].body["eventTime"] == "2026-03-03T16:00:00.000+08:00"
    count, problems = events.verify(session, bakery.tenant.id)
    assert (count, problems) == (3, [])


def test_each_bakery_has_its_own_chain(session: Session):
    a, b = make_bakery(session), make_bakery(session)
    _append(session, a.tenant.id, 2)
    (first_b,) = _append(session, b.tenant.id, 1)
    assert first_b.seq == 1 and first_b.prev_hash == GENESIS


def test_verify_names_exactly_the_event_edited_in_the_database(session: Session):
    bakery = make_bakery(session)
    _append(session, bakery.tenant.id, 5)
    session.execute(
        text(
            "UPDATE events SET subject = 'thing:forged' "
            "WHERE tenant_id = :t AND seq = 3"
        ),
        {
            "t": bakery.tenant.id.hex
            if session.bind.dialect.name == "sqlite"  # type: ignore[union-attr]
            else bakery.tenant.id
        },
    )
    session.expire_all()
    count, problems = events.verify(session, bakery.tenant.id)
    assert count == 5
    assert [(p.seq, p.problem) for p in problems] == [(3, "altered")]


def test_a_deleted_event_is_reported_as_missing(session: Session):
    bakery = make_bakery(session)
    _append(session, bakery.tenant.id, 4)
    tid = (
        bakery.tenant.id.hex
        if session.bind.dialect.name == "sqlite"  # type: ignore[union-attr]
        else bakery.tenant.id
    )
    session.execute(
        text("DELETE FROM events WHERE tenant_id = :t AND seq = 2"), {"t": tid}
    )
    session.expire_all()
    _, problems = events.verify(session, bakery.tenant.id)
    kinds = {(p.seq, p.problem) for p in problems}
    assert (2, "missing") in kinds and (3, "broken_link") in kinds


def test_a_correction_is_a_new_event_pointing_at_the_old_one(session: Session):
    bakery = make_bakery(session)
    first, *_ = _append(session, bakery.tenant.id, 1)
    fix = events.append(
        session,
        tenant_id=bakery.tenant.id,
        kind="test",
        subject="thing:0",
        event_type="ObjectEvent",
        biz_step="inspecting",
        event_time=datetime(2026, 3, 3, 9, tzinfo=UTC),
        corrects_seq=first.seq,
    )
    assert fix.seq == 2 and fix.corrects_seq == 1 and fix.body["bp:corrects"] == 1
    assert session.get(type(first), (bakery.tenant.id, 1)).hash == first.hash


def test_another_bakery_cannot_read_this_bakerys_events(client, session, bakery):
    _append(session, bakery.tenant.id, 2)
    other = make_bakery(session)
    assert client.get("/api/v1/events/1", headers=other.headers).status_code == 404
    assert client.get("/api/v1/events", headers=other.headers).json()["items"] == []
    mine = client.get("/api/v1/events", headers=bakery.auth("auditor")).json()
    assert [e["seq"] for e in mine["items"]] == [1, 2]
    assert client.get("/api/v1/events", headers=bakery.auth("store")).status_code == 403


def test_an_append_after_a_rolled_back_one_takes_its_place_in_the_chain(
    session: Session,
):
    # the session remembers where it left the head; a savepoint rolled back
    # behind its back must not leave a gap or a stale link
    bakery = make_bakery(session)
    first = _append(session, bakery.tenant.id, 2)
    nested = session.begin_nested()
    _append(session, bakery.tenant.id, 2)
    nested.rollback()
    (after,) = _append(session, bakery.tenant.id, 1)
    assert after.seq == 3 and after.prev_hash == first[-1].hash
    head = events.head(session, bakery.tenant.id)
    assert head is not None and (head.last_seq, head.last_hash) == (3, after.hash)
    assert events.verify(session, bakery.tenant.id) == (3, [])


def test_two_writers_taking_turns_keep_one_unbroken_chain(db: Database):
    with db.session() as s:
        tenant_id = make_bakery(s).tenant.id
    a, b = db.writer(), db.writer()
    try:
        for _turn in range(3):
            for writer in (a, b):
                _append(writer, tenant_id, 2)
                writer.commit()
        with db.session(write=False) as s:
            count, problems = events.verify(s, tenant_id)
            seqs = list(
                s.scalars(
                    select(Event.seq)
                    .where(Event.tenant_id == tenant_id)
                    .order_by(Event.seq)
                )
            )
        assert (count, problems) == (12, [])
        assert seqs == list(range(1, 13))
    finally:
        a.close()
        b.close()

"""Reactions subscribe to the kinds of events they follow up on (issue #18):
a handler runs inside ``events.service.append``, so what it writes commits
with its cause, and a handler that fails takes its cause down with it. Every
entry point installs the bakery's reactions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint import reactions
from bakeprint.alerts import reactions as alert_reactions
from bakeprint.app import create_app
from bakeprint.db import Database, utcnow
from bakeprint.errors import Invalid
from bakeprint.events import service as events
from bakeprint.events import subscribers
from bakeprint.events.models import Event
from bakeprint.outbox.models import OutboxMessage
from bakeprint.sensors.mqtt import Listener
from tests.factories import make_bakery


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch) -> None:
    """No reaction subscribed (the tests' own are dropped afterwards)."""
    monkeypatch.setattr(subscribers, "_handlers", {})


def _append(session: Session, tenant_id, kind: str = "delivered") -> Event:  # type: ignore[no-untyped-def]
    return events.append(
        session,
        tenant_id=tenant_id,
        kind=kind,
        subject="thing:1",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="inspecting",
        event_time=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
        fields={"epcList": ["urn:test:1"]},
        actor="user:owner",
    )


def _notice(session: Session, ev: Event) -> None:
    session.add(
        OutboxMessage(
            tenant_id=ev.tenant_id,
            topic="test.notice",
            recipient="role:qc",
            payload={"seq": ev.seq, "subject": ev.subject},
            available_at=utcnow(),
        )
    )


def _refuse(session: Session, ev: Event) -> None:
    raise Invalid("不行", f"event #{ev.seq} refused by its reaction")


def _count(session: Session, model, tenant_id) -> int:  # type: ignore[no-untyped-def]
    return int(
        session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        )
        or 0
    )


def test_a_reaction_runs_for_its_kind_only_and_commits_with_its_cause(
    bare: None, session: Session
):
    bakery = make_bakery(session)
    t = bakery.tenant.id
    subscribers.subscribe("delivered", _notice)
    subscribers.subscribe("delivered", _notice)  # twice is still once
    before = _count(session, OutboxMessage, t)
    _append(session, t, kind="other")
    assert _count(session, OutboxMessage, t) == before
    ev = _append(session, t)
    session.commit()
    (msg,) = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.tenant_id == t, OutboxMessage.topic == "test.notice"
        )
    )
    assert msg.payload == {"seq": ev.seq, "subject": "thing:1"}


def test_a_failing_reaction_rolls_its_cause_back(bare: None, session: Session):
    bakery = make_bakery(session)
    t = bakery.tenant.id
    _append(session, t)
    session.commit()
    subscribers.subscribe("delivered", _notice)
    subscribers.subscribe("delivered", _refuse)
    head = events.head(session, t)
    assert head is not None
    last = head.last_seq
    nested = session.begin_nested()  # what a request or a command does
    with pytest.raises(Invalid, match="refused by its reaction"):
        _append(session, t)
    nested.rollback()
    session.expire_all()
    assert _count(session, Event, t) == last
    assert _count(session, OutboxMessage, t) == 0
    head = events.head(session, t)
    assert head is not None and head.last_seq == last
    assert events.verify(session, t) == (last, [])


def test_each_entry_point_installs_the_reactions(bare: None, db: Database):
    assert subscribers.handlers("checkpoint") == ()
    create_app(db)
    assert alert_reactions.checked in subscribers.handlers("checkpoint")
    subscribers._handlers.clear()
    Listener(db)
    assert alert_reactions.baked in subscribers.handlers("bake")
    reactions.install()  # again: nothing runs twice
    assert subscribers.handlers("checkpoint") == (alert_reactions.checked,)

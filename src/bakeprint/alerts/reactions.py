"""What the alerts follow up on: the facts other domains record, by
subscription (``events.subscribers``), in the transaction that records them.

A bake outside tolerance, a failed check, a completed batch: the batch's minor
anomalies are counted again (enough of them is level 2). A borderline lot
bound to a batch, or a lot regraded to borderline: the batches made with it
are sampled more.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bakeprint.alerts import attention
from bakeprint.events import subscribers
from bakeprint.events.models import Event
from bakeprint.materials import repository as lots
from bakeprint.materials.models import MaterialLot
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch


def _by(ev: Event) -> str:
    """Who recorded the fact (``user:ana`` → ``ana``), as the alert names them."""
    return ev.actor.removeprefix("user:") if ev.actor else attention.SYSTEM


def _batch(session: Session, ev: Event) -> Batch:
    return batches.get(session, ev.tenant_id, ev.body["bp:batch"])


def _lot(session: Session, ev: Event) -> MaterialLot:
    return lots.get_by_code(session, ev.tenant_id, ev.body["bp:lot"])


def baked(session: Session, ev: Event) -> None:
    """A bake outside tolerance is a minor anomaly of its batch."""
    # an event recorded before the flag existed counts as within tolerance
    if not ev.body.get("bp:within_tolerance", True):
        attention.review(session, _batch(session, ev), by=_by(ev))


def completed(session: Session, ev: Event) -> None:
    """A batch out of the oven: its minor anomalies, all of them now known."""
    attention.review(session, _batch(session, ev), by=_by(ev))


def checked(session: Session, ev: Event) -> None:
    """A failed check is a minor anomaly (a correction changes no count)."""
    if ev.corrects_seq is None and not ev.body.get("bp:passed", True):
        attention.review(session, _batch(session, ev), by=_by(ev))


def consumed(session: Session, ev: Event) -> None:
    """A borderline lot bound to a batch: sample this batch more."""
    if ev.corrects_seq is None and ev.body["bp:qc_result"] == "borderline":
        lot = _lot(session, ev)
        attention.borderline_lot(session, lot, [_batch(session, ev)], by=_by(ev))


def regraded(session: Session, ev: Event) -> None:
    """A lot regraded to borderline: sample what it already went into."""
    body = ev.body
    if body["bp:qc_result"] == "borderline" and (
        body["bp:previous_qc_result"] != "borderline"
    ):
        lot = _lot(session, ev)
        attention.borderline_lot(
            session, lot, attention.batches_using(session, lot), by=_by(ev)
        )


def register() -> None:
    subscribers.subscribe("bake", baked)
    subscribers.subscribe("batch_completed", completed)
    subscribers.subscribe("checkpoint", checked)
    subscribers.subscribe("consumption", consumed)
    subscribers.subscribe("qc_regrade", regraded)

"""Reactions to recorded facts, by subscription.

A domain that follows up on a fact another domain records (a failed check
counting towards a level-2 alert, a borderline lot flagging the batches it
went into…) subscribes a handler to the kind of event that fact appends,
instead of the recording service calling it. ``events.service.append`` runs
every handler of the event's kind right after the event is written, in the
same session and transaction: a reaction commits with its cause, and a
handler that raises rolls the cause back with it.

The registry holds no domain code: each reacting domain lists its handlers in
its ``reactions.py`` and ``bakeprint.reactions.install()`` subscribes them all,
once, from every entry point (the app, the CLI, the MQTT worker, the tests).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from bakeprint.events.models import Event

Handler = Callable[[Session, Event], None]

_handlers: dict[str, list[Handler]] = {}


def subscribe(kind: str, handler: Handler) -> None:
    """Run ``handler(session, event)`` for every event of ``kind`` appended
    from now on (subscribing the same handler twice runs it once)."""
    found = _handlers.setdefault(kind, [])
    if handler not in found:
        found.append(handler)


def handlers(kind: str) -> tuple[Handler, ...]:
    return tuple(_handlers.get(kind, ()))


def dispatch(session: Session, event: Event) -> None:
    """The reactions to ``event``, in the order they were subscribed."""
    for handler in _handlers.get(event.kind, ()):
        handler(session, event)


def unsubscribe(kind: str, handler: Handler) -> None:
    """Stop running ``handler`` for ``kind`` (tests that add their own)."""
    found = _handlers.get(kind, [])
    if handler in found:
        found.remove(handler)

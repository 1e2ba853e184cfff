"""The demo's own calendar: the history is recorded as the days go by.

Each step of a demo day (the morning's deliveries, a batch, a van run, the
tills' sales) is recorded with "now" at its time on the demo's calendar, so
everything the services date themselves — when a record was made, an alert
raised or acknowledged, a complaint received — falls on the day it belongs
to, never on the moment the demo was loaded. The clock never goes back (a
step that ends before the previous one is recorded after it, as paperwork
would be). The sensors' readings up to a step's time are uploaded just after
it, as a gateway's would arrive while the work goes on: an alert they raise
names the batches that were there (a batch is recorded whole once it is done,
so readings sent before it would find the hall empty).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from bakeprint.db import clock_at
from bakeprint.demo import climate
from bakeprint.demo import data as D
from bakeprint.identity.service import Actor


class Calendar:
    def __init__(
        self, session: Session, feed: climate.Feed, lead: Actor, start: datetime
    ) -> None:
        self.session, self.feed, self.lead = session, feed, lead  # lead: alerts
        self.now = start

    @contextmanager
    def at(self, when: datetime) -> Iterator[datetime]:
        """Record a step that was over by ``when`` (or later, if the clock
        has passed it already)."""
        self.now = max(self.now, when)
        with clock_at(self.now):
            yield self.now
            self.feed.until(self.now)
            # past weeks' alerts: handled once the humidity was back to normal
            climate.acknowledge_old(self.session, self.lead, before=D.CASE_DAY)

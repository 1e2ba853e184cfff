"""Whatever happens, in whatever order, no package appears or disappears:

packed = in the kitchen + in transit + delivered
delivered (per shop) = awaiting receipt + on shelf + sold + wasted + returned
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func, select

from bakeprint.catalog.models import PointOfSale
from bakeprint.errors import Conflict
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Delivery, TripLoad
from bakeprint.logistics.schemas import DeliveryCreate, LoadCreate, TripCreate
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import ReceiptCreate, RemovalCreate, SaleCreate
from tests.packaging.conftest import pack_a_batch
from tests.production.conftest import T0

SHOPS = ["CITY-LIB", "OLD-CAFE"]
qty = st.integers(1, 12)


def test_counts_always_reconcile(session, bakery, cat):
    session.add(
        PointOfSale(
            tenant_id=bakery.tenant.id,
            code="OLD-CAFE",
            name="旧时光咖啡馆",
            kind="cafe",
        )
    )
    session.flush()
    actor = bakery.actor
    made = {"n": 0}

    class Chain(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            made["n"] += 1
            self.batch = pack_a_batch(
                session, actor, cat, quantity=25, minutes=made["n"]
            )
            self.trip: str | None = None
            self.status = "none"
            # The model's own books, kept independently of the database.
            self.kitchen, self.transit = 25, 0
            self.shop = {
                x: dict.fromkeys(
                    ("delivered", "received", "sold", "wasted", "returned"), 0
                )
                for x in SHOPS
            }
            self.clock = T0 + timedelta(hours=3, minutes=made["n"])

        def attempt(self, fn) -> bool:  # type: ignore[no-untyped-def]
            self.clock += timedelta(minutes=1)
            try:
                with session.begin_nested():
                    fn()
                return True
            except Conflict:
                return False

        @precondition(lambda m: m.status in ("none", "arrived"))
        @rule()
        def new_trip(self) -> None:
            if self.status in ("none", "arrived"):
                self.trip = logistics.create_trip(
                    session, TripCreate(vehicle="VAN-2"), actor=actor
                ).code
                self.status = "planned"

        @precondition(lambda m: m.status == "planned")
        @rule(n=qty)
        def load(self, n: int) -> None:
            if self.status != "planned":
                return
            ok = self.attempt(
                lambda: logistics.load(
                    session,
                    self.trip,
                    LoadCreate(batch=self.batch.code, quantity=n, at=self.clock),
                    actor=actor,
                )
            )
            assert ok == (n <= self.kitchen)
            if ok:
                self.kitchen, self.transit = self.kitchen - n, self.transit + n

        @precondition(lambda m: m.status == "planned" and m.transit > 0)
        @rule()
        def depart(self) -> None:
            if self.status == "planned" and self.attempt(
                lambda: logistics.depart(session, self.trip, at=self.clock, actor=actor)
            ):
                self.status = "departed"

        @precondition(lambda m: m.status == "departed")
        @rule(shop=st.sampled_from(SHOPS), n=qty)
        def deliver(self, shop: str, n: int) -> None:
            if self.status != "departed":
                return
            ok = self.attempt(
                lambda: logistics.deliver(
                    session,
                    self.trip,
                    DeliveryCreate(
                        point_of_sale=shop,
                        batch=self.batch.code,
                        quantity=n,
                        at=self.clock,
                    ),
                    actor=actor,
                )
            )
            assert ok == (n <= self.transit)
            if ok:
                self.transit -= n
                self.shop[shop]["delivered"] += n

        @precondition(lambda m: m.status == "departed")
        @rule()
        def arrive(self) -> None:
            if self.status == "departed":
                logistics.arrive(session, self.trip, at=self.clock, actor=actor)
                self.status = "arrived"
                self.kitchen, self.transit = self.kitchen + self.transit, 0

        @precondition(
            lambda m: any(b["delivered"] > b["received"] for b in m.shop.values())
        )
        @rule(shop=st.sampled_from(SHOPS), n=qty)
        def receive(self, shop: str, n: int) -> None:
            pos = session.scalar(
                select(PointOfSale).where(
                    PointOfSale.tenant_id == bakery.tenant.id, PointOfSale.code == shop
                )
            )
            d = session.scalar(
                select(Delivery).where(
                    Delivery.tenant_id == bakery.tenant.id,
                    Delivery.batch_id == self.batch.id,
                    Delivery.point_of_sale_id == pos.id,
                    Delivery.received < Delivery.quantity,
                )
            )
            if d is None:
                return
            open_qty = d.quantity - d.received
            ok = self.attempt(
                lambda: retail.receive(
                    session,
                    shop,
                    ReceiptCreate(delivery_id=d.id, quantity=n, at=self.clock),
                    actor=actor,
                )
            )
            assert ok == (n <= open_qty)
            if ok:
                self.shop[shop]["received"] += n

        @precondition(lambda m: m.status in ("none", "arrived") and m.kitchen > 0)
        @rule(shop=st.sampled_from(SHOPS), n=qty, r=qty)
        def ship_and_receive(self, shop: str, n: int, r: int) -> None:
            """A whole run in one step, so deep states come up often."""
            self.new_trip()
            self.load(n)
            if self.transit:
                self.depart()
                self.deliver(shop, n)
                self.arrive()
                self.receive(shop, r)

        def on_hand(self, shop: str) -> int:
            b = self.shop[shop]
            return b["received"] - b["sold"] - b["wasted"] - b["returned"]

        @precondition(lambda m: any(m.on_hand(x) for x in SHOPS))
        @rule(shop=st.sampled_from(SHOPS), n=qty)
        def sell(self, shop: str, n: int) -> None:
            ok = self.attempt(
                lambda: retail.sell(
                    session,
                    shop,
                    SaleCreate(batch=self.batch.code, quantity=n, at=self.clock),
                    actor=actor,
                )
            )
            assert ok == (n <= self.on_hand(shop))
            if ok:
                self.shop[shop]["sold"] += n

        @precondition(lambda m: any(m.on_hand(x) for x in SHOPS))
        @rule(shop=st.sampled_from(SHOPS), n=qty, back=st.booleans())
        def remove(self, shop: str, n: int, back: bool) -> None:
            ok = self.attempt(
                lambda: retail.remove(
                    session,
                    shop,
                    RemovalCreate(
                        batch=self.batch.code, quantity=n, reason="过期", at=self.clock
                    ),
                    actor=actor,
                    returned=back,
                )
            )
            assert ok == (n <= self.on_hand(shop))
            if ok:
                self.shop[shop]["returned" if back else "wasted"] += n

        @invariant()
        def packed_is_kitchen_plus_transit_plus_delivered(self) -> None:
            t, b = bakery.tenant.id, self.batch
            kitchen = logistics.kitchen_stock(session, b)
            transit = session.scalar(
                select(
                    func.coalesce(
                        func.sum(
                            TripLoad.loaded - TripLoad.delivered - TripLoad.returned
                        ),
                        0,
                    )
                ).where(TripLoad.tenant_id == t, TripLoad.batch_id == b.id)
            )
            delivered = session.scalar(
                select(func.coalesce(func.sum(Delivery.quantity), 0)).where(
                    Delivery.tenant_id == t, Delivery.batch_id == b.id
                )
            )
            assert b.packed_quantity == kitchen + transit + delivered
            assert (kitchen, transit) == (self.kitchen, self.transit)

        @invariant()
        def each_shop_accounts_for_what_it_was_delivered(self) -> None:
            for s in retail.stock_rows(session, bakery.tenant.id, batch=self.batch):
                book = self.shop[s.point_of_sale]
                assert (s.delivered, s.received, s.sold, s.wasted, s.returned) == (
                    book["delivered"],
                    book["received"],
                    book["sold"],
                    book["wasted"],
                    book["returned"],
                )
                assert min(s.awaiting_receipt, s.on_shelf) >= 0
                assert s.delivered == (
                    s.awaiting_receipt + s.on_shelf + s.sold + s.wasted + s.returned
                )

    Chain.TestCase.settings = settings(
        max_examples=20,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    Chain.TestCase().runTest()
    assert made["n"] >= 15  # every example started from a freshly packed batch

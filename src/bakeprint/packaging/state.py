"""What is known about one unit: its own scanned state, or the batch's.

A unit's row only changes when that unit is scanned (a till selling it by
its code). Loading, delivering, selling by quantity, writing off and
returning are recorded per batch, so an unscanned unit's place is known
only when the batch-level counts leave no doubt (all of the batch still in
the kitchen, all sold…). Otherwise it is ``untracked``: we say what the
batch did — "of 118 made, 97 loaded, 86 sold" — and never claim a state the
batch's records contradict.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.catalog.models import PointOfSale
from bakeprint.logistics import repository as trips_repo
from bakeprint.logistics.models import Delivery, Trip, TripLoad
from bakeprint.packaging.models import Unit
from bakeprint.production.models import Batch
from bakeprint.retail.models import ShopStock, on_shelf

UNTRACKED = "untracked"

# how a state reads, zh / en (the unit's own or the whole batch's)
STATE_NAMES = {
    "in_stock": ("在厨房", "in the kitchen"),
    "loaded": ("在配送途中", "on a van"),
    "delivered": ("已送达门店、待签收", "delivered, awaiting receipt"),
    "on_shelf": ("在门店", "at a shop"),
    "sold": ("已售出", "sold"),
    "wasted": ("已报损", "written off"),
    "returned": ("已退回", "returned"),
}


@dataclass
class Distribution:
    """The batch's units by where the batch-level records put them."""

    made: int  # packed = units commissioned
    loaded: int  # put on vans, over all trips
    back_to_kitchen: int  # brought back by a van
    delivered: int
    received: int
    sold: int
    wasted: int
    returned: int  # sent back from a shop
    shops: int
    trips: int
    first_departure: datetime | None
    first_drop: datetime | None
    last_drop: datetime | None

    @property
    def in_kitchen(self) -> int:
        return trips_repo.kitchen_stock(self.made, self.loaded, self.back_to_kitchen)

    @property
    def in_transit(self) -> int:
        return self.loaded - self.delivered - self.back_to_kitchen

    def counts(self) -> dict[str, int]:
        """Units per state; they add up to ``made``."""
        return {
            "in_stock": self.in_kitchen,
            "loaded": self.in_transit,
            "delivered": self.delivered - self.received,
            "on_shelf": on_shelf(self.received, self.sold, self.wasted, self.returned),
            "sold": self.sold,
            "wasted": self.wasted,
            "returned": self.returned,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if not isinstance(v, datetime)},
            "in_kitchen": self.in_kitchen,
            "in_transit": self.in_transit,
            "first_departure": _iso(self.first_departure),
            "first_drop": _iso(self.first_drop),
            "last_drop": _iso(self.last_drop),
        }


@dataclass
class UnitState:
    status: str  # a state of STATE_NAMES, or "untracked"
    scanned: bool  # True: this unit's own scan says so
    at: datetime | None  # when it was scanned into that state
    shop: PointOfSale | None  # where it was scanned
    distribution: Distribution

    @property
    def basis(self) -> str:
        return "unit" if self.scanned else "batch"

    def text(self, lang: str) -> str:
        """One sentence a bakery owner can rely on."""
        en = lang == "en"
        d = self.distribution
        if self.scanned:  # its time is ``at``, shown in the bakery's zone
            zh_state, en_state = STATE_NAMES.get(self.status, (self.status,) * 2)
            if en:
                at = f" at {self.shop.name}" if self.shop else ""
                return f"scanned: {en_state}{at}"
            return f"单件扫码：{self.shop.name if self.shop else ''}{zh_state}"
        if self.status != UNTRACKED:
            zh_state, en_state = STATE_NAMES[self.status]
            if en:
                return f"batch-level: all {d.made} of the batch are {en_state}"
            return f"批次层面：本批 {d.made} 件都{zh_state}"
        if en:
            return (
                f"batch-level: of {d.made} made, {d.loaded} loaded, {d.sold} sold — "
                "this unit's own state was not scanned"
            )
        return (
            f"批次层面：共 {d.made} 件，装车 {d.loaded} 件，售出 {d.sold} 件——"
            "这一件本身的状态没有扫码记录"
        )

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "status": self.status,
            "scanned": self.scanned,
            "basis": self.basis,
            "at": _iso(self.at),
            "point_of_sale": self.shop.code if self.shop else None,
            "note": self.text(lang),
            "batch_distribution": self.distribution.as_dict(),
        }


def _iso(when: datetime | None) -> str | None:
    return localtime.iso(when) if when else None


def distribution(session: Session, batch: Batch) -> Distribution:
    """The batch's distribution from its trips, drops and shop stock."""
    t = batch.tenant_id
    loaded, back, trips, departed = session.execute(
        select(
            func.coalesce(func.sum(TripLoad.loaded), 0),
            func.coalesce(func.sum(TripLoad.returned), 0),
            func.count(TripLoad.id).filter(TripLoad.loaded > 0),
            func.min(Trip.departed_at),
        )
        .select_from(TripLoad)
        .join(
            Trip, (Trip.tenant_id == TripLoad.tenant_id) & (Trip.id == TripLoad.trip_id)
        )
        .where(TripLoad.tenant_id == t, TripLoad.batch_id == batch.id)
    ).one()
    delivered, shops, first_drop, last_drop = session.execute(
        select(
            func.coalesce(func.sum(Delivery.quantity), 0),
            func.count(func.distinct(Delivery.point_of_sale_id)),
            func.min(Delivery.delivered_at),
            func.max(Delivery.delivered_at),
        ).where(Delivery.tenant_id == t, Delivery.batch_id == batch.id)
    ).one()
    received, sold, wasted, returned = session.execute(
        select(
            func.coalesce(func.sum(ShopStock.received), 0),
            func.coalesce(func.sum(ShopStock.sold), 0),
            func.coalesce(func.sum(ShopStock.wasted), 0),
            func.coalesce(func.sum(ShopStock.returned), 0),
        ).where(ShopStock.tenant_id == t, ShopStock.batch_id == batch.id)
    ).one()
    return Distribution(
        made=batch.packed_quantity or 0,
        loaded=int(loaded),
        back_to_kitchen=int(back),
        delivered=int(delivered),
        received=int(received),
        sold=int(sold),
        wasted=int(wasted),
        returned=int(returned),
        shops=int(shops),
        trips=int(trips),
        first_departure=departed,
        first_drop=first_drop,
        last_drop=last_drop,
    )


class BatchStates:
    """The states of a batch's units, read once for the whole batch."""

    def __init__(self, session: Session, batch: Batch) -> None:
        self.session = session
        self.batch = batch
        self.distribution = distribution(session, batch)
        scanned = dict(
            session.execute(
                select(Unit.status, func.count())
                .where(
                    Unit.tenant_id == batch.tenant_id,
                    Unit.batch_id == batch.id,
                    Unit.status != "in_stock",
                )
                .group_by(Unit.status)
            ).all()
        )
        # where the units nobody scanned can be: the batch's counts less the
        # units whose own scan already accounts for them
        left = {
            k: n - int(scanned.get(k, 0)) for k, n in self.distribution.counts().items()
        }
        possible = [k for k, n in left.items() if n > 0]
        self.unscanned = possible[0] if len(possible) == 1 else UNTRACKED
        self._shops: dict[Any, PointOfSale | None] = {}

    def of(self, unit: Unit) -> UnitState:
        # "in_stock" is what commissioning writes: the unit was never scanned
        if unit.status == "in_stock":
            return UnitState(self.unscanned, False, None, None, self.distribution)
        return UnitState(
            unit.status, True, unit.status_at, self._shop(unit), self.distribution
        )

    def _shop(self, unit: Unit) -> PointOfSale | None:
        pos_id = unit.point_of_sale_id
        if pos_id is None:
            return None
        if pos_id not in self._shops:
            self._shops[pos_id] = self.session.get(
                PointOfSale, (unit.tenant_id, pos_id)
            )
        return self._shops[pos_id]


def state_of(session: Session, batch: Batch, unit: Unit) -> UnitState:
    return BatchStates(session, batch).of(unit)

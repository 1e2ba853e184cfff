"""Tills selling at once (issue 8, item 3): eight threads sell one shop's stock
of a batch — by scanned package and by quantity, some packages scanned at two
tills at once, more than is on the shelf in total. Every sale that was
answered is counted once, no package is sold twice, the shelf never goes
below zero, and each sale has its event (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bakeprint.bench import dataset as ds
from bakeprint.catalog.models import PointOfSale
from bakeprint.db import Database
from bakeprint.demo.loader import actor
from bakeprint.errors import Conflict
from bakeprint.events.models import Event
from bakeprint.identity import service as identity
from bakeprint.packaging.models import Unit
from bakeprint.production.models import Batch
from bakeprint.retail import service as retail
from bakeprint.retail.models import ShopStock
from bakeprint.retail.schemas import SaleCreate
from tests.databases import committed_database

SIZE = ds.Size("C", shops=2, days=1, hall_sensors=0)
TILLS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def shop_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with committed_database(request.param, tmp_path) as db:
        ds.build(db, SIZE)
        yield db


def test_tills_selling_at_once_keep_every_count_exact(shop_db: Database) -> None:
    db = shop_db
    with db.session(write=False) as s:
        tenant = identity.tenant_by_slug(s, SIZE.slug)
        assert tenant is not None
        t = tenant.id
        # the shop and batch with the most on the shelf
        stock = max(
            s.scalars(select(ShopStock).where(ShopStock.tenant_id == t)),
            key=lambda x: x.on_shelf,
        )
        pos = s.get(PointOfSale, (t, stock.point_of_sale_id))
        batch = s.get(Batch, (t, stock.batch_id))
        assert pos is not None and batch is not None
        start_sold, on_shelf = stock.sold, stock.on_shelf
        serials = list(
            s.scalars(
                select(Unit.serial).where(
                    Unit.tenant_id == t,
                    Unit.batch_id == batch.id,
                    Unit.point_of_sale_id.is_(None),
                    Unit.status == "in_stock",
                )
            )
        )
        events_before = s.scalar(
            select(func.count()).select_from(Event).where(Event.tenant_id == t)
        )
        who = actor(s, t, "owner")
    assert on_shelf >= 10
    # what the tills try: each package twice (two tills scan it), plus sales by
    # quantity, together more than the shelf holds
    scans = serials[: on_shelf // 2]
    work = [SaleCreate(unit=x) for x in scans for _ in range(2)]
    work += [SaleCreate(batch=batch.code, quantity=2) for _ in range(on_shelf // 2)]
    done: list[SaleCreate] = []
    refused: list[SaleCreate] = []
    failed: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(TILLS)

    def till(k: int) -> None:
        barrier.wait()
        for sale in work[k::TILLS]:
            try:
                with db.session() as s:
                    retail.sell(s, pos.code, sale, actor=who)
                with lock:
                    done.append(sale)
            except Conflict:
                with lock:
                    refused.append(sale)
            except BaseException as exc:  # pragma: no cover - reported below
                failed.append(exc)

    threads = [threading.Thread(target=till, args=(k,)) for k in range(TILLS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failed == [], [repr(x)[:300] for x in failed[:3]]
    sold_now = sum(1 if x.unit else x.quantity for x in done)
    # no package sold twice (a package may go unsold when the quantity sales
    # emptied the shelf first)
    by_scan = [x.unit for x in done if x.unit]
    assert len(by_scan) == len(set(by_scan)) and by_scan
    with db.session(write=False) as s:
        after = s.scalar(
            select(ShopStock).where(
                ShopStock.tenant_id == t,
                ShopStock.point_of_sale_id == pos.id,
                ShopStock.batch_id == batch.id,
            )
        )
        assert after is not None
        assert after.sold == start_sold + sold_now
        assert 0 <= after.on_shelf == on_shelf - sold_now
        assert refused  # more was asked than the shelf held
        sold_units = s.scalar(
            select(func.count())
            .select_from(Unit)
            .where(Unit.tenant_id == t, Unit.serial.in_(scans), Unit.status == "sold")
        )
        assert sold_units == len(by_scan)
        events = s.scalar(
            select(func.count()).select_from(Event).where(Event.tenant_id == t)
        )
        assert events == (events_before or 0) + len(done)

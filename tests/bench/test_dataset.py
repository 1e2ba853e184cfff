"""The benchmark dataset: deterministic, resumable, consistent with what the
services would have written, on SQLite and PostgreSQL (issue 8, item 1)."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from bakeprint import migrate
from bakeprint.bench import dataset as ds
from bakeprint.cli import app as cli
from bakeprint.db import Database
from bakeprint.events import service as events
from bakeprint.events.models import ChainHead, Event
from bakeprint.identity import service as identity
from bakeprint.materials.models import MaterialLot
from bakeprint.packaging import serials
from bakeprint.packaging.models import Unit
from bakeprint.production.models import Batch, Consumption
from bakeprint.retail.models import ShopStock
from bakeprint.trace import report, scope
from tests.databases import committed_database
from tests.epcis_schema import assert_valid_event
from tests.factories import cli_database

TINY = ds.Size("T", shops=6, days=4, hall_sensors=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty migrated database that the builder may commit to."""
    with committed_database(request.param, tmp_path) as db:
        yield db


def _tenant(db: Database) -> uuid.UUID:
    with db.session(write=False) as s:
        t = identity.tenant_by_slug(s, TINY.slug)
        assert t is not None
        return t.id


def _head(db: Database) -> tuple[int, str]:
    with db.session(write=False) as s:
        head = s.get(ChainHead, _tenant(db))
        assert head is not None
        return head.last_seq, head.last_hash


def test_a_stopped_build_resumes_to_the_same_chain(
    fresh: Database, tmp_path: Path
) -> None:
    # the reference: built in one go on SQLite
    ref = Database(f"sqlite:///{tmp_path / 'reference.db'}")
    migrate.upgrade(ref.engine)
    whole = ds.build(ref, TINY)
    # this backend: two days, a "crash", then the command run again
    with fresh.session() as s:
        tenant_id = ds.setup(s, TINY)
    with fresh.session(write=False) as s:
        w = ds.world(s, TINY, tenant_id)
    for d in range(2):
        with fresh.session() as s:
            ds.write_day(s, w, d)
    resumed = ds.build(fresh, TINY)
    assert resumed["resumed_from_day"] == 2
    assert resumed["counts"] == whole["counts"]
    # every event, its time, body and order are the same, so the hash chain is
    assert _head(fresh) == _head(ref)
    with fresh.session(write=False) as s:
        checked, problems = events.verify(s, tenant_id)
    assert problems == [] and checked == whole["counts"]["events"]
    # running it again adds nothing
    again = ds.build(fresh, TINY)
    assert again["written_now"] == {} and again["counts"] == whole["counts"]
    ref.dispose()


def test_the_dataset_holds_together(fresh: Database) -> None:
    built = ds.build(fresh, TINY)
    c = built["counts"]
    assert c["batches"] == TINY.batches_a_day * TINY.days
    assert c["sensor_readings"] == c["sensors"] * TINY.days * 24 * 360
    t = _tenant(fresh)
    with fresh.session(write=False) as s:
        # every packed piece has a unit with a valid, unique serial
        packed = s.scalar(
            select(func.sum(Batch.packed_quantity)).where(Batch.tenant_id == t)
        )
        found = list(s.scalars(select(Unit.serial).where(Unit.tenant_id == t)))
        assert len(found) == packed == c["units"]
        assert len(set(found)) == len(found)
        assert all(serials.is_valid(x) for x in found)
        # no lot is used beyond what was delivered; the recorded use adds up
        for lot in s.scalars(select(MaterialLot).where(MaterialLot.tenant_id == t)):
            assert lot.consumed <= lot.quantity + 1e-6, lot.code
        used = s.scalar(
            select(func.sum(Consumption.quantity)).where(Consumption.tenant_id == t)
        )
        consumed = s.scalar(
            select(func.sum(MaterialLot.consumed)).where(MaterialLot.tenant_id == t)
        )
        assert used == pytest.approx(consumed)
        # a shop's sold count is its units sold by scan, and a sale event each
        stock = Counter[tuple[uuid.UUID, uuid.UUID]]()
        for batch_id, pos, n in s.execute(
            select(
                ShopStock.batch_id, ShopStock.point_of_sale_id, ShopStock.sold
            ).where(ShopStock.tenant_id == t)
        ):
            stock[(batch_id, pos)] += n
        units = Counter[tuple[uuid.UUID, uuid.UUID]](
            s.execute(
                select(Unit.batch_id, Unit.point_of_sale_id).where(
                    Unit.tenant_id == t, Unit.status == "sold"
                )
            ).all()
        )
        assert +stock == +units
        sold_events = s.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.tenant_id == t, Event.kind == "sold")
        )
        assert sold_events == sum(units.values())
        # events are in time order, as a kitchen would record them
        times = list(
            s.scalars(
                select(Event.event_time).where(Event.tenant_id == t).order_by(Event.seq)
            )
        )
        assert times == sorted(times)
        # each kind of event is valid EPCIS 2.0
        kinds = s.execute(
            select(Event.kind, func.min(Event.seq))
            .where(Event.tenant_id == t)
            .group_by(Event.kind)
        ).all()
        assert {k for k, _ in kinds} >= {
            "intake",
            "batch_started",
            "consumption",
            "checkpoint",
            "bake",
            "batch_completed",
            "packed",
            "units_commissioned",
            "loaded",
            "departed",
            "delivered",
            "received",
            "shelved",
            "sold",
        }
        for _, seq in kinds:
            ev = s.get(Event, (t, seq))
            assert ev is not None
            assert_valid_event({**ev.body, "eventID": ev.event_id})


def test_trace_and_scope_read_the_dataset_like_any_bakery(fresh: Database) -> None:
    ds.build(fresh, TINY)
    t = _tenant(fresh)
    with fresh.session(write=False) as s:
        code = s.scalars(
            select(Batch.code).where(Batch.tenant_id == t).order_by(Batch.code)
        ).all()[5]
        rep = report.build(s, t, code, generated_by="test")
        batch = s.scalar(select(Batch).where(Batch.tenant_id == t, Batch.code == code))
        assert batch is not None
        assert rep.counts.delivered == batch.packed_quantity
        assert sum(x.delivered for x in rep.points_of_sale) == rep.counts.delivered
        assert rep.environment and rep.environment[0].sensors[0].readings > 0
        assert rep.materials and all(m.supplier_lot for m in rep.materials)
        # the flour lot of the first day feeds every batch of its four days
        flour = rep.materials[0].lot
        users = set(
            s.scalars(
                select(Batch.code)
                .join(Consumption, Consumption.batch_id == Batch.id)
                .join(MaterialLot, MaterialLot.id == Consumption.lot_id)
                .where(Batch.tenant_id == t, MaterialLot.code == flour)
            )
        )
        assert code in users
        hit = scope.find(s, t, scope.Criteria(lot=flour))
        assert {b.batch for b in hit.batches} == users
        assert hit.totals.sold + hit.totals.on_shelf <= hit.totals.delivered


def test_the_trace_figure_times_a_first_read_and_a_later_one(fresh: Database) -> None:
    """The first read of each sampled batch computes its environment from the
    readings and stores it, even when an earlier run had stored it already;
    the later read finds it stored and gives the same report."""
    from bakeprint.bench import measure
    from bakeprint.sensors.models import EnvironmentSummary

    ds.build(fresh, TINY)
    t = _tenant(fresh)
    codes = measure.samples(fresh, t, 4)["batches"]

    def stored() -> int:
        with fresh.session(write=False) as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(EnvironmentSummary)
                    .where(EnvironmentSummary.tenant_id == t)
                )
                or 0
            )

    with fresh.session(write=False) as s:
        before = report.build(s, t, codes[0], generated_by="test")
    assert stored() == 1  # read once: stored
    fig = measure.trace_figures(fresh, t, codes)
    assert fig["n"] == fig["first_read"]["n"] == 4
    assert fig["p50_ms"] > 0 and fig["first_read"]["p50_ms"] > 0
    assert stored() == 4  # every sampled batch has settled: all stored
    with fresh.session(write=False) as s:
        after = report.build(s, t, codes[0], generated_by="test")
    assert after.environment == before.environment


def test_the_command_builds_reports_and_refuses_an_unknown_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_database(tmp_path, monkeypatch)
    monkeypatch.setitem(ds.SIZES, "S", TINY)
    runner = CliRunner()
    res = runner.invoke(cli, ["bench", "dataset", "--size", "s", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["tenant"] == "bench-t" and out["counts"]["batches"] > 0
    bad = runner.invoke(cli, ["bench", "dataset", "--size", "XL"])
    assert bad.exit_code == 2
    assert "XL" in bad.output


def test_people_scanning_the_same_package_at_once_all_count(fresh: Database) -> None:
    from bakeprint.app import create_app

    ds.build(fresh, TINY)
    t = _tenant(fresh)
    with fresh.session(write=False) as s:
        serial = s.scalars(select(Unit.serial).where(Unit.tenant_id == t)).first()
    app = create_app(fresh)
    phones, scans = 6, 5
    statuses: list[int] = []
    barrier = threading.Barrier(phones)

    def phone() -> None:
        with TestClient(app) as c:
            barrier.wait()
            for _ in range(scans):
                statuses.append(c.get(f"/u/{serial}").status_code)

    threads = [threading.Thread(target=phone) for _ in range(phones)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert statuses == [200] * phones * scans
    with fresh.session(write=False) as s:
        unit = s.scalar(select(Unit).where(Unit.tenant_id == t, Unit.serial == serial))
        assert unit is not None
        assert unit.scan_count == phones * scans
        assert unit.first_scanned_at is not None


def test_a_scope_wider_than_one_statement_is_read_in_slices(
    fresh: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds.build(fresh, TINY)
    t = _tenant(fresh)
    week = scope.Criteria(start=ds.FIRST_DAY, end=ds.FIRST_DAY + timedelta(days=6))
    by_supplier = scope.Criteria(supplier="A", start=ds.FIRST_DAY)
    with fresh.session(write=False) as s:
        whole = [scope.find(s, t, c) for c in (week, by_supplier)]
    monkeypatch.setattr("bakeprint.db.IN_CHUNK", 7)
    with fresh.session(write=False) as s:
        sliced = [scope.find(s, t, c) for c in (week, by_supplier)]
    for a, b in zip(whole, sliced, strict=True):
        assert [x.batch for x in a.batches] == [x.batch for x in b.batches]
        assert a.totals == b.totals and len(a.batches) > 7

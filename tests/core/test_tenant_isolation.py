"""Table-driven over every GET route of the API (issue 8, item 4): a bakery's
owner asking with another bakery's identifiers gets nothing of it — a 404 for
a thing by its code, and no trace of the other bakery in any list or report.

Bakery B is a small benchmark dataset (lots, batches, units, trips, shops,
sensors, events, a recall, an anchor); bakery A is a new bakery with an owner.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bakeprint.app import API_PREFIX, create_app
from bakeprint.bench import dataset as ds
from bakeprint.db import Database
from bakeprint.demo.loader import actor
from bakeprint.events import anchors
from bakeprint.events.models import ChainHead
from bakeprint.identity import service as identity
from bakeprint.logistics.models import Trip
from bakeprint.materials.models import MaterialLot
from bakeprint.packaging.models import Unit
from bakeprint.production.models import Batch
from bakeprint.recall import service as recalls
from bakeprint.trace import scope
from tests.databases import committed_database

B = ds.Size("B", shops=3, days=2, hall_sensors=1)
# routes that read nothing of a bakery (parsing a code's format)
NOT_DATA = {f"{API_PREFIX}/batch-codes/{{code}}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def two(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    with committed_database(request.param, tmp_path_factory.mktemp("iso")) as db:
        yield from _two(db)


def _two(db: Database) -> Iterator[dict[str, Any]]:
    ds.build(db, B)
    with db.session() as s:
        b = identity.tenant_by_slug(s, B.slug)
        assert b is not None
        t = b.id
        batch = s.scalars(select(Batch).where(Batch.tenant_id == t)).first()
        assert batch is not None
        lot = s.scalars(
            select(MaterialLot.code).where(MaterialLot.tenant_id == t)
        ).first()
        recall = recalls.open_recall(
            s,
            scope.Criteria(batch=batch.code),
            reason="隔离测试 / isolation test",
            actor=actor(s, t, "owner"),
        )
        anchor = anchors.make(s, b, ds.FIRST_DAY)
        head = s.get(ChainHead, t)
        assert head is not None
        marks = {
            "slug": B.slug,
            "batch": batch.code,
            "lot": str(lot),
            "serial": s.scalars(select(Unit.serial).where(Unit.tenant_id == t)).first(),
            "trip": s.scalars(select(Trip.code).where(Trip.tenant_id == t)).first(),
            "recall": recall.code,
            "gtin": s.scalar(select(Batch.product_id).where(Batch.id == batch.id)),
            "seq": head.last_seq,
            "day": anchor.day.isoformat(),
        }
        from bakeprint.catalog.models import Product

        product = s.get(Product, (t, batch.product_id))
        assert product is not None
        marks["gtin"] = product.gtin
        a = identity.create_tenant(s, slug="iso-a", name="隔壁面包坊")
        owner = identity.create_user(
            s, a.id, username="owner", display_name="A", roles=["owner"]
        )
        token = identity.issue_token(s, owner, name="iso")
    with TestClient(create_app(db)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield {"client": client, "marks": marks}


def _value(path: str, name: str, m: dict[str, Any]) -> str:
    """Bakery B's identifier for the parameter ``name`` of ``path``."""
    before = path.split("{" + name + "}")[0].rstrip("/").rsplit("/", 1)[-1]
    by_segment = {
        "product-lines": "SS",
        "variants": "F1",
        "material-types": "FLOUR",
        "suppliers": "A",
        "operators": "WANG-03",
        "equipment": "OVEN-1",
        "locations": "HALL-1",
        "vehicles": "VAN-1",
        "points-of-sale": "CITY-LIB",
        "pos": "CITY-LIB",
        "lots": m["lot"],
        "batches": m["batch"],
        "trips": m["trip"],
        "units": m["serial"],
        "recalls": m["recall"],
        "sensors": "VAN-1-T",
        "events": str(m["seq"]),
        "anchors": m["day"],
        "products": m["gtin"],
    }
    if name == "gtin":
        return str(m["gtin"])
    if before in by_segment:
        return str(by_segment[before])
    # ids of things bakery B may not have (alerts, files, tasks): any id
    return str(uuid.uuid4())


def _get_routes() -> list[tuple[str, list[str]]]:
    spec = create_app().openapi()
    out = []
    for path, ops in spec["paths"].items():
        if "get" not in ops or path in NOT_DATA or not path.startswith(API_PREFIX):
            continue
        if path.endswith(("/openapi.json", "/docs", "/oauth2-redirect", "/health")):
            continue
        required = [
            p["name"]
            for p in ops["get"].get("parameters", [])
            if p["in"] == "query" and p.get("required")
        ]
        out.append((path, required))
    return sorted(out)


@pytest.mark.parametrize(("path", "query"), _get_routes())
def test_a_bakery_sees_nothing_of_another(two, path: str, query: list[str]) -> None:  # type: ignore[no-untyped-def]
    m = two["marks"]
    url = re.sub(r"\{([^}]+)\}", lambda g: _value(path, g.group(1), m), path)
    params: dict[str, str] = {}
    for q in query:
        params[q] = {
            "code": m["serial"],
            "from": (datetime(2025, 1, 6) - timedelta(days=1)).isoformat() + "Z",
            "to": (datetime(2025, 1, 9)).isoformat() + "Z",
        }.get(q, m["batch"])
    if path.endswith(("/kde", "/epcis/events")):
        params.setdefault("lot", m["lot"])
    r = two["client"].get(url, params=params)
    assert r.status_code in (200, 404, 422), f"{path}: {r.status_code} {r.text[:200]}"
    if "{" in path or query:
        assert r.status_code != 200, (
            f"{url} answered 200 with another bakery's identifiers: {r.text[:300]}"
        )
    body = r.content.decode("utf-8", errors="replace")
    for key in ("slug", "batch", "lot", "serial", "trip", "recall"):
        assert str(m[key]) not in body or str(m[key]) in url + str(params), (
            f"{path} shows bakery B's {key} {m[key]}"
        )

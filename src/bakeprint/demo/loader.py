"""Load the 时光印记 demo bakery: master data, users and four weeks of history.

Everything after the master data goes through the same services the API and the
CLI use, so the demo's event log is exactly what real use would produce.
Deterministic: the same seed gives the same bakery, codes and quantities.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    PointOfSale,
    Product,
    ProductLine,
    RecipeVariant,
    Supplier,
    Vehicle,
)
from bakeprint.db import clock_at
from bakeprint.demo import data as D
from bakeprint.demo import history
from bakeprint.errors import Conflict
from bakeprint.gs1 import make_gtin
from bakeprint.identity import service as identity
from bakeprint.identity.models import Tenant, User
from bakeprint.identity.service import Actor
from bakeprint.models import metadata

Progress = Callable[[str, int, int], None]
TZ = ZoneInfo(D.TIMEZONE)


@dataclass
class Catalog:
    lines: dict[str, ProductLine] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    variants: dict[str, RecipeVariant] = field(default_factory=dict)
    materials: dict[str, MaterialType] = field(default_factory=dict)
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    equipment: dict[str, Equipment] = field(default_factory=dict)
    vehicles: dict[str, Vehicle] = field(default_factory=dict)
    points_of_sale: dict[str, PointOfSale] = field(default_factory=dict)


@dataclass
class DemoResult:
    tenant_id: uuid.UUID
    slug: str
    token: str
    counts: dict[str, int]


def remove(session: Session, slug: str = D.SLUG) -> bool:
    """Delete one bakery and everything it owns (children before parents)."""
    tenant = identity.tenant_by_slug(session, slug)
    if tenant is None:
        return False
    for table in reversed(metadata.sorted_tables):
        if table.name != "tenants" and "tenant_id" in table.c:
            session.execute(delete(table).where(table.c.tenant_id == tenant.id))
    session.execute(delete(Tenant).where(Tenant.id == tenant.id))
    session.flush()
    return True


def _add(session: Session, obj: Any) -> Any:
    session.add(obj)
    return obj


def build_catalog(session: Session, tenant_id: uuid.UUID) -> Catalog:
    t = tenant_id
    c = Catalog()
    for code, zh, en in D.LINES:
        c.lines[code] = _add(
            session, ProductLine(tenant_id=t, code=code, name_zh=zh, name_en=en)
        )
    session.flush()
    for code, line, body, zh, en, cat, days, allergens, grams, (
        vcode,
        temp,
        mins,
    ), limited, story_zh, story_en in D.PRODUCTS:
        p = _add(
            session,
            Product(
                tenant_id=t,
                line_id=c.lines[line].id,
                gtin=make_gtin("0" + body),
                name_zh=zh,
                name_en=en,
                category=cat,
                shelf_life_days=days,
                allergens=allergens,
                unit_weight_g=grams,
                story_zh=story_zh,
                story_en=story_en,
                limited_edition_size=limited,
            ),
        )
        session.flush()
        c.products[code] = p
        c.variants[code] = _add(
            session,
            RecipeVariant(
                tenant_id=t,
                product_id=p.id,
                code=vcode,
                name="标准配方",
                target_oven_temp_c=temp,
                oven_temp_tolerance_c=3,
                target_bake_minutes=mins,
                bake_minutes_tolerance=1.5,
                is_base=True,
            ),
        )
    c.variants["F2"] = _add(
        session,
        RecipeVariant(
            tenant_id=t,
            product_id=c.products["SAKURA"].id,
            code="F2",
            name="减糖版 / less sweet",
            target_oven_temp_c=180,
            oven_temp_tolerance_c=3,
            target_bake_minutes=19,
            bake_minutes_tolerance=1.5,
            notes="糖减少 20%，烘烤多 1 分钟",
        ),
    )
    for (
        code,
        zh,
        en,
        unit,
        short,
        allergens,
        gtin_body,
        story_zh,
        story_en,
    ) in D.MATERIALS:
        c.materials[code] = _add(
            session,
            MaterialType(
                tenant_id=t,
                code=code,
                name_zh=zh,
                name_en=en,
                unit=unit,
                short_life=short,
                allergens=allergens,
                gtin=make_gtin("0" + gtin_body) if gtin_body else None,
                origin_story_zh=story_zh,
                origin_story_en=story_en,
                footprint_key=D.FOOTPRINT_KEYS.get(code),
            ),
        )
    for code, name, region, approved in D.SUPPLIERS:
        c.suppliers[code] = _add(
            session,
            Supplier(
                tenant_id=t, code=code, name=name, region=region, approved_on=approved
            ),
        )
    for code, name in [*D.OPERATORS, D.QC_INSPECTOR]:
        c.operators[code] = _add(session, Operator(tenant_id=t, code=code, name=name))
    for code, name, kind in D.LOCATIONS:
        c.locations[code] = _add(
            session, Location(tenant_id=t, code=code, name=name, kind=kind)
        )
    session.flush()
    for code, name, kind in D.EQUIPMENT:
        c.equipment[code] = _add(
            session,
            Equipment(
                tenant_id=t,
                code=code,
                name=name,
                kind=kind,
                location_id=c.locations["HALL-1"].id,
            ),
        )
    for code, name, plate, factor in D.VEHICLES:
        c.vehicles[code] = _add(
            session,
            Vehicle(
                tenant_id=t,
                code=code,
                name=name,
                plate=plate,
                emission_kg_per_km=factor,
            ),
        )
    for code, name, kind, address, km in D.POINTS_OF_SALE:
        c.points_of_sale[code] = _add(
            session,
            PointOfSale(
                tenant_id=t,
                code=code,
                name=name,
                kind=kind,
                address=address,
                distance_km=km,
            ),
        )
    session.flush()
    return c


def build_users(
    session: Session, tenant_id: uuid.UUID, catalog: Catalog
) -> dict[str, User]:
    users = {}
    for username, display, roles in D.USERS:
        supplier_id = catalog.suppliers["B"].id if "supplier" in roles else None
        shop = D.STORE_SHOPS.get(username)
        users[username] = identity.create_user(
            session,
            tenant_id,
            username=username,
            display_name=display,
            roles=roles,
            password=D.PASSWORD,
            supplier_id=supplier_id,
            point_of_sale_id=catalog.points_of_sale[shop].id if shop else None,
        )
    return users


def load(
    session: Session, *, progress: Progress | None = None, seed: int = D.SEED
) -> DemoResult:
    """Create the demo bakery from scratch (the caller removes an old one).
    The bakery is set up a week before its history starts, and everything is
    dated on the demo's calendar; only the API token is issued now."""
    if identity.tenant_by_slug(session, D.SLUG) is not None:
        raise Conflict(
            "演示店铺已存在：用 --reset 重新加载",
            "the demo bakery already exists: use --reset to reload it",
        )
    rng = random.Random(seed)
    setup = datetime.combine(D.FIRST_DAY - timedelta(days=7), time(9, 0), TZ)
    with clock_at(setup):
        tenant = identity.create_tenant(
            session, slug=D.SLUG, name=D.NAME, timezone=D.TIMEZONE
        )
        catalog = build_catalog(session, tenant.id)
        users = build_users(session, tenant.id, catalog)
    owner = identity.actor_for(users["owner"], via="demo")
    counts = history.run(
        session,
        tenant=tenant,
        catalog=catalog,
        users=users,
        owner=owner,
        rng=rng,
        progress=progress,
    )
    token = identity.issue_token(session, users["owner"], name="demo")
    counts["users"] = len(users)
    return DemoResult(tenant_id=tenant.id, slug=tenant.slug, token=token, counts=counts)


def actor(session: Session, tenant_id: uuid.UUID, username: str) -> Actor:
    user = session.scalar(
        select(User).where(User.tenant_id == tenant_id, User.username == username)
    )
    assert user is not None
    return identity.actor_for(user, via="demo")

"""Test data factories. Each returns real rows created through the services."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.identity import service as identity
from bakeprint.identity.models import Tenant, User
from bakeprint.identity.service import Actor

_counter = itertools.count(1)


@dataclass
class Bakery:
    tenant: Tenant
    owner: User
    actor: Actor
    token: str
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_bakery(
    session: Session, slug: str | None = None, name: str = "测试烘焙坊"
) -> Bakery:
    """A bakery, its owner, and one user + token for every role."""
    slug = slug or f"bakery-{next(_counter)}-{uuid.uuid4().hex[:6]}"
    tenant = identity.create_tenant(session, slug=slug, name=name)
    owner = identity.create_user(
        session,
        tenant.id,
        username="owner",
        display_name="店主",
        roles=["owner"],
        password="correct-horse-1",
    )
    token = identity.issue_token(session, owner)
    tokens = {"owner": token}
    for role in ("production", "qc", "logistics", "store", "supplier", "auditor"):
        u = identity.create_user(
            session,
            tenant.id,
            username=f"{role}-user",
            display_name=role,
            roles=[role],
            password="correct-horse-1",
        )
        tokens[role] = identity.issue_token(session, u)
    return Bakery(
        tenant=tenant,
        owner=owner,
        actor=identity.actor_for(owner, via="test"),
        token=token,
        tokens=tokens,
    )


def actor_with(bakery: Bakery, session: Session, role: str) -> Actor:
    user = session.scalar(
        select(User).where(
            User.tenant_id == bakery.tenant.id, User.username == f"{role}-user"
        )
    )
    assert user is not None
    return identity.actor_for(user, via="test")


# --- master data, inserted directly so every domain's tests can start from it ---


def raw_id(session: Session, value: uuid.UUID) -> object:
    """A UUID as the backend stores it, for raw SQL in tamper tests."""
    return value.hex if session.get_bind().dialect.name == "sqlite" else value


def add(session: Session, obj):  # type: ignore[no-untyped-def]
    session.add(obj)
    session.flush()
    return obj


def make_catalog(session: Session, tenant_id: uuid.UUID) -> dict[str, object]:
    """A small but complete catalog: line SS, one product with variant F1, two
    material types (one short-life), suppliers A/B, an operator, oven #3, a
    kitchen, a cold room, van #2 and a shop."""
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

    t = tenant_id
    line = add(
        session,
        ProductLine(tenant_id=t, code="SS", name_zh="城市季节", name_en="City Seasons"),
    )
    product = add(
        session,
        Product(
            tenant_id=t,
            line_id=line.id,
            gtin="06901234000016",
            name_zh="春日樱花饼",
            name_en="Spring Sakura Cake",
            category="酥皮类",
            shelf_life_days=7,
            allergens=["gluten", "milk"],
        ),
    )
    variant = add(
        session,
        RecipeVariant(
            tenant_id=t,
            product_id=product.id,
            code="F1",
            target_oven_temp_c=185,
            oven_temp_tolerance_c=2,
            target_bake_minutes=18,
            bake_minutes_tolerance=1,
        ),
    )
    flour = add(
        session,
        MaterialType(
            tenant_id=t,
            code="FLOUR",
            name_zh="低筋面粉",
            name_en="Cake flour",
            unit="kg",
            allergens=["gluten"],
        ),
    )
    sakura = add(
        session,
        MaterialType(
            tenant_id=t,
            code="SAKURA",
            name_zh="樱花蜜饯",
            name_en="Candied sakura",
            unit="kg",
            short_life=True,
        ),
    )
    sup_a = add(session, Supplier(tenant_id=t, code="A", name="供应商A"))
    sup_b = add(session, Supplier(tenant_id=t, code="B", name="供应商B"))
    kitchen = add(
        session,
        Location(tenant_id=t, code="HALL-1", name="生产车间", kind="kitchen_zone"),
    )
    cold = add(
        session, Location(tenant_id=t, code="COLD-1", name="冷库", kind="cold_room")
    )
    oven = add(
        session,
        Equipment(
            tenant_id=t,
            code="OVEN-3",
            name="3号烤箱",
            kind="oven",
            location_id=kitchen.id,
        ),
    )
    op = add(session, Operator(tenant_id=t, code="WANG-03", name="王某"))
    van = add(session, Vehicle(tenant_id=t, code="VAN-2", name="2号车"))
    shop = add(
        session, PointOfSale(tenant_id=t, code="CITY-LIB", name="城市书房", kind="shop")
    )
    # the bakery's shop staff (make_bakery) work here, and act only here
    staff = session.scalar(
        select(User).where(User.tenant_id == t, User.username == "store-user")
    )
    if staff is not None:
        staff.point_of_sale_id = shop.id
        session.flush()
    return {
        "line": line,
        "product": product,
        "variant": variant,
        "flour": flour,
        "sakura": sakura,
        "supplier_a": sup_a,
        "supplier_b": sup_b,
        "kitchen": kitchen,
        "cold_room": cold,
        "oven": oven,
        "operator": op,
        "van": van,
        "shop": shop,
    }


def cli_database(tmp_path, monkeypatch, name: str = "cli.db") -> str:  # type: ignore[no-untyped-def]
    """A migrated SQLite file that `bakeprint …` commands use in this test."""
    from bakeprint import migrate
    from bakeprint.db import get_database

    url = f"sqlite:///{tmp_path / name}"
    monkeypatch.setenv("BAKEPRINT_DATABASE_URL", url)
    monkeypatch.setattr("bakeprint.config.settings.database_url", url)
    monkeypatch.delenv("BAKEPRINT_TENANT", raising=False)
    migrate.upgrade(get_database(url).engine)
    return url

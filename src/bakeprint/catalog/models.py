"""Master data: product lines, products, recipe variants, material types,
suppliers, operators, equipment, locations, vehicles, points of sale."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, tenant_fk


class ProductLine(TenantScoped, Base):
    __tablename__ = "product_lines"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(2))  # two capital letters, e.g. SS
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Product(TenantScoped, Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("tenant_id", "gtin"),
        tenant_fk("line_id", "product_lines"),
    )

    line_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    gtin: Mapped[str] = mapped_column(String(14))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(40))  # 酥皮类, 糖霜装饰类…
    shelf_life_days: Mapped[int] = mapped_column(Integer)
    allergens: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit_weight_g: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Public texts for the scan page (R4.1); editable by the bakery.
    story_zh: Mapped[str] = mapped_column(Text, default="")
    story_en: Mapped[str] = mapped_column(Text, default="")
    limited_edition_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RecipeVariant(TenantScoped, Base):
    __tablename__ = "recipe_variants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "code"),
        tenant_fk("product_id", "products"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    code: Mapped[str] = mapped_column(String(4))  # F1, F2…
    name: Mapped[str] = mapped_column(String(100), default="")
    target_oven_temp_c: Mapped[float] = mapped_column(Float)
    oven_temp_tolerance_c: Mapped[float] = mapped_column(Float, default=2.0)
    target_bake_minutes: Mapped[float] = mapped_column(Float)
    bake_minutes_tolerance: Mapped[float] = mapped_column(Float, default=1.0)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The product's standard recipe: batches made with it carry no -Fn suffix;
    # a fine-tuned variant (F2, F3…) shows in the batch code (R1.2).
    is_base: Mapped[bool] = mapped_column(Boolean, default=False)
    # A retired recipe stays: batches made with it keep pointing at it.
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MaterialType(TenantScoped, Base):
    __tablename__ = "material_types"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    unit: Mapped[str] = mapped_column(String(16), default="kg")
    short_life: Mapped[bool] = mapped_column(Boolean, default=False)
    allergens: Mapped[list[str]] = mapped_column(JSON, default=list)
    gtin: Mapped[str | None] = mapped_column(String(14), nullable=True)
    origin_story_zh: Mapped[str] = mapped_column(Text, default="")
    origin_story_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Carbon estimate (R4.2): a row of data/emission_factors.csv, or the
    # bakery's own figure (kg CO2e per kg), which wins.
    footprint_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    emission_factor: Mapped[float | None] = mapped_column(Float, nullable=True)


class Supplier(TenantScoped, Base):
    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    approved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the party's GLN: how its EPCIS shipping events are recognised
    gln: Mapped[str | None] = mapped_column(String(13), nullable=True)


class Operator(TenantScoped, Base):
    """A person on the production floor (never shown on public pages)."""

    __tablename__ = "operators"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))  # WANG-03
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Location(TenantScoped, Base):
    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    # kitchen_zone, cold_room, dry_store, packing, warehouse
    kind: Mapped[str] = mapped_column(String(20))
    gln: Mapped[str | None] = mapped_column(String(13), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Equipment(TenantScoped, Base):
    __tablename__ = "equipment"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        tenant_fk("location_id", "locations"),
    )

    code: Mapped[str] = mapped_column(String(40))  # OVEN-3
    name: Mapped[str] = mapped_column(String(100))  # 3号烤箱
    kind: Mapped[str] = mapped_column(String(20))  # oven, mixer, chiller, packer
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    power_kw: Mapped[float | None] = mapped_column(Float, nullable=True)  # R4.2


class Vehicle(TenantScoped, Base):
    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))  # VAN-2
    name: Mapped[str] = mapped_column(String(100))  # 2号车
    plate: Mapped[str] = mapped_column(String(20), default="")
    refrigerated: Mapped[bool] = mapped_column(Boolean, default=True)
    # kg CO2e per km, for the carbon estimate (R4.2).
    emission_kg_per_km: Mapped[float] = mapped_column(Float, default=0.25)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PointOfSale(TenantScoped, Base):
    __tablename__ = "points_of_sale"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))  # 城市书房
    kind: Mapped[str] = mapped_column(String(20))  # cafe, shop, online
    address: Mapped[str] = mapped_column(String(200), default="")
    gln: Mapped[str | None] = mapped_column(String(13), nullable=True)
    distance_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    # recall notices are POSTed here, signed with HMAC-SHA256 of the secret
    webhook_url: Mapped[str | None] = mapped_column(String(400), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

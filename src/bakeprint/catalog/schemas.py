"""Master-data payloads. Shapes and lengths only: the rules (code formats, ranges,
vocabularies, uniqueness) are checked in the service so the API and the CLI give
the same bilingual messages.

``…Update`` bodies carry only what may change (codes, GTINs and the product's
line are fixed at creation); unset fields are left alone.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from bakeprint.localtime import LocalDateTime

Name = Annotated[str, Field(min_length=1, max_length=100)]
Text100 = Annotated[str, Field(max_length=100)]
Story = Annotated[str, Field(max_length=5000)]


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class Patch(BaseModel):
    """Base of every ``…Update``: unknown keys are kept so the service can say
    precisely why (an immutable key gets its own message)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="allow")
    IMMUTABLE: ClassVar[tuple[str, ...]] = ("code",)
    NULLABLE: ClassVar[frozenset[str]] = frozenset()


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: LocalDateTime


# --- product lines, products, recipe variants --------------------------------


class ProductLineCreate(_In):
    code: str = Field(max_length=10, description="Two letters A–Z, e.g. SS.")
    name_zh: Name
    name_en: Text100 = ""


class ProductLineUpdate(Patch):
    name_zh: Name | None = None
    name_en: Text100 | None = None
    active: bool | None = None


class ProductLineRead(_Out):
    code: str
    name_zh: str
    name_en: str
    active: bool


class ProductCreate(_In):
    gtin: str = Field(max_length=20, description="GTIN-8/12/13/14; stored as 14.")
    line: str = Field(max_length=10, description="Product line code, e.g. SS.")
    name_zh: Name
    name_en: Text100 = ""
    category: str = Field(min_length=1, max_length=40, description="e.g. 酥皮类.")
    shelf_life_days: int = Field(description="Standard shelf life, 1–60 days.")
    allergens: list[str] = Field(default_factory=list, max_length=20)
    unit_weight_g: float | None = None
    story_zh: Story = ""
    story_en: Story = ""
    limited_edition_size: int | None = None


class ProductUpdate(Patch):
    IMMUTABLE = ("gtin", "line", "code")
    NULLABLE = frozenset({"unit_weight_g", "limited_edition_size"})

    name_zh: Name | None = None
    name_en: Text100 | None = None
    category: str | None = Field(default=None, min_length=1, max_length=40)
    shelf_life_days: int | None = None
    allergens: list[str] | None = Field(default=None, max_length=20)
    unit_weight_g: float | None = None
    story_zh: Story | None = None
    story_en: Story | None = None
    limited_edition_size: int | None = None
    active: bool | None = None


class ProductRead(_Out):
    gtin: str
    line: str
    name_zh: str
    name_en: str
    category: str
    shelf_life_days: int
    allergens: list[str]
    unit_weight_g: float | None
    story_zh: str
    story_en: str
    limited_edition_size: int | None
    active: bool


class VariantCreate(_In):
    code: str = Field(max_length=10, description="F and 1–2 digits, e.g. F1.")
    name: str = Field(default="", max_length=100)
    target_oven_temp_c: float = Field(description="80–320 °C.")
    oven_temp_tolerance_c: float = 2.0
    target_bake_minutes: float = Field(description="1–240 minutes.")
    bake_minutes_tolerance: float = 1.0
    notes: str = Field(default="", max_length=2000)
    is_base: bool = Field(
        default=False,
        description="The product's standard recipe: its batches carry no -Fn suffix.",
    )


class VariantUpdate(Patch):
    IMMUTABLE = ("code", "product_gtin", "gtin")

    name: str | None = Field(default=None, max_length=100)
    target_oven_temp_c: float | None = None
    oven_temp_tolerance_c: float | None = None
    target_bake_minutes: float | None = None
    bake_minutes_tolerance: float | None = None
    notes: str | None = Field(default=None, max_length=2000)
    is_base: bool | None = None
    active: bool | None = None


class VariantRead(_Out):
    product_gtin: str
    code: str
    name: str
    target_oven_temp_c: float
    oven_temp_tolerance_c: float
    target_bake_minutes: float
    bake_minutes_tolerance: float
    notes: str
    is_base: bool
    active: bool


# --- materials and suppliers ---------------------------------------------------


class MaterialTypeCreate(_In):
    code: str = Field(max_length=50, description="e.g. FLOUR.")
    name_zh: Name
    name_en: Text100 = ""
    unit: str = Field(default="kg", max_length=16, description="kg, g, L, mL, pcs.")
    short_life: bool = False
    allergens: list[str] = Field(default_factory=list, max_length=20)
    gtin: str | None = Field(default=None, max_length=20)
    origin_story_zh: Story = ""
    origin_story_en: Story = ""
    footprint_key: str | None = Field(default=None, max_length=40)
    emission_factor: float | None = Field(default=None, ge=0, le=1000)


class MaterialTypeUpdate(Patch):
    NULLABLE = frozenset({"gtin", "footprint_key", "emission_factor"})

    name_zh: Name | None = None
    name_en: Text100 | None = None
    unit: str | None = Field(default=None, max_length=16)
    short_life: bool | None = None
    allergens: list[str] | None = Field(default=None, max_length=20)
    gtin: str | None = Field(default=None, max_length=20)
    origin_story_zh: Story | None = None
    origin_story_en: Story | None = None
    active: bool | None = None
    footprint_key: str | None = Field(default=None, max_length=40)
    emission_factor: float | None = Field(default=None, ge=0, le=1000)


class MaterialTypeRead(_Out):
    code: str
    name_zh: str
    name_en: str
    unit: str
    short_life: bool
    allergens: list[str]
    gtin: str | None
    origin_story_zh: str
    origin_story_en: str
    active: bool
    footprint_key: str | None = None
    emission_factor: float | None = None


class SupplierCreate(_In):
    code: str = Field(max_length=50)
    name: str = Field(min_length=1, max_length=200)
    region: str = Field(default="", max_length=100)
    contact: str = Field(default="", max_length=200)
    approved_on: date | None = None
    gln: str | None = Field(default=None, max_length=20)


class SupplierUpdate(Patch):
    NULLABLE = frozenset({"approved_on", "gln"})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    region: str | None = Field(default=None, max_length=100)
    contact: str | None = Field(default=None, max_length=200)
    approved_on: date | None = None
    active: bool | None = None
    gln: str | None = Field(default=None, max_length=20)


class SupplierRead(_Out):
    code: str
    name: str
    region: str
    contact: str
    approved_on: date | None
    active: bool
    gln: str | None = None


# --- people, equipment, places, vehicles ------------------------------------------


class OperatorCreate(_In):
    code: str = Field(max_length=50, description="e.g. WANG-03.")
    name: Name
    username: str | None = Field(
        default=None, max_length=64, description="The bakery user who is this person."
    )


class OperatorUpdate(Patch):
    NULLABLE = frozenset({"username"})

    name: Name | None = None
    username: str | None = Field(default=None, max_length=64)
    active: bool | None = None


class OperatorRead(_Out):
    code: str
    name: str
    user_id: uuid.UUID | None
    username: str | None = None
    active: bool


class EquipmentCreate(_In):
    code: str = Field(max_length=50, description="e.g. OVEN-3.")
    name: str = Field(min_length=1, max_length=100, description="e.g. 3号烤箱.")
    kind: str = Field(max_length=20, description="oven, mixer, proofer, chiller…")
    location: str | None = Field(default=None, max_length=50)
    power_kw: float | None = Field(default=None, ge=0, le=500)


class EquipmentUpdate(Patch):
    NULLABLE = frozenset({"location", "power_kw"})

    name: Name | None = None
    kind: str | None = Field(default=None, max_length=20)
    location: str | None = Field(default=None, max_length=50)
    active: bool | None = None
    power_kw: float | None = Field(default=None, ge=0, le=500)


class EquipmentRead(_Out):
    code: str
    name: str
    kind: str
    location: str | None = None
    active: bool
    power_kw: float | None = None


class LocationCreate(_In):
    code: str = Field(max_length=50, description="e.g. COLD-1.")
    name: Name
    kind: str = Field(max_length=20, description="kitchen_zone, cold_room…")
    gln: str | None = Field(default=None, max_length=20)


class LocationUpdate(Patch):
    NULLABLE = frozenset({"gln"})

    name: Name | None = None
    kind: str | None = Field(default=None, max_length=20)
    gln: str | None = Field(default=None, max_length=20)
    active: bool | None = None


class LocationRead(_Out):
    code: str
    name: str
    kind: str
    gln: str | None
    active: bool


class VehicleCreate(_In):
    code: str = Field(max_length=50, description="e.g. VAN-2.")
    name: Name
    plate: str = Field(default="", max_length=20)
    refrigerated: bool = True
    emission_kg_per_km: float = 0.25


class VehicleUpdate(Patch):
    name: Name | None = None
    plate: str | None = Field(default=None, max_length=20)
    refrigerated: bool | None = None
    emission_kg_per_km: float | None = None
    active: bool | None = None


class VehicleRead(_Out):
    code: str
    name: str
    plate: str
    refrigerated: bool
    emission_kg_per_km: float
    active: bool


class PointOfSaleCreate(_In):
    code: str = Field(max_length=50, description="e.g. CITY-LIB.")
    name: Name
    kind: str = Field(max_length=20, description="cafe, shop, online, other.")
    address: str = Field(default="", max_length=200)
    gln: str | None = Field(default=None, max_length=20)
    distance_km: float | None = None
    webhook_url: str | None = Field(
        default=None,
        max_length=400,
        description="Recall notices are POSTed here (JSON, HMAC-signed): an "
        "http(s) URL of a public address, without a user name or password.",
    )
    webhook_secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=100,
        description="Shared secret for X-Bakeprint-Signature; never shown again.",
    )


class PointOfSaleUpdate(Patch):
    NULLABLE = frozenset({"gln", "distance_km", "webhook_url", "webhook_secret"})

    name: Name | None = None
    kind: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200)
    gln: str | None = Field(default=None, max_length=20)
    distance_km: float | None = None
    webhook_url: str | None = Field(default=None, max_length=400)
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=100)
    active: bool | None = None


class PointOfSaleRead(_Out):
    code: str
    name: str
    kind: str
    address: str
    gln: str | None
    distance_km: float | None
    webhook_url: str | None = None  # the secret is never returned
    active: bool


class AllergenRead(BaseModel):
    code: str
    name_zh: str
    name_en: str

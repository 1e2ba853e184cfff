"""Master-data forms: add and edit products, lines, material types (with their
origin stories), suppliers, operators, equipment, places, vans and shops.

One form per kind, drawn from the same ``…Create`` / ``…Update`` payloads the
API takes and sent through the same service functions, so a page, the API and
the CLI accept and refuse exactly the same things with the same messages —
shown here next to the field. An edit sends only what was changed; a cleared
optional field (a GLN, a webhook) is removed.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Union, get_args, get_origin

from annotated_types import MaxLen
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bakeprint.catalog import form_hints, products
from bakeprint.catalog import repository as repo
from bakeprint.catalog import service as catalog
from bakeprint.catalog.allergens import ALLERGENS
from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    PointOfSale,
    Product,
    ProductLine,
    Supplier,
    Vehicle,
)
from bakeprint.catalog.schemas import (
    EquipmentCreate,
    EquipmentUpdate,
    LocationCreate,
    LocationUpdate,
    MaterialTypeCreate,
    MaterialTypeUpdate,
    OperatorCreate,
    OperatorUpdate,
    Patch,
    PointOfSaleCreate,
    PointOfSaleUpdate,
    ProductCreate,
    ProductLineCreate,
    ProductLineUpdate,
    ProductUpdate,
    SupplierCreate,
    SupplierUpdate,
    VehicleCreate,
    VehicleUpdate,
)
from bakeprint.deps import FormDep, SessionDep
from bakeprint.errors import NotFound
from bakeprint.web.auth import CurrentUser, PageUser, check_csrf, csrf_token
from bakeprint.web.forms import FormErrors, run
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Kind:
    model: type[Any]
    create: type[BaseModel]
    update: type[Patch]
    create_fn: Callable[..., Any]
    update_fn: Callable[..., Any]


KINDS: dict[str, Kind] = {
    "products": Kind(
        Product,
        ProductCreate,
        ProductUpdate,
        products.create_product,
        products.update_product,
    ),
    "product-lines": Kind(
        ProductLine,
        ProductLineCreate,
        ProductLineUpdate,
        catalog.create_line,
        catalog.update_line,
    ),
    "material-types": Kind(
        MaterialType,
        MaterialTypeCreate,
        MaterialTypeUpdate,
        catalog.create_material_type,
        catalog.update_material_type,
    ),
    "suppliers": Kind(
        Supplier,
        SupplierCreate,
        SupplierUpdate,
        catalog.create_supplier,
        catalog.update_supplier,
    ),
    "operators": Kind(
        Operator,
        OperatorCreate,
        OperatorUpdate,
        catalog.create_operator,
        catalog.update_operator,
    ),
    "equipment": Kind(
        Equipment,
        EquipmentCreate,
        EquipmentUpdate,
        catalog.create_equipment,
        catalog.update_equipment,
    ),
    "locations": Kind(
        Location,
        LocationCreate,
        LocationUpdate,
        catalog.create_location,
        catalog.update_location,
    ),
    "vehicles": Kind(
        Vehicle,
        VehicleCreate,
        VehicleUpdate,
        catalog.create_vehicle,
        catalog.update_vehicle,
    ),
    "points-of-sale": Kind(
        PointOfSale,
        PointOfSaleCreate,
        PointOfSaleUpdate,
        catalog.create_point_of_sale,
        catalog.update_point_of_sale,
    ),
}

# Field labels (zh, en); a field not listed shows its name.
LABELS: dict[str, tuple[str, str]] = {
    "code": ("代码", "Code"),
    "gtin": ("GTIN", "GTIN"),
    "line": ("产品线", "Product line"),
    "name": ("名称", "Name"),
    "name_zh": ("中文名称", "Name (Chinese)"),
    "name_en": ("英文名称", "Name (English)"),
    "category": ("品类", "Category"),
    "shelf_life_days": ("保质期（天）", "Shelf life (days)"),
    "allergens": ("过敏原", "Allergens"),
    "unit_weight_g": ("单件重量（克）", "Unit weight (g)"),
    "story_zh": ("设计故事（中文，扫码页可见）", "Design story (Chinese, public)"),
    "story_en": ("设计故事（英文，扫码页可见）", "Design story (English, public)"),
    "limited_edition_size": ("限量份数", "Limited edition size"),
    "active": ("启用", "Active"),
    "unit": ("单位", "Unit"),
    "short_life": ("短保原料", "Short-life material"),
    "origin_story_zh": (
        "原料故事（中文，扫码页可见）",
        "Origin story (Chinese, public)",
    ),
    "origin_story_en": (
        "原料故事（英文，扫码页可见）",
        "Origin story (English, public)",
    ),
    "footprint_key": ("排放因子类别", "Emission factor category"),
    "emission_factor": ("排放因子（kg CO₂e/单位）", "Emission factor (kg CO₂e/unit)"),
    "region": ("产地", "Region"),
    "contact": ("联系方式", "Contact"),
    "approved_on": ("准入日期", "Approved on"),
    "gln": ("GLN", "GLN"),
    "username": ("对应的登录用户", "Their user name"),
    "kind": ("类型", "Kind"),
    "location": ("位置", "Location"),
    "power_kw": ("功率（kW）", "Power (kW)"),
    "plate": ("车牌", "Number plate"),
    "refrigerated": ("冷藏车", "Refrigerated"),
    "emission_kg_per_km": ("排放（kg CO₂e/公里）", "Emissions (kg CO₂e/km)"),
    "address": ("地址", "Address"),
    "distance_km": ("距中央厨房（公里）", "Distance from the kitchen (km)"),
    "webhook_url": ("召回通知地址（webhook）", "Recall notice URL (webhook)"),
    "webhook_secret": (
        "webhook 密钥（保存后不再显示）",
        "Webhook secret (never shown again)",
    ),
}
TITLES: dict[str, tuple[str, str]] = {
    "products": ("产品", "Product"),
    "product-lines": ("产品线", "Product line"),
    "material-types": ("原料类型", "Material type"),
    "suppliers": ("供应商", "Supplier"),
    "operators": ("操作员", "Operator"),
    "equipment": ("设备", "Equipment"),
    "locations": ("位置", "Location"),
    "vehicles": ("车辆", "Vehicle"),
    "points-of-sale": ("销售点", "Point of sale"),
}


@dataclass
class Field:
    name: str
    label: str
    widget: str  # text, textarea, number, checkbox, date, allergens, password
    required: bool
    hint: str  # Markup where it shows the values to type
    value: Any
    step: str = "any"


def _base(annotation: Any) -> Any:
    """The field's type without ``| None``."""
    if get_origin(annotation) in (Union, types.UnionType):
        return next(a for a in get_args(annotation) if a is not type(None))
    return annotation


def _max_length(metadata: list[Any], annotation: Any) -> int | None:
    """A field's max length, also when it is an ``Annotated`` inside ``| None``."""
    found = list(metadata)
    for arg in get_args(annotation):
        for m in getattr(arg, "__metadata__", ()):
            found += m.metadata if isinstance(m, FieldInfo) else [m]
    return next((m.max_length for m in found if isinstance(m, MaxLen)), None)


def _widget(name: str, annotation: Any, max_length: int | None) -> tuple[str, str]:
    base = _base(annotation)
    if name == "allergens":
        return "allergens", "any"
    if "secret" in name:
        return "password", "any"
    if base is bool:
        return "checkbox", "any"
    if base is int:
        return "number", "1"
    if base is float:
        return "number", "any"
    if base is date:
        return "date", "any"
    if max_length and max_length > 400:
        return "textarea", "any"
    return "text", "any"


def _shown(value: Any) -> Any:
    """A stored value as the form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool | list):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fields_of(
    schema: type[BaseModel],
    lang: str,
    row: Any = None,
    form: dict[str, Any] | None = None,
) -> list[Field]:
    out = []
    en = lang == "en"
    for name, info in schema.model_fields.items():
        max_length = _max_length(info.metadata, info.annotation)
        widget, step = _widget(name, info.annotation, max_length)
        zh_en = LABELS.get(name, (name, name))
        if form is not None and name in form:
            value = form[name]
        elif row is not None and widget != "password":
            value = _shown(getattr(row, name, None))
        elif info.default not in (None, "") and not callable(info.default):
            value = _shown(info.default)
        else:
            value = (
                [] if widget == "allergens" else False if widget == "checkbox" else ""
            )
        out.append(
            Field(
                name=name,
                label=zh_en[1] if en else zh_en[0],
                widget=widget,
                required=info.is_required(),
                hint=info.description or "",
                value=value,
                step=step,
            )
        )
    return out


def _submitted(form: Any, fields: list[Field]) -> dict[str, Any]:
    """What the form sent, per field, as the form shows it; a field the form
    did not send at all is left as it is (every field of the page is sent,
    empty or not; check boxes come with a hidden companion for that)."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.name not in form:
            continue
        if f.widget == "allergens":
            out[f.name] = [str(v) for v in form.getlist(f.name) if v]
        elif f.widget == "checkbox":
            out[f.name] = (form.getlist(f.name) or ["0"])[-1] == "1"
        else:
            out[f.name] = str(form.get(f.name) or "").strip()
    return out


def _payload(
    schema: type[BaseModel], sent: dict[str, Any], before: dict[str, Any] | None
) -> dict[str, Any]:
    """The body for the service. A new row: blank fields are left out (a
    required one is then named by validation). An edit: only what changed; a
    cleared optional key (a GLN, a webhook) becomes None, a cleared text "",
    a cleared number is refused by validation."""
    out: dict[str, Any] = {}
    nullable: frozenset[str] = getattr(schema, "NULLABLE", frozenset())
    for name, value in sent.items():
        if before is None:
            if value != "":
                out[name] = value
        elif value != before.get(name):
            out[name] = None if value == "" and name in nullable else value
    return out


def _kind(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise NotFound(f"没有这类基础资料：{slug}", f"no such master data: {slug}")
    return kind


def _row(session: SessionDep, me: PageUser, kind: Kind, key: str) -> Any:
    row = repo.find(session, kind.model, me.tenant.id, key.strip())
    if row is None:
        _, zh, en = repo.KINDS[kind.model]
        raise NotFound(f"找不到{zh} {key}", f"no {en} {key}")
    return row


def _page(
    request: Request,
    me: PageUser,
    slug: str,
    fields: list[Field],
    *,
    key: str | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = lang_of(request)
    zh, en = TITLES[slug]
    for f in fields:
        f.hint = form_hints.hint(slug, f.name, lang, f.hint)
    return render(
        request,
        "catalog/form.html",
        {
            "me": me,
            "csrf": csrf_token(request),
            "slug": slug,
            "key": key,
            "title": (en if lang == "en" else zh) + (f" {key}" if key else ""),
            "fields": fields,
            "allergens": ALLERGENS,
            "errors": errors or {},
            "message": message,
        },
        status_code=status_code,
    )


@router.get("/master/{slug}/new")
def new(request: Request, slug: str, me: CurrentUser) -> Response:
    me.require("catalog:write")
    kind = _kind(slug)
    return _page(request, me, slug, fields_of(kind.create, lang_of(request)))


@router.post("/master/{slug}/new")
def create(
    request: Request, slug: str, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("catalog:write")
    kind = _kind(slug)
    check_csrf(request, form)
    lang = lang_of(request)
    sent = _submitted(form, fields_of(kind.create, lang))
    try:
        row = run(
            request,
            session,
            lambda: kind.create_fn(
                session,
                kind.create(**_payload(kind.create, sent, None)),
                actor=me.actor,
            ),
        )
    except FormErrors as exc:
        fields = fields_of(kind.create, lang, form=sent)
        return _page(
            request,
            me,
            slug,
            fields,
            errors=exc.errors,
            message=exc.message,
            status_code=exc.status,
        )
    key = getattr(row, repo.KINDS[kind.model][0])
    request.session["flash"] = t(lang, "saved_what", what=key)
    return RedirectResponse(f"/master#{slug}", status_code=303)


@router.get("/master/{slug}/{key}")
def edit(
    request: Request, slug: str, key: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("catalog:write")
    kind = _kind(slug)
    row = _row(session, me, kind, key)
    fields = fields_of(kind.update, lang_of(request), row=row)
    return _page(request, me, slug, fields, key=key)


@router.post("/master/{slug}/{key}")
def save(
    request: Request,
    slug: str,
    key: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    me.require("catalog:write")
    kind = _kind(slug)
    row = _row(session, me, kind, key)
    check_csrf(request, form)
    lang = lang_of(request)
    shown = fields_of(kind.update, lang, row=row)
    before = {f.name: f.value for f in shown}
    sent = _submitted(form, shown)
    try:
        run(
            request,
            session,
            lambda: kind.update_fn(
                session,
                key,
                kind.update(**_payload(kind.update, sent, before)),
                actor=me.actor,
            ),
        )
    except FormErrors as exc:
        fields = fields_of(kind.update, lang, row=row, form=sent)
        return _page(
            request,
            me,
            slug,
            fields,
            key=key,
            errors=exc.errors,
            message=exc.message,
            status_code=exc.status,
        )
    request.session["flash"] = t(lang, "saved_what", what=key)
    return RedirectResponse(f"/master#{slug}", status_code=303)

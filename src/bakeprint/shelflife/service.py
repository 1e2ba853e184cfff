"""Dynamic shelf life (R3.3): a batch's real history → its predicted
best-before, with the reasons; the category parameters (versioned), the
batch's packaging, stored predictions and the level-2 alert when the
prediction ends before the printed date.

The model itself is ``shelflife.model`` (pure); this module reads the
batch's history through the other domains' public functions: the stored
environment segments (``sensors.environment.batch_environment``) and the
shops' stock (``sensors.environment.shop_stocks``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.alerts import attention
from bakeprint.catalog.models import Product
from bakeprint.db import utcnow
from bakeprint.errors import Invalid, NotFound
from bakeprint.events import service as events
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch
from bakeprint.retail.models import ShopStock
from bakeprint.sensors import environment
from bakeprint.shelflife import model
from bakeprint.shelflife.models import (
    BatchPackaging,
    ShelfLifeParams,
    ShelfLifePrediction,
)

ALERT_CAUSE = "shelf_life"


# --- parameters ---------------------------------------------------------------


def categories(session: Session, tenant_id: uuid.UUID) -> list[str]:
    """The bakery's product categories (what parameters are set for)."""
    return sorted(
        set(
            session.scalars(
                select(Product.category).where(Product.tenant_id == tenant_id)
            )
        )
    )


def params_for(
    session: Session, tenant_id: uuid.UUID, category: str
) -> tuple[int, model.Params]:
    """The category's current parameter version (0: the built-in defaults)."""
    row = session.scalar(
        select(ShelfLifeParams)
        .where(
            ShelfLifeParams.tenant_id == tenant_id,
            ShelfLifeParams.category == category,
        )
        .order_by(ShelfLifeParams.version.desc())
        .limit(1)
    )
    if row is None:
        return 0, model.Params.of({})
    return row.version, model.Params.of(row.params)


def params_version(
    session: Session, tenant_id: uuid.UUID, category: str, version: int
) -> model.Params:
    """The parameters a past prediction used."""
    if version == 0:
        return model.Params.of({})
    row = session.scalar(
        select(ShelfLifeParams).where(
            ShelfLifeParams.tenant_id == tenant_id,
            ShelfLifeParams.category == category,
            ShelfLifeParams.version == version,
        )
    )
    if row is None:
        raise Invalid(
            f"类别 {category} 没有第 {version} 版保质期参数",
            f"category {category} has no shelf-life parameter version {version}",
            field="version",
        )
    return model.Params.of(row.params)


def params_history(
    session: Session, tenant_id: uuid.UUID, category: str
) -> list[ShelfLifeParams]:
    """Every stored version of a category's parameters; a category the bakery
    has no product of is not found (as another bakery's would be)."""
    known = categories(session, tenant_id)
    if category not in known:
        raise NotFound(
            f"没有产品类别 {category}：已有 " + ("、".join(known) or "（无）"),
            f"no product category {category}: there are "
            + (", ".join(known) or "none"),
        )
    return list(
        session.scalars(
            select(ShelfLifeParams)
            .where(
                ShelfLifeParams.tenant_id == tenant_id,
                ShelfLifeParams.category == category,
            )
            .order_by(ShelfLifeParams.version)
        )
    )


def _check_values(values: dict[str, Any]) -> dict[str, Any]:
    """Refuse unknown names and values outside what a bakery may set."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "packaging":
            if not isinstance(value, dict):
                raise Invalid(
                    "包装系数应为 类型=系数", "packaging factors are TYPE=FACTOR"
                )
            factors: dict[str, float] = {}
            lo, hi = model.PACKAGING_BOUNDS
            for kind, factor in value.items():
                if kind not in model.PACKAGING_TYPES:
                    raise Invalid(
                        f"没有包装类型 {kind}：可选 "
                        + "、".join(model.PACKAGING_TYPES),
                        f"no packaging type {kind}: use one of "
                        + ", ".join(model.PACKAGING_TYPES),
                        field="packaging",
                    )
                f = _number(f"packaging.{kind}", factor)
                if not lo <= f <= hi:
                    raise Invalid(
                        f"包装系数 {kind}={f:g} 超出范围 {lo:g}–{hi:g}",
                        f"packaging factor {kind}={f:g} is outside {lo:g}–{hi:g}",
                        field="packaging",
                    )
                factors[kind] = f
            out["packaging"] = factors
        elif name == "default_packaging":
            if value not in model.PACKAGING_TYPES:
                raise Invalid(
                    f"没有包装类型 {value}：可选 " + "、".join(model.PACKAGING_TYPES),
                    f"no packaging type {value}: use one of "
                    + ", ".join(model.PACKAGING_TYPES),
                    field="default_packaging",
                )
            out[name] = value
        elif name in model.BOUNDS:
            f = _number(name, value)
            lo, hi = model.BOUNDS[name]
            if not lo <= f <= hi:
                raise Invalid(
                    f"参数 {name}={f:g} 超出范围 {lo:g}–{hi:g}",
                    f"parameter {name}={f:g} is outside {lo:g}–{hi:g}",
                    field=name,
                )
            out[name] = f
        else:
            raise Invalid(
                f"没有参数 {name}：可设 " + "、".join(model.DEFAULTS),
                f"no parameter {name}: you can set " + ", ".join(model.DEFAULTS),
                field=name,
            )
    return out


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        value = None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Invalid(
            f"参数 {name} 应为数字，收到 {value!r}",
            f"parameter {name} must be a number, got {value!r}",
            field=name,
        ) from None


def set_params(
    session: Session,
    tenant_id: uuid.UUID,
    category: str,
    values: dict[str, Any],
    *,
    note: str = "",
    actor: Actor,
) -> ShelfLifeParams:
    """A new version of the category's parameters: the current ones with
    ``values`` changed (earlier versions stay, for the predictions that used
    them)."""
    known = categories(session, tenant_id)
    if category not in known:
        raise Invalid(
            f"没有产品类别 {category}：已有 " + ("、".join(known) or "（无）"),
            f"no product category {category}: there are "
            + (", ".join(known) or "none"),
            field="category",
        )
    if not values:
        raise Invalid("没有要修改的参数", "no parameter to change", field="params")
    checked = _check_values(values)
    version, current = params_for(session, tenant_id, category)
    merged = current.as_dict()
    packaging = {**merged["packaging"], **checked.pop("packaging", {})}
    merged.update(checked)
    merged["packaging"] = packaging
    p = model.Params.of(merged)
    if p.t_min_c >= p.t_ref_c:
        raise Invalid(
            f"最低生长温度 {p.t_min_c:g}°C 应低于参考温度 {p.t_ref_c:g}°C",
            f"the minimum growth temperature {p.t_min_c:g} °C must be below "
            f"the reference temperature {p.t_ref_c:g} °C",
            field="t_min_c",
        )
    row = ShelfLifeParams(
        tenant_id=tenant_id,
        category=category,
        version=version + 1,
        params=p.as_dict(),
        note=note,
        set_by=actor.ref,
    )
    session.add(row)
    session.flush()
    return row


# --- packaging ----------------------------------------------------------------


def packaging_of(session: Session, batch: Batch) -> str | None:
    return session.scalar(
        select(BatchPackaging.packaging)
        .where(
            BatchPackaging.tenant_id == batch.tenant_id,
            BatchPackaging.batch_id == batch.id,
        )
        .order_by(BatchPackaging.created_at.desc())
        .limit(1)
    )


def set_packaging(
    session: Session, tenant_id: uuid.UUID, code: str, packaging: str, *, actor: Actor
) -> BatchPackaging:
    """Record the packaging a batch went into (the latest record counts)."""
    if packaging not in model.PACKAGING_TYPES:
        raise Invalid(
            f"没有包装类型 {packaging}：可选 " + "、".join(model.PACKAGING_TYPES),
            f"no packaging type {packaging}: use one of "
            + ", ".join(model.PACKAGING_TYPES),
            field="packaging",
        )
    batch = batches.get(session, tenant_id, code)
    row = BatchPackaging(
        tenant_id=tenant_id,
        batch_id=batch.id,
        packaging=packaging,
        set_by=actor.ref,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


# --- history → prediction -----------------------------------------------------


def _mean(xs: list[environment.SensorSummary], kind: str) -> float | None:
    vals = [x.mean for x in xs if x.kind == kind and x.mean is not None]
    return sum(vals) / len(vals) if vals else None


def history_of(
    session: Session,
    batch: Batch,
    *,
    segments: list[environment.Segment] | None = None,
    stocks: list[Any] | None = None,
    shelved_at: datetime | None = None,
) -> model.History:
    """The batch's history as the model reads it: each place it was with the
    mean temperature and humidity there, the hall's peak humidity while it
    was made, and when it was first on a shop's shelf (``segments`` and
    ``stocks`` when the caller — the trace — has read them already;
    ``shelved_at``: a given shop's shelving, for that shop's units)."""
    if stocks is None:
        stocks = environment.shop_stocks(session, batch)
    if segments is None:
        segments = environment.batch_environment(session, batch, stocks=stocks)
    hall = [
        x.max
        for seg in segments
        if seg.stage == "production"
        for x in seg.sensors
        if x.kind == "humidity" and x.max is not None
    ]
    intervals = [
        model.Interval(
            seg.start,
            seg.end,
            _mean(seg.sensors, "temperature"),
            _mean(seg.sensors, "humidity"),
            seg.place,
        )
        for seg in segments
        if seg.stage != "production"
    ]
    shelved = [
        s.shelved_at or s.received_at
        for s, _pos in stocks
        if (s.shelved_at or s.received_at) is not None
    ]
    return model.History(
        baked_at=batch.ended_at or batch.started_at,
        intervals=intervals,
        hall_rh_pct=max(hall) if hall else None,
        shelved_at=shelved_at or (min(shelved) if shelved else None),
        packaging=packaging_of(session, batch),
    )


@dataclass
class Current:
    batch: Batch
    category: str
    params_version: int
    prediction: model.Prediction
    history: model.History
    printed_best_before: date | None
    best_before: date

    @property
    def shortened(self) -> bool:
        return (
            self.printed_best_before is not None
            and self.best_before < self.printed_best_before
        )

    def reasons(self) -> list[dict[str, Any]]:
        return [
            {"factor": r.factor, "days": r.days, "zh": r.zh, "en": r.en}
            for r in self.prediction.reasons
        ]

    def inputs(self) -> dict[str, Any]:
        h = self.history
        return {
            "baked_at": h.baked_at.isoformat(),
            "hall_rh_pct": h.hall_rh_pct,
            "shelved_at": h.shelved_at.isoformat() if h.shelved_at else None,
            "intervals": [
                {
                    "place": iv.place,
                    "start": iv.start.isoformat(),
                    "end": iv.end.isoformat(),
                    "temp_c": iv.temp_c,
                    "rh_pct": iv.rh_pct,
                }
                for iv in h.intervals
            ],
        }


def _product(session: Session, batch: Batch) -> Product:
    product = session.get(Product, (batch.tenant_id, batch.product_id))
    assert product is not None
    return product


def current(
    session: Session,
    batch: Batch,
    *,
    segments: list[environment.Segment] | None = None,
    stocks: list[Any] | None = None,
    shelved_at: datetime | None = None,
) -> Current:
    """The batch's prediction from its history so far (nothing stored): by
    default as of its first shelving anywhere; with ``shelved_at``, for the
    units shelved then (one shop's)."""
    product = _product(session, batch)
    version, p = params_for(session, batch.tenant_id, product.category)
    h = history_of(
        session, batch, segments=segments, stocks=stocks, shelved_at=shelved_at
    )
    pred = model.predict(p, h, product.shelf_life_days)
    return Current(
        batch=batch,
        category=product.category,
        params_version=version,
        prediction=pred,
        history=h,
        printed_best_before=batch.best_before,
        best_before=batch.production_date
        + timedelta(days=pred.days_after_production()),
    )


def latest(session: Session, batch: Batch) -> ShelfLifePrediction | None:
    """The batch's last stored prediction."""
    return session.scalar(
        select(ShelfLifePrediction)
        .where(
            ShelfLifePrediction.tenant_id == batch.tenant_id,
            ShelfLifePrediction.batch_id == batch.id,
        )
        .order_by(ShelfLifePrediction.predicted_at.desc())
        .limit(1)
    )


def label_date(session: Session, batch: Batch) -> date | None:
    """The best-before a label printed now carries: the last stored
    prediction's when it is earlier than the printed date (a prediction
    never lengthens it), else the printed date."""
    row = latest(session, batch)
    if row is not None and (
        batch.best_before is None or row.best_before < batch.best_before
    ):
        return row.best_before
    return batch.best_before


def predictions(session: Session, batch: Batch) -> list[ShelfLifePrediction]:
    return list(
        session.scalars(
            select(ShelfLifePrediction)
            .where(
                ShelfLifePrediction.tenant_id == batch.tenant_id,
                ShelfLifePrediction.batch_id == batch.id,
            )
            .order_by(ShelfLifePrediction.predicted_at)
        )
    )


def predict(
    session: Session, tenant_id: uuid.UUID, code: str, *, actor: Actor
) -> ShelfLifePrediction:
    """Predict the batch's shelf life now and store the prediction; when it
    ends before the printed best-before, raise a level-2 alert for QC."""
    batch = batches.get(session, tenant_id, code)
    cur = current(session, batch)
    now = utcnow()
    row = ShelfLifePrediction(
        tenant_id=tenant_id,
        batch_id=batch.id,
        category=cur.category,
        params_version=cur.params_version,
        packaging=cur.prediction.packaging,
        standard_days=cur.prediction.standard_days,
        model_days=cur.prediction.model_days,
        effective_days=cur.prediction.effective_days,
        printed_best_before=cur.printed_best_before,
        best_before=cur.best_before,
        reasons=cur.reasons(),
        inputs=cur.inputs(),
        predicted_at=now,
        predicted_by=actor.ref,
    )
    session.add(row)
    session.flush()
    product = _product(session, batch)
    events.append(
        session,
        tenant_id=tenant_id,
        kind="shelf_life_predicted",
        subject=f"batch:{batch.code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="inspecting",
        event_time=now,
        actor=actor.ref,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": ids.batch_class(product.gtin, batch.code),
                    "quantity": batch.produced_quantity or batch.planned_quantity,
                }
            ],
        },
        extension={
            "batch": batch.code,
            "best_before": cur.best_before.isoformat(),
            "printed_best_before": (
                cur.printed_best_before.isoformat() if cur.printed_best_before else None
            ),
            "model_days": cur.prediction.model_days,
            "params_version": cur.params_version,
            "reasons": [r["en"] for r in cur.reasons()],
        },
    )
    if cur.shortened:
        _alert(session, cur)
    return row


def _alert(session: Session, cur: Current) -> None:
    b = cur.batch
    why_zh = "；".join(r["zh"] for r in cur.reasons())
    why_en = "; ".join(r["en"] for r in cur.reasons())
    attention.flag(
        session,
        [b],
        key=f"{ALERT_CAUSE}:{b.code}:{cur.best_before.isoformat()}",
        cause=ALERT_CAUSE,
        zh=f"批次 {b.code} 预测保质期到 {cur.best_before}，早于标签上的 "
        f"{cur.printed_best_before}（{why_zh}）：检查在售库存，必要时提前打折或下架",
        en=f"batch {b.code} is predicted good until {cur.best_before}, before "
        f"the printed {cur.printed_best_before} ({why_en}): check the stock on "
        "sale; discount or pull it early if needed",
    )


def predict_on_sale(
    session: Session, tenant_id: uuid.UUID, *, actor: Actor
) -> list[ShelfLifePrediction]:
    """Predict every batch with units on a shop's shelf (a daily job)."""
    codes = sorted(
        {
            b.code
            for b in session.scalars(
                select(Batch).where(
                    Batch.tenant_id == tenant_id,
                    Batch.id.in_(_on_shelf_batches(tenant_id)),
                )
            )
        }
    )
    return [predict(session, tenant_id, c, actor=actor) for c in codes]


def _on_shelf_batches(tenant_id: uuid.UUID) -> Any:
    on_shelf = (
        ShopStock.received - ShopStock.sold - ShopStock.wasted - ShopStock.returned
    )
    return select(ShopStock.batch_id).where(
        ShopStock.tenant_id == tenant_id, on_shelf > 0
    )


# --- FEFO ---------------------------------------------------------------------


@dataclass
class FefoRow:
    batch: str
    product_zh: str
    product_en: str
    on_shelf: int
    printed_best_before: date | None
    best_before: date
    remaining_days: float
    action: str  # pull / discount / sell
    reasons: list[dict[str, Any]]


DISCOUNT_WITHIN_DAYS = 1.0


def action_for(remaining_days: float) -> str:
    """Pull what is past its predicted best-before, discount what has a day
    or less left, sell the rest."""
    if remaining_days <= 0:
        return "pull"
    if remaining_days <= DISCOUNT_WITHIN_DAYS:
        return "discount"
    return "sell"


def remaining_days(best_before: date, tz: str, now: datetime) -> float:
    """Days from ``now`` to the end of the best-before day (the bakery's zone)."""
    end = datetime.combine(best_before + timedelta(days=1), time.min, ZoneInfo(tz))
    return round((end - now).total_seconds() / 86400, 1)


def fefo(session: Session, tenant_id: uuid.UUID, pos_id: uuid.UUID) -> list[FefoRow]:
    """The shop's on-shelf stock, the shortest predicted remaining life first."""
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    now = utcnow()
    on_shelf = (
        ShopStock.received - ShopStock.sold - ShopStock.wasted - ShopStock.returned
    )
    rows = session.execute(
        select(
            Batch,
            Product.name_zh,
            Product.name_en,
            on_shelf,
            func.coalesce(ShopStock.shelved_at, ShopStock.received_at),
        )
        .join(
            ShopStock,
            (ShopStock.tenant_id == Batch.tenant_id) & (ShopStock.batch_id == Batch.id),
        )
        .join(
            Product,
            (Product.tenant_id == Batch.tenant_id) & (Product.id == Batch.product_id),
        )
        .where(
            ShopStock.tenant_id == tenant_id,
            ShopStock.point_of_sale_id == pos_id,
            on_shelf > 0,
        )
    ).all()
    out = []
    for batch, name_zh, name_en, count, shelved_at in rows:
        # this shop's units: late or not by when they reached this shelf
        cur = current(session, batch, shelved_at=shelved_at)
        left = remaining_days(cur.best_before, tenant.timezone, now)
        out.append(
            FefoRow(
                batch=batch.code,
                product_zh=name_zh,
                product_en=name_en or name_zh,
                on_shelf=int(count),
                printed_best_before=cur.printed_best_before,
                best_before=cur.best_before,
                remaining_days=left,
                action=action_for(left),
                reasons=cur.reasons(),
            )
        )
    return sorted(out, key=lambda r: (r.remaining_days, r.batch))

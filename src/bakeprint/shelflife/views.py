"""Shelf-life answers for the API, the CLI and the pages."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from bakeprint.production.models import Batch
from bakeprint.sensors import environment
from bakeprint.shelflife import model
from bakeprint.shelflife import service as shelflife
from bakeprint.shelflife.models import ShelfLifeParams, ShelfLifePrediction
from bakeprint.shelflife.schemas import FefoRead, ParamsRead, ReasonRead, ShelfLifeRead


def live(
    session: Session,
    batch: Batch,
    *,
    segments: list[environment.Segment] | None = None,
    stocks: list[Any] | None = None,
) -> ShelfLifeRead:
    cur = shelflife.current(session, batch, segments=segments, stocks=stocks)
    p = cur.prediction
    return ShelfLifeRead(
        batch=batch.code,
        category=cur.category,
        params_version=cur.params_version,
        packaging=p.packaging,
        standard_days=p.standard_days,
        model_days=p.model_days,
        effective_days=p.effective_days,
        printed_best_before=cur.printed_best_before,
        best_before=cur.best_before,
        shortened=cur.shortened,
        reasons=[ReasonRead(**r) for r in cur.reasons()],
    )


def stored(batch: Batch, row: ShelfLifePrediction) -> ShelfLifeRead:
    return ShelfLifeRead(
        batch=batch.code,
        category=row.category,
        params_version=row.params_version,
        packaging=row.packaging,
        standard_days=row.standard_days,
        model_days=row.model_days,
        effective_days=row.effective_days,
        printed_best_before=row.printed_best_before,
        best_before=row.best_before,
        shortened=row.printed_best_before is not None
        and row.best_before < row.printed_best_before,
        reasons=[ReasonRead(**r) for r in row.reasons],
        predicted_at=row.predicted_at,
    )


def params_row(row: ShelfLifeParams) -> ParamsRead:
    return ParamsRead.model_validate(row)


def current_params(session: Session, tenant_id: uuid.UUID) -> list[ParamsRead]:
    """Each product category's current parameters (version 0: the defaults)."""
    out = []
    for category in shelflife.categories(session, tenant_id):
        history = shelflife.params_history(session, tenant_id, category)
        if history:
            out.append(params_row(history[-1]))
        else:
            out.append(
                ParamsRead(
                    category=category,
                    version=0,
                    params=model.Params.of({}).as_dict(),
                    note="默认值 / defaults (docs/shelf-life.md)",
                )
            )
    return out


def fefo_read(r: shelflife.FefoRow) -> FefoRead:
    return FefoRead(
        batch=r.batch,
        product_zh=r.product_zh,
        product_en=r.product_en,
        on_shelf=r.on_shelf,
        printed_best_before=r.printed_best_before,
        best_before=r.best_before,
        remaining_days=r.remaining_days,
        action=r.action,
        reasons=[ReasonRead(**x) for x in r.reasons],
    )


def public(session: Session, batch: Batch, lang: str) -> dict[str, Any]:
    """What the public scan page shows: the predicted best-before beside the
    printed one and the reasons in the reader's language (no place codes,
    no people)."""
    read = live(session, batch)
    en = lang == "en"
    return {
        "best_before": read.best_before.isoformat(),
        "printed": (
            read.printed_best_before.isoformat() if read.printed_best_before else None
        ),
        "shortened": read.shortened,
        "reasons": [r.en if en else r.zh for r in read.reasons],
    }

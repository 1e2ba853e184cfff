"""Pages for the shop: receive a drop, shelve it, sell by scan or count, write off.

Store staff bound to one shop land on it; the owner sees every shop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.deps import FormDep, SessionDep
from bakeprint.logistics import repository as trips
from bakeprint.logistics.pages import local_input
from bakeprint.production import repository as batches
from bakeprint.recall.service import notices_for_shop
from bakeprint.retail import repository as shops_repo
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import (
    ReceiptCreate,
    RemovalCreate,
    SaleCreate,
    ShelfCreate,
)
from bakeprint.shelflife import service as shelf_life
from bakeprint.web.auth import CurrentUser, PageForbidden, PageUser, csrf_token
from bakeprint.web.forms import form_command
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


def _may_see_shops(me: PageUser) -> None:
    if not (me.actor.can("read") or me.actor.can("retail:write")):
        me.require("read")


@router.get("/shops")
def list_page(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    _may_see_shops(me)
    if "owner" not in me.actor.roles and not me.actor.can("read"):
        # shop staff: their own shop, never the list of every shop's stock
        own = me.user.point_of_sale_id
        own_code = catalog.code_of(session, PointOfSale, me.tenant.id, own)
        if own_code is None:
            raise PageForbidden(t(lang_of(request), "no_shop"))
        return RedirectResponse(f"/shops/{own_code}", status_code=303)
    shops = catalog.rows(session, PointOfSale, me.tenant.id)
    by_shop: dict[Any, list[shops_repo.ShopLine]] = {}
    for line in shops_repo.stock_by_shop(session, me.tenant.id):
        if line.delivered:  # the shops a batch was delivered to, as stock_rows
            by_shop.setdefault(line.point_of_sale_id, []).append(line)
    rows = []
    for pos in shops:
        stock = by_shop.get(pos.id, [])
        rows.append(
            {
                "pos": pos,
                "on_shelf": sum(r.on_shelf for r in stock),
                "awaiting": sum(r.awaiting_receipt for r in stock),
                "sold": sum(r.sold for r in stock),
                "batches": sum(1 for r in stock if r.on_shelf > 0),
            }
        )
    return render(
        request,
        "retail/list.html",
        {"me": me, "rows": rows, "csrf": csrf_token(request)},
    )


def _pending(session: SessionDep, pos: PointOfSale) -> list[dict[str, Any]]:
    """Drops addressed to this shop that are not fully received yet."""
    return [
        {
            "id": str(d.id),
            "batch": batch,
            "trip": trip,
            "quantity": d.quantity,
            "open": d.quantity - d.received,
            "delivered_at": d.delivered_at,
        }
        for d, batch, trip in trips.open_drops_at(session, pos)
    ]


def _shop_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    code: str,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    which: str = "",
    history: bool = False,
    status_code: int = 200,
) -> Response:
    pos = retail.shop(session, me.actor, code, write=False)
    stock = retail.stock_rows(session, me.tenant.id, pos=pos)
    current = [r for r in stock if r.on_shelf > 0 or r.received < r.delivered]
    shelved = {r.batch for r in stock if r.shelved_at}
    past = sorted(
        (r for r in stock if r not in current), key=lambda r: r.batch, reverse=True
    )
    return render(
        request,
        "retail/shop.html",
        {
            "me": me,
            "pos": pos,
            "current": current,
            "shelved": shelved,
            "past": past if history else past[:10],
            "more_past": len(past) > 10 and not history,
            "pending": _pending(session, pos),
            "fefo": shelf_life.fefo(session, me.tenant.id, pos.id),
            "recalls": notices_for_shop(session, pos),
            "form": form or {},
            "errors": errors or {},
            "message": message,
            "which": which,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/shops/{code}")
def shop_page(
    request: Request,
    code: str,
    session: SessionDep,
    me: CurrentUser,
    history: str = "",
) -> Response:
    _may_see_shops(me)
    return _shop_page(request, session, me, code, history=bool(history))


def _command(
    request: Request,
    session: SessionDep,
    me: PageUser,
    form: FormData,
    code: str,
    which: str,
    fields: tuple[str, ...],
    command: Callable[[dict[str, Any]], Any],
) -> Response:
    return form_command(
        request,
        session,
        me,
        form,
        permission="retail:write",
        which=which,
        fields=fields,
        command=command,
        again=lambda **kw: _shop_page(request, session, me, code, **kw),
        done=f"/shops/{code}",
        flash=t(lang_of(request), f"done_{which}"),
        status=422,
    )


@router.post("/shops/{code}/receive")
def receive(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    tz = me.tenant.timezone
    return _command(
        request,
        session,
        me,
        form,
        code,
        "receive",
        ("delivery_id", "quantity", "receiver", "at", "shelve"),
        lambda d: _receive(session, me, code, d, tz),
    )


def _receive(
    session: SessionDep, me: PageUser, code: str, d: dict[str, Any], tz: str
) -> None:
    stock = retail.receive(
        session,
        code,
        ReceiptCreate(
            delivery_id=d["delivery_id"] or "",
            quantity=d["quantity"] or 0,
            receiver=d["receiver"] or "",
            at=local_input(d["at"], tz),
        ),
        actor=me.actor,
    )
    if d["shelve"]:
        batch = batches.by_id(session, me.tenant.id, stock.batch_id)
        retail.shelve(
            session,
            code,
            ShelfCreate(batch=batch.code, at=local_input(d["at"], tz)),
            actor=me.actor,
        )


@router.post("/shops/{code}/shelve")
def shelve(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    return _command(
        request,
        session,
        me,
        form,
        code,
        "shelve",
        ("batch",),
        lambda d: retail.shelve(
            session, code, ShelfCreate(batch=d["batch"] or ""), actor=me.actor
        ),
    )


@router.post("/shops/{code}/sell")
def sell(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    return _command(
        request,
        session,
        me,
        form,
        code,
        "sell",
        ("unit", "batch", "quantity"),
        lambda d: retail.sell(
            session,
            code,
            SaleCreate(
                unit=d["unit"],
                batch=None if d["unit"] else d["batch"],
                quantity=1 if d["unit"] else d["quantity"] or 0,
            ),
            actor=me.actor,
        ),
    )


@router.post("/shops/{code}/remove")
def remove(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    return _command(
        request,
        session,
        me,
        form,
        code,
        "remove",
        ("batch", "quantity", "reason", "kind"),
        lambda d: retail.remove(
            session,
            code,
            RemovalCreate(
                batch=d["batch"] or "",
                quantity=d["quantity"] or 0,
                reason=d["reason"] or "",
            ),
            actor=me.actor,
            returned=d["kind"] == "return",
        ),
    )


def _count(value: Any, field: str) -> int:
    try:
        return int(value or 0)
    except ValueError:
        from bakeprint.errors import Invalid

        raise Invalid("请填写整数", "give a whole number", field=field) from None


@router.post("/shops/{code}/recall-pulled")
def recall_pulled(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    """The shop confirms how many units of a recalled batch it took down."""
    from bakeprint.recall import service as recalls

    return _command(
        request,
        session,
        me,
        form,
        code,
        "pull",
        ("recall", "batch", "pulled"),
        lambda d: recalls.confirm_pulled(
            session,
            d["recall"] or "",
            code,
            batch_code=d["batch"] or "",
            pulled=_count(d["pulled"], "pulled"),
            actor=me.actor,
        ),
    )

"""CLI: trips (`bakeprint trip …`), shops (`bakeprint pos …`), `bakeprint lookup`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import typer

from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    handle_errors,
    lang,
    print_rows,
)
from bakeprint.db import session_scope
from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import DeliveryCreate, LoadCreate, TripCreate
from bakeprint.logistics.views import trip_read
from bakeprint.packaging import service as packaging
from bakeprint.packaging import state as unit_state
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import (
    ReceiptCreate,
    RemovalCreate,
    SaleCreate,
    ShelfCreate,
)

trip_app = typer.Typer(no_args_is_help=True, help="Delivery trips.")
pos_app = typer.Typer(no_args_is_help=True, help="Points of sale: receive, sell…")
At = typer.Option(None, "--at", help="ISO time with offset (default: now).")


def _trip(
    code: str, as_json: bool, tenant: str | None, user: str | None, fn: object = None
) -> None:
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        if callable(fn):
            fn(s, actor)
        emit(trip_read(s, logistics.get_trip(s, actor.tenant_id, code)), as_json)


@trip_app.command("create")
@handle_errors
def create(
    vehicle: str = typer.Option(..., help="Vehicle code, e.g. VAN-2."),
    driver: str = "",
    departure: datetime | None = typer.Option(
        None, help="Planned departure (ISO with offset)."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan a trip; prints its code."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        trip = logistics.create_trip(
            s,
            TripCreate(vehicle=vehicle, driver=driver, planned_departure=departure),
            actor=actor,
        )
        emit(trip_read(s, trip), as_json)


@trip_app.command("load")
@handle_errors
def load(
    code: str,
    batch: str = typer.Option(...),
    qty: int = typer.Option(...),
    at: datetime | None = At,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load packed units of a batch onto the trip."""
    _trip(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: logistics.load(
            s, code, LoadCreate(batch=batch, quantity=qty, at=at), actor=a
        ),
    )


@trip_app.command("depart")
@handle_errors
def depart(
    code: str,
    at: datetime | None = At,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The vehicle leaves the kitchen."""
    _trip(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: logistics.depart(s, code, at=at, actor=a),
    )


@trip_app.command("deliver")
@handle_errors
def deliver(
    code: str,
    pos: str = typer.Option(..., "--pos"),
    batch: str = typer.Option(...),
    qty: int = typer.Option(...),
    at: datetime | None = At,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Drop units of a batch off at a point of sale."""
    _trip(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: logistics.deliver(
            s,
            code,
            DeliveryCreate(point_of_sale=pos, batch=batch, quantity=qty, at=at),
            actor=a,
        ),
    )


@trip_app.command("arrive")
@handle_errors
def arrive(
    code: str,
    at: datetime | None = At,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Back at the kitchen: undelivered units go back into stock."""
    _trip(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: logistics.arrive(s, code, at=at, actor=a),
    )


@trip_app.command("list")
@handle_errors
def list_(
    status: str | None = typer.Option(None, help="planned, departed or arrived."),
    vehicle: str | None = None,
    limit: int = 50,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Trips, newest first."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = [
            trip_read(s, t).model_dump(mode="json")
            for t in logistics.list_trips(
                s, actor.tenant_id, status=status, vehicle=vehicle, limit=limit
            )
        ]
    emit(
        rows,
        as_json,
        lambda d: print_rows(
            d, ["code", "vehicle", "status", "departed_at", "arrived_at"]
        ),
    )


@trip_app.command("show")
@handle_errors
def show(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """A trip with its loads, drops and cabin temperatures."""
    _trip(code, as_json, tenant, user)


def _pos(
    code: str, as_json: bool, tenant: str | None, user: str | None, fn: object
) -> None:
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        if callable(fn):
            fn(s, actor)
        pos = retail.shop(s, actor, code, write=False)
        rows = retail.stock_rows(s, actor.tenant_id, pos=pos)
        emit(
            rows,
            as_json,
            lambda d: print_rows(
                d,
                [
                    "batch",
                    "product",
                    "delivered",
                    "received",
                    "on_shelf",
                    "sold",
                    "wasted",
                    "returned",
                    "best_before",
                ],
            ),
        )


@pos_app.command("receive")
@handle_errors
def receive(
    code: str,
    delivery: uuid.UUID = typer.Option(...),
    qty: int = typer.Option(...),
    receiver: str = "",
    at: datetime | None = At,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Receive a delivery addressed to this shop."""
    _pos(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: retail.receive(
            s,
            code,
            ReceiptCreate(delivery_id=delivery, quantity=qty, receiver=receiver, at=at),
            actor=a,
        ),
    )


@pos_app.command("shelf")
@handle_errors
def shelf(
    code: str,
    batch: str = typer.Option(...),
    at: datetime | None = At,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put a received batch on the shelf."""
    _pos(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: retail.shelve(s, code, ShelfCreate(batch=batch, at=at), actor=a),
    )


@pos_app.command("sell")
@handle_errors
def sell(
    code: str,
    batch: str | None = None,
    qty: int = 1,
    unit: str | None = typer.Option(None, help="Scanned URI or serial."),
    at: datetime | None = At,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a sale (a scanned unit, or a quantity of a batch)."""
    _pos(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: retail.sell(
            s, code, SaleCreate(batch=batch, quantity=qty, unit=unit, at=at), actor=a
        ),
    )


@pos_app.command("waste")
@handle_errors
def waste(
    code: str,
    batch: str = typer.Option(...),
    qty: int = typer.Option(...),
    reason: str = typer.Option(...),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write off units with the reason."""
    _pos(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: retail.remove(
            s,
            code,
            RemovalCreate(batch=batch, quantity=qty, reason=reason),
            actor=a,
            returned=False,
        ),
    )


@pos_app.command("return")
@handle_errors
def return_(
    code: str,
    batch: str = typer.Option(...),
    qty: int = typer.Option(...),
    reason: str = typer.Option(...),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send units back to the bakery with the reason."""
    _pos(
        code,
        as_json,
        tenant,
        user,
        lambda s, a: retail.remove(
            s,
            code,
            RemovalCreate(batch=batch, quantity=qty, reason=reason),
            actor=a,
            returned=True,
        ),
    )


@pos_app.command("stock")
@handle_errors
def stock(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """What this shop has of each batch."""
    _pos(code, as_json, tenant, user, None)


def lookup(
    code: str = typer.Argument(
        ..., help="QR URI, element string, serial or batch code."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find the batch behind any code a package carries."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        found = packaging.lookup(s, code, tenant_id=actor.tenant_id)
        out: dict[str, Any] = {
            "batch": found.batch.code,
            "product": found.product.name_zh,
            "gtin": found.product.gtin,
            "status": found.batch.status,
            "best_before": found.batch.best_before,
            "unit": found.unit.serial if found.unit else None,
            "unit_number": found.unit.number if found.unit else None,
        }
        if found.unit is not None:
            st = unit_state.state_of(s, found.batch, found.unit).as_dict(lang())
            out |= {
                "unit_status": st["status"],
                "unit_scanned": st["scanned"],
                "unit_state": st["note"],
                "batch_distribution": st["batch_distribution"],
            }
    if as_json:
        emit(out, True)
        return
    dist = out.pop("batch_distribution", None)
    emit(out, False)
    if dist:
        keys = ("made", "in_kitchen", "loaded", "delivered", "sold", "wasted")
        console.print(
            "batch: " + ", ".join(f"{k} {dist[k]}" for k in keys), highlight=False
        )

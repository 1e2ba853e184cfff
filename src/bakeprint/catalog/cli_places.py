"""CLI: `bakeprint catalog equipment|locations|vehicles|points-of-sale …`."""

from __future__ import annotations

import typer

from bakeprint.catalog import service as catalog
from bakeprint.catalog.cli_common import SetActive, cleared, given, read_commands, write
from bakeprint.catalog.models import Equipment, Location, PointOfSale, Vehicle
from bakeprint.catalog.schemas import (
    EquipmentCreate,
    EquipmentUpdate,
    LocationCreate,
    LocationUpdate,
    PointOfSaleCreate,
    PointOfSaleUpdate,
    VehicleCreate,
    VehicleUpdate,
)
from bakeprint.cli_support import JsonOpt, TenantOpt, UserOpt, handle_errors

equipment = typer.Typer(no_args_is_help=True, help="Ovens, mixers, chillers…")
locations = typer.Typer(no_args_is_help=True, help="Kitchen zones, cold rooms…")
vehicles = typer.Typer(no_args_is_help=True, help="Delivery vehicles.")
points = typer.Typer(no_args_is_help=True, help="Cafés, shops, online shops.")

Name = typer.Option(None, "--name")
Gln = typer.Option(None, "--gln", help='13-digit GLN ("" clears).')


def register(app: typer.Typer) -> None:
    app.add_typer(equipment, name="equipment")
    app.add_typer(locations, name="locations")
    app.add_typer(vehicles, name="vehicles")
    app.add_typer(points, name="points-of-sale")


read_commands(
    equipment,
    Equipment,
    catalog.equipment_by_code,
    label="equipment",
    columns=["code", "name", "kind", "location", "active"],
)
read_commands(
    locations,
    Location,
    catalog.location_by_code,
    label="locations",
    columns=["code", "name", "kind", "gln", "active"],
)
read_commands(
    vehicles,
    Vehicle,
    catalog.vehicle_by_code,
    label="vehicles",
    columns=["code", "name", "plate", "refrigerated", "active"],
)
read_commands(
    points,
    PointOfSale,
    catalog.point_of_sale_by_code,
    label="points of sale",
    columns=["code", "name", "kind", "address", "active"],
)


@equipment.command("add")
@handle_errors
def equipment_add(
    code: str = typer.Argument(..., help="e.g. OVEN-3."),
    name: str = typer.Option(..., "--name", help="e.g. 3号烤箱."),
    kind: str = typer.Option(..., "--kind", help="oven, mixer, proofer, chiller…"),
    location: str | None = typer.Option(None, "--location", help="Location code."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a piece of equipment."""
    data = EquipmentCreate(code=code, name=name, kind=kind, location=location or None)
    write(
        tenant, user, lambda s, a: catalog.create_equipment(s, data, actor=a), as_json
    )


@equipment.command("update")
@handle_errors
def equipment_update(
    code: str,
    name: str | None = Name,
    kind: str | None = typer.Option(None, "--kind"),
    location: str | None = typer.Option(None, "--location", help='"" = none.'),
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename, move or deactivate a piece of equipment."""
    values = given(name=name, kind=kind, active=active) | cleared(location=location)
    data = EquipmentUpdate(**values)
    write(
        tenant,
        user,
        lambda s, a: catalog.update_equipment(s, code, data, actor=a),
        as_json,
    )


@locations.command("add")
@handle_errors
def location_add(
    code: str = typer.Argument(..., help="e.g. COLD-1."),
    name: str = typer.Option(..., "--name"),
    kind: str = typer.Option(..., "--kind", help="kitchen_zone, cold_room…"),
    gln: str | None = Gln,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a location."""
    data = LocationCreate(code=code, name=name, kind=kind, gln=gln or None)
    write(tenant, user, lambda s, a: catalog.create_location(s, data, actor=a), as_json)


@locations.command("update")
@handle_errors
def location_update(
    code: str,
    name: str | None = Name,
    kind: str | None = typer.Option(None, "--kind"),
    gln: str | None = Gln,
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename, re-classify or deactivate a location."""
    data = LocationUpdate(
        **(given(name=name, kind=kind, active=active) | cleared(gln=gln))
    )
    write(
        tenant,
        user,
        lambda s, a: catalog.update_location(s, code, data, actor=a),
        as_json,
    )


@vehicles.command("add")
@handle_errors
def vehicle_add(
    code: str = typer.Argument(..., help="e.g. VAN-2."),
    name: str = typer.Option(..., "--name", help="e.g. 2号车."),
    plate: str = typer.Option("", "--plate"),
    refrigerated: bool = typer.Option(True, "--refrigerated/--ambient"),
    emission: float = typer.Option(0.25, "--emission", help="kg CO2e per km."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a vehicle."""
    data = VehicleCreate(
        code=code,
        name=name,
        plate=plate,
        refrigerated=refrigerated,
        emission_kg_per_km=emission,
    )
    write(tenant, user, lambda s, a: catalog.create_vehicle(s, data, actor=a), as_json)


@vehicles.command("update")
@handle_errors
def vehicle_update(
    code: str,
    name: str | None = Name,
    plate: str | None = typer.Option(None, "--plate"),
    refrigerated: bool | None = typer.Option(None, "--refrigerated/--ambient"),
    emission: float | None = typer.Option(None, "--emission"),
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit a vehicle or deactivate it."""
    values = given(
        name=name,
        plate=plate,
        refrigerated=refrigerated,
        emission_kg_per_km=emission,
        active=active,
    )
    data = VehicleUpdate(**values)
    write(
        tenant,
        user,
        lambda s, a: catalog.update_vehicle(s, code, data, actor=a),
        as_json,
    )


WebhookUrl = typer.Option(
    None,
    "--webhook-url",
    help='Recall notices are POSTed here (a public http(s) address); "" clears.',
)
WebhookSecret = typer.Option(
    None,
    "--webhook-secret",
    envvar="BAKEPRINT_WEBHOOK_SECRET",
    help="Signs the notices (16+ characters); from the environment keeps it out "
    "of the shell history.",
)


@points.command("add")
@handle_errors
def point_add(
    code: str = typer.Argument(..., help="e.g. CITY-LIB."),
    name: str = typer.Option(..., "--name", help="e.g. 城市书房."),
    kind: str = typer.Option(..., "--kind", help="cafe, shop, online or other."),
    address: str = typer.Option("", "--address"),
    gln: str | None = Gln,
    distance_km: float | None = typer.Option(None, "--distance-km"),
    webhook_url: str | None = WebhookUrl,
    webhook_secret: str | None = WebhookSecret,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a point of sale."""
    data = PointOfSaleCreate(
        code=code,
        name=name,
        kind=kind,
        address=address,
        gln=gln or None,
        distance_km=distance_km,
        webhook_url=webhook_url or None,
        webhook_secret=webhook_secret or None,
    )
    write(
        tenant,
        user,
        lambda s, a: catalog.create_point_of_sale(s, data, actor=a),
        as_json,
    )


@points.command("update")
@handle_errors
def point_update(
    code: str,
    name: str | None = Name,
    kind: str | None = typer.Option(None, "--kind"),
    address: str | None = typer.Option(None, "--address"),
    gln: str | None = Gln,
    distance_km: float | None = typer.Option(None, "--distance-km"),
    webhook_url: str | None = WebhookUrl,
    webhook_secret: str | None = WebhookSecret,
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit a point of sale or deactivate it."""
    values = given(
        name=name, kind=kind, address=address, distance_km=distance_km, active=active
    ) | cleared(gln=gln, webhook_url=webhook_url, webhook_secret=webhook_secret)
    data = PointOfSaleUpdate(**values)
    write(
        tenant,
        user,
        lambda s, a: catalog.update_point_of_sale(s, code, data, actor=a),
        as_json,
    )

"""CLI: `bakeprint catalog material-types|suppliers|operators …`."""

from __future__ import annotations

from datetime import datetime

import typer

from bakeprint.catalog import service as catalog
from bakeprint.catalog.cli_common import (
    SetActive,
    cleared,
    given,
    read_commands,
    split,
    write,
)
from bakeprint.catalog.models import MaterialType, Operator, Supplier
from bakeprint.catalog.schemas import (
    MaterialTypeCreate,
    MaterialTypeUpdate,
    OperatorCreate,
    OperatorUpdate,
    SupplierCreate,
    SupplierUpdate,
)
from bakeprint.cli_support import JsonOpt, TenantOpt, UserOpt, handle_errors

materials = typer.Typer(no_args_is_help=True, help="Material types (FLOUR, CREAM…).")
suppliers = typer.Typer(no_args_is_help=True, help="Suppliers.")
operators = typer.Typer(no_args_is_help=True, help="Production operators.")

Allergens = typer.Option(
    None, "--allergens", help='Comma-separated, e.g. "gluten,milk" ("" = none).'
)
Day = typer.Option(None, "--approved-on", formats=["%Y-%m-%d"], help="YYYY-MM-DD.")
Login = typer.Option(
    None, "--login", help='The bakery user who is this operator ("" unlinks).'
)


def register(app: typer.Typer) -> None:
    app.add_typer(materials, name="material-types")
    app.add_typer(suppliers, name="suppliers")
    app.add_typer(operators, name="operators")


read_commands(
    materials,
    MaterialType,
    catalog.material_type_by_code,
    label="material types",
    columns=["code", "name_zh", "unit", "short_life", "allergens", "active"],
)
read_commands(
    suppliers,
    Supplier,
    catalog.supplier_by_code,
    label="suppliers",
    columns=["code", "name", "region", "approved_on", "active"],
)
read_commands(
    operators,
    Operator,
    catalog.operator_by_code,
    label="operators",
    columns=["code", "name", "username", "active"],
)


@materials.command("add")
@handle_errors
def material_add(
    code: str = typer.Argument(..., help="e.g. FLOUR."),
    name_zh: str = typer.Option(..., "--name-zh"),
    name_en: str = typer.Option("", "--name-en"),
    unit: str = typer.Option("kg", "--unit", help="kg, g, L, mL or pcs."),
    short_life: bool = typer.Option(False, "--short-life", help="Fresh cream, purée…"),
    allergens: str | None = Allergens,
    gtin: str | None = typer.Option(None, "--gtin"),
    origin_story_zh: str = typer.Option("", "--origin-story-zh"),
    origin_story_en: str = typer.Option("", "--origin-story-en"),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a material type."""
    data = MaterialTypeCreate(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        unit=unit,
        short_life=short_life,
        allergens=split(allergens) or [],
        gtin=gtin or None,
        origin_story_zh=origin_story_zh,
        origin_story_en=origin_story_en,
    )
    write(
        tenant,
        user,
        lambda s, a: catalog.create_material_type(s, data, actor=a),
        as_json,
    )


@materials.command("update")
@handle_errors
def material_update(
    code: str,
    name_zh: str | None = typer.Option(None, "--name-zh"),
    name_en: str | None = typer.Option(None, "--name-en"),
    unit: str | None = typer.Option(None, "--unit"),
    short_life: bool | None = typer.Option(None, "--short-life/--not-short-life"),
    allergens: str | None = Allergens,
    gtin: str | None = typer.Option(None, "--gtin", help="Only while none is set."),
    origin_story_zh: str | None = typer.Option(None, "--origin-story-zh"),
    origin_story_en: str | None = typer.Option(None, "--origin-story-en"),
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit a material type: names, unit, allergens, origin stories."""
    values = given(
        name_zh=name_zh,
        name_en=name_en,
        unit=unit,
        short_life=short_life,
        allergens=split(allergens),
        origin_story_zh=origin_story_zh,
        origin_story_en=origin_story_en,
        active=active,
    ) | cleared(gtin=gtin)
    data = MaterialTypeUpdate(**values)
    write(
        tenant,
        user,
        lambda s, a: catalog.update_material_type(s, code, data, actor=a),
        as_json,
    )


@suppliers.command("add")
@handle_errors
def supplier_add(
    code: str = typer.Argument(..., help="e.g. B."),
    name: str = typer.Option(..., "--name"),
    region: str = typer.Option("", "--region"),
    contact: str = typer.Option("", "--contact"),
    approved_on: datetime | None = Day,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a supplier."""
    data = SupplierCreate(
        code=code,
        name=name,
        region=region,
        contact=contact,
        approved_on=approved_on.date() if approved_on else None,
    )
    write(tenant, user, lambda s, a: catalog.create_supplier(s, data, actor=a), as_json)


@suppliers.command("update")
@handle_errors
def supplier_update(
    code: str,
    name: str | None = typer.Option(None, "--name"),
    region: str | None = typer.Option(None, "--region"),
    contact: str | None = typer.Option(None, "--contact"),
    approved_on: datetime | None = Day,
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit a supplier or deactivate it."""
    values = given(
        name=name,
        region=region,
        contact=contact,
        approved_on=approved_on.date() if approved_on else None,
        active=active,
    )
    data = SupplierUpdate(**values)
    write(
        tenant,
        user,
        lambda s, a: catalog.update_supplier(s, code, data, actor=a),
        as_json,
    )


@operators.command("add")
@handle_errors
def operator_add(
    code: str = typer.Argument(..., help="e.g. WANG-03."),
    name: str = typer.Option(..., "--name"),
    login: str | None = Login,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an operator, optionally linked to a bakery user."""
    data = OperatorCreate(code=code, name=name, username=login or None)
    write(tenant, user, lambda s, a: catalog.create_operator(s, data, actor=a), as_json)


@operators.command("update")
@handle_errors
def operator_update(
    code: str,
    name: str | None = typer.Option(None, "--name"),
    login: str | None = Login,
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename, (un)link or deactivate an operator."""
    data = OperatorUpdate(**(given(name=name, active=active) | cleared(username=login)))
    write(
        tenant,
        user,
        lambda s, a: catalog.update_operator(s, code, data, actor=a),
        as_json,
    )

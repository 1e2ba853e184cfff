"""CLI: `bakeprint catalog variants …` (recipe variants of a product)."""

from __future__ import annotations

import typer
from sqlalchemy.orm import Session

from bakeprint.catalog import service as catalog
from bakeprint.catalog import views
from bakeprint.catalog.cli_common import Active, SetActive, given, listing, show, write
from bakeprint.catalog.models import RecipeVariant
from bakeprint.catalog.schemas import VariantCreate, VariantRead, VariantUpdate
from bakeprint.cli_support import JsonOpt, TenantOpt, UserOpt, handle_errors
from bakeprint.identity.service import Actor

variants = typer.Typer(no_args_is_help=True, help="Recipe variants (F1, F2…).")


def register(app: typer.Typer) -> None:
    app.add_typer(variants, name="variants")


@variants.command("add")
@handle_errors
def variant_add(
    gtin: str = typer.Argument(..., help="Product GTIN."),
    code: str = typer.Argument(..., help="F and 1–2 digits, e.g. F1."),
    temp: float = typer.Option(..., "--temp", help="Target oven °C (80–320)."),
    minutes: float = typer.Option(..., "--minutes", help="Target bake minutes."),
    temp_tolerance: float = typer.Option(2.0, "--temp-tolerance"),
    minutes_tolerance: float = typer.Option(1.0, "--minutes-tolerance"),
    name: str = typer.Option("", "--name"),
    notes: str = typer.Option("", "--notes"),
    base: bool = typer.Option(
        False, "--base", help="The standard recipe: its batch codes get no -Fn."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a recipe variant to a product."""
    data = VariantCreate(
        code=code,
        name=name,
        target_oven_temp_c=temp,
        oven_temp_tolerance_c=temp_tolerance,
        target_bake_minutes=minutes,
        bake_minutes_tolerance=minutes_tolerance,
        notes=notes,
        is_base=base,
    )
    write(
        tenant,
        user,
        lambda s, a: catalog.create_variant(s, gtin, data, actor=a),
        as_json,
    )


@variants.command("list")
@handle_errors
def variant_list(
    gtin: str,
    active: bool | None = Active,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List a product's recipe variants."""

    def rows(s: Session, a: Actor) -> list[VariantRead]:
        product = catalog.product_by_gtin(s, a.tenant_id, gtin)
        found = catalog.list_variants(s, gtin, actor=a, active=active)
        return views.variants(s, product, found)

    listing(
        tenant,
        user,
        rows,
        as_json,
        ["code", "name", "target_oven_temp_c", "target_bake_minutes", "active"],
    )


@variants.command("show")
@handle_errors
def variant_show(
    gtin: str,
    code: str,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one recipe variant."""

    def row(s: Session, a: Actor) -> RecipeVariant:
        product = catalog.product_by_gtin(s, a.tenant_id, gtin)
        return catalog.variant(s, a.tenant_id, product.id, code)

    show(tenant, user, row, as_json)


@variants.command("update")
@handle_errors
def variant_update(
    gtin: str,
    code: str,
    temp: float | None = typer.Option(None, "--temp"),
    minutes: float | None = typer.Option(None, "--minutes"),
    temp_tolerance: float | None = typer.Option(None, "--temp-tolerance"),
    minutes_tolerance: float | None = typer.Option(None, "--minutes-tolerance"),
    name: str | None = typer.Option(None, "--name"),
    notes: str | None = typer.Option(None, "--notes"),
    active: bool | None = SetActive,
    base: bool | None = typer.Option(
        None, "--base", help="Make it the standard recipe."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a variant's targets or notes, or retire it (--inactive)."""
    values = given(
        target_oven_temp_c=temp,
        target_bake_minutes=minutes,
        oven_temp_tolerance_c=temp_tolerance,
        bake_minutes_tolerance=minutes_tolerance,
        name=name,
        notes=notes,
        active=active,
        is_base=base,
    )
    data = VariantUpdate(**values)
    write(
        tenant,
        user,
        lambda s, a: catalog.update_variant(s, gtin, code, data, actor=a),
        as_json,
    )

"""CLI: `bakeprint catalog product-lines|products …`."""

from __future__ import annotations

import typer
from sqlalchemy.orm import Session

from bakeprint.catalog import service as catalog
from bakeprint.catalog import views
from bakeprint.catalog.cli_common import (
    Active,
    SetActive,
    given,
    listing,
    show,
    split,
    write,
)
from bakeprint.catalog.schemas import (
    ProductCreate,
    ProductLineCreate,
    ProductLineUpdate,
    ProductRead,
    ProductUpdate,
)
from bakeprint.cli_support import JsonOpt, TenantOpt, UserOpt, handle_errors
from bakeprint.identity.service import Actor

lines = typer.Typer(no_args_is_help=True, help="Product lines (two letters, e.g. SS).")
products = typer.Typer(no_args_is_help=True, help="Products, keyed by GTIN.")


def register(app: typer.Typer) -> None:
    app.add_typer(lines, name="product-lines")
    app.add_typer(products, name="products")


Allergens = typer.Option(
    None, "--allergens", help='Comma-separated, e.g. "gluten,milk" ("" = none).'
)


# --- product lines ---------------------------------------------------------------


@lines.command("add")
@handle_errors
def line_add(
    code: str = typer.Argument(..., help="Two letters A–Z, e.g. SS."),
    name_zh: str = typer.Option(..., "--name-zh"),
    name_en: str = typer.Option("", "--name-en"),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a product line."""
    data = ProductLineCreate(code=code, name_zh=name_zh, name_en=name_en)
    write(tenant, user, lambda s, a: catalog.create_line(s, data, actor=a), as_json)


@lines.command("list")
@handle_errors
def line_list(
    active: bool | None = Active,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List product lines."""
    listing(
        tenant,
        user,
        lambda s, a: views.plain(catalog.list_lines(s, actor=a, active=active)),
        as_json,
        ["code", "name_zh", "name_en", "active"],
    )


@lines.command("show")
@handle_errors
def line_show(
    code: str,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one product line."""
    show(tenant, user, lambda s, a: catalog.line_by_code(s, a.tenant_id, code), as_json)


@lines.command("update")
@handle_errors
def line_update(
    code: str,
    name_zh: str | None = typer.Option(None, "--name-zh"),
    name_en: str | None = typer.Option(None, "--name-en"),
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename or (de)activate a product line (its code never changes)."""
    data = ProductLineUpdate(**given(name_zh=name_zh, name_en=name_en, active=active))
    write(
        tenant, user, lambda s, a: catalog.update_line(s, code, data, actor=a), as_json
    )


# --- products -----------------------------------------------------------------------


@products.command("add")
@handle_errors
def product_add(
    gtin: str = typer.Argument(..., help="GTIN-8/12/13/14."),
    line: str = typer.Option(..., "--line", help="Product line code."),
    name_zh: str = typer.Option(..., "--name-zh"),
    category: str = typer.Option(..., "--category", help="e.g. 酥皮类."),
    shelf_life_days: int = typer.Option(..., "--shelf-life", help="Days, 1–60."),
    name_en: str = typer.Option("", "--name-en"),
    allergens: str | None = Allergens,
    unit_weight_g: float | None = typer.Option(None, "--unit-weight-g"),
    story_zh: str = typer.Option("", "--story-zh"),
    story_en: str = typer.Option("", "--story-en"),
    limited_edition_size: int | None = typer.Option(None, "--limited-edition"),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a product."""
    data = ProductCreate(
        gtin=gtin,
        line=line,
        name_zh=name_zh,
        name_en=name_en,
        category=category,
        shelf_life_days=shelf_life_days,
        allergens=split(allergens) or [],
        unit_weight_g=unit_weight_g,
        story_zh=story_zh,
        story_en=story_en,
        limited_edition_size=limited_edition_size,
    )
    write(tenant, user, lambda s, a: catalog.create_product(s, data, actor=a), as_json)


@products.command("list")
@handle_errors
def product_list(
    line: str | None = typer.Option(None, "--line"),
    active: bool | None = Active,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List products."""

    def rows(s: Session, a: Actor) -> list[ProductRead]:
        found = catalog.list_products(s, actor=a, line=line, active=active)
        return views.products(s, found)

    listing(
        tenant,
        user,
        rows,
        as_json,
        ["gtin", "line", "name_zh", "category", "shelf_life_days", "active"],
    )


@products.command("show")
@handle_errors
def product_show(
    gtin: str,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one product."""
    show(
        tenant,
        user,
        lambda s, a: catalog.product_by_gtin(s, a.tenant_id, gtin),
        as_json,
    )


@products.command("update")
@handle_errors
def product_update(
    gtin: str,
    name_zh: str | None = typer.Option(None, "--name-zh"),
    name_en: str | None = typer.Option(None, "--name-en"),
    category: str | None = typer.Option(None, "--category"),
    shelf_life_days: int | None = typer.Option(None, "--shelf-life"),
    allergens: str | None = Allergens,
    unit_weight_g: float | None = typer.Option(None, "--unit-weight-g"),
    story_zh: str | None = typer.Option(None, "--story-zh"),
    story_en: str | None = typer.Option(None, "--story-en"),
    limited_edition_size: int | None = typer.Option(None, "--limited-edition"),
    active: bool | None = SetActive,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit a product (GTIN and line never change)."""
    values = given(
        name_zh=name_zh,
        name_en=name_en,
        category=category,
        shelf_life_days=shelf_life_days,
        unit_weight_g=unit_weight_g,
        limited_edition_size=limited_edition_size,
        active=active,
    )
    # Stories may be emptied on purpose; "" is a value here, not "clear".
    values |= {
        k: v
        for k, v in (("story_zh", story_zh), ("story_en", story_en))
        if v is not None
    }
    if allergens is not None:
        values["allergens"] = split(allergens)
    data = ProductUpdate(**values)
    write(
        tenant,
        user,
        lambda s, a: catalog.update_product(s, gtin, data, actor=a),
        as_json,
    )

"""CLI: master data (`bakeprint catalog <kind> add|list|show|update`).

Each command is one transaction and takes --json, --tenant and --user: a refused
input writes nothing and prints one line on stderr (exit 2 for bad input).
"""

from __future__ import annotations

import typer

from bakeprint.catalog import (
    cli_places,
    cli_products,
    cli_resources,
    cli_variants,
    views,
)
from bakeprint.cli_support import JsonOpt, emit, handle_errors

app = typer.Typer(no_args_is_help=True, help="Master data.")
cli_products.register(app)
cli_variants.register(app)
cli_resources.register(app)
cli_places.register(app)


@app.command("allergens")
@handle_errors
def allergens(as_json: JsonOpt = False) -> None:
    """The allergen vocabulary (codes with zh and en names)."""
    emit([a.model_dump() for a in views.allergen_list()], as_json)

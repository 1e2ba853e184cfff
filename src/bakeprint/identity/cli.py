"""CLI: bakeries, users, API tokens."""

from __future__ import annotations

import typer

from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    handle_errors,
    print_rows,
    resolve_tenant,
)
from bakeprint.db import session_scope
from bakeprint.identity import service as identity

tenant_app = typer.Typer(help="Bakeries (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@tenant_app.command("create")
@handle_errors
def tenant_create(
    slug: str = typer.Argument(..., help="Bakery code, e.g. shiguang."),
    name: str = typer.Option(..., "--name", help="Display name, e.g. 时光印记."),
    owner: str = typer.Option("owner", help="User name of the first owner."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, help="The owner's password (8+ characters)."
    ),
    timezone: str = typer.Option("Asia/Shanghai", help="IANA time zone."),
    as_json: JsonOpt = False,
) -> None:
    """Create a bakery with its first owner."""
    with session_scope() as session:
        t = identity.create_tenant(session, slug=slug, name=name, timezone=timezone)
        u = identity.create_user(
            session,
            t.id,
            username=owner,
            display_name=owner,
            roles=["owner"],
            password=password,
        )
        data = {"tenant_id": t.id, "slug": t.slug, "owner": u.username}
    emit(data, as_json)


@tenant_app.command("list")
@handle_errors
def tenant_list(as_json: JsonOpt = False) -> None:
    """List bakeries in this database."""
    from sqlalchemy import select

    from bakeprint.identity.models import Tenant

    with session_scope(write=False) as session:
        rows = [
            {"slug": t.slug, "name": t.name, "timezone": t.timezone, "id": t.id}
            for t in session.scalars(select(Tenant))
        ]
    emit(rows, as_json, print_rows)


@user_app.command("create")
@handle_errors
def user_create(
    username: str = typer.Argument(...),
    role: list[str] = typer.Option(
        ...,
        "--role",
        help="owner, production, qc, logistics, store, supplier or auditor.",
    ),
    display_name: str = typer.Option("", "--name"),
    password: str | None = typer.Option(None, help="For the web login."),
    tenant: TenantOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user to a bakery."""
    with session_scope() as session:
        t = resolve_tenant(session, tenant)
        u = identity.create_user(
            session,
            t.id,
            username=username,
            display_name=display_name or username,
            roles=role,
            password=password,
        )
        data = {"id": u.id, "username": u.username, "roles": u.roles}
    emit(data, as_json)


@token_app.command("issue")
@handle_errors
def token_issue(
    name: str = typer.Option("cli", help="What the token is for."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue an API token for a user (printed once)."""
    with session_scope() as session:
        actor = cli_actor(session, tenant, user)
        u = identity.user_by_id(session, actor.tenant_id, actor.user_id)
        secret = identity.issue_token(session, u, name=name)
    if as_json:
        emit({"token": secret, "user": actor.username}, True)
    else:
        console.print(secret)

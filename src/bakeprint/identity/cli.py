"""CLI: bakeries, users, API tokens."""

from __future__ import annotations

from datetime import timedelta

import typer
from sqlalchemy.orm import Session

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    handle_errors,
    print_rows,
)
from bakeprint.db import session_scope, utcnow
from bakeprint.errors import NotFound
from bakeprint.identity import admin
from bakeprint.identity import repository as tenants
from bakeprint.identity import service as identity
from bakeprint.identity.service import Actor

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
    with session_scope(write=False) as session:
        rows = [
            {"slug": t.slug, "name": t.name, "timezone": t.timezone, "id": t.id}
            for t in tenants.all_(session)
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
    shop: str | None = typer.Option(
        None, "--shop", help="A store user's shop (code): they act only there."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user to a bakery."""
    with session_scope() as session:
        actor = _admin(session, tenant, user)
        u = admin.add_user(
            session,
            actor,
            username=username,
            display_name=display_name or username,
            roles=role,
            password=password,
            point_of_sale=shop,
        )
        data = {"id": u.id, "username": u.username, "roles": u.roles, "shop": shop}
    emit(data, as_json)


@user_app.command("list")
@handle_errors
def user_list(
    tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """The bakery's users: roles, shop, whether active."""
    with session_scope(write=False) as session:
        actor = _admin(session, tenant, user)
        shops = {
            p.id: p.code for p in catalog.rows(session, PointOfSale, actor.tenant_id)
        }
        rows = [
            {
                "username": u.username,
                "name": u.display_name,
                "roles": ",".join(u.roles),
                "shop": shops.get(u.point_of_sale_id) if u.point_of_sale_id else None,
                "active": u.active,
            }
            for u in tenants.users(session, actor.tenant_id)
        ]
    emit(rows, as_json, print_rows)


@user_app.command("update")
@handle_errors
def user_update(
    username: str = typer.Argument(...),
    shop: str | None = typer.Option(None, "--shop", help="Tie to this shop (code)."),
    no_shop: bool = typer.Option(False, "--no-shop", help="Untie from any shop."),
    display_name: str | None = typer.Option(None, "--name"),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a user's shop or display name."""
    changes: dict[str, object] = {}
    if shop or no_shop:
        changes["point_of_sale"] = None if no_shop else shop
    if display_name:
        changes["display_name"] = display_name
    with session_scope() as session:
        actor = _admin(session, tenant, user)
        u = admin.update_user(session, actor, username, changes)
        data = {"username": u.username, **changes}
    emit(data, as_json)


@user_app.command("deactivate")
@handle_errors
def user_deactivate(
    username: str = typer.Argument(...),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Deactivate a user: their tokens and web logins stop at once."""
    with session_scope() as session:
        u = admin.deactivate(session, _admin(session, tenant, user), username)
        data = {"username": u.username, "active": u.active}
    emit(data, as_json)


@user_app.command("activate")
@handle_errors
def user_activate(
    username: str = typer.Argument(...),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Let a deactivated user log in again (their old tokens stay revoked)."""
    with session_scope() as session:
        u = admin.activate(session, _admin(session, tenant, user), username)
        data = {"username": u.username, "active": u.active}
    emit(data, as_json)


@user_app.command("password")
@handle_errors
def user_password(
    username: str = typer.Argument(...),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a user's password; their web logins end."""
    with session_scope() as session:
        admin.set_password(session, _admin(session, tenant, user), username, password)
    emit({"username": username, "password": "set"}, as_json)


def _admin(session: Session, tenant: str | None, user: str | None) -> Actor:
    actor = cli_actor(session, tenant, user)
    actor.require("users:admin")
    return actor


@token_app.command("issue")
@handle_errors
def token_issue(
    name: str = typer.Option("cli", help="What the token is for."),
    days: float | None = typer.Option(
        None, "--days", min=0.001, help="Expires after this many days."
    ),
    role: list[str] | None = typer.Option(
        None, "--role", help="Only these of the user's roles (repeat)."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue an API token for a user (printed once; only its hash is kept)."""
    expires = utcnow() + timedelta(days=days) if days else None
    with session_scope() as session:
        actor = cli_actor(session, tenant, user)
        secret, token = admin.mint(
            session, actor, name=name, expires_at=expires, roles=role or None
        )
        data = {"token": secret, "id": token.id, "user": actor.username}
    if as_json:
        emit(data, True)
    else:
        console.print(secret)


@token_app.command("list")
@handle_errors
def token_list(
    of: str | None = typer.Option(None, "--of", help="Only this user's tokens."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """API tokens (never their secrets): id, user, status, expiry."""
    with session_scope(write=False) as session:
        rows = admin.tokens(session, cli_actor(session, tenant, user), username=of)
    emit(
        rows,
        as_json,
        lambda r: print_rows(
            r, ["id", "username", "name", "prefix", "status", "expires_at"]
        ),
    )


@token_app.command("revoke")
@handle_errors
def token_revoke(
    token_id: str = typer.Argument(
        ..., help="The token's id, or its first characters (token list)."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a token; tokens it issued stop with it."""
    with session_scope() as session:
        actor = cli_actor(session, tenant, user)
        wanted = token_id.strip().lower()
        found = [
            t["id"]
            for t in admin.tokens(session, actor)
            if str(t["id"]).startswith(wanted)
        ]
        if len(found) != 1 or len(wanted) < 4:
            raise NotFound(
                f"没有唯一的令牌以 {token_id} 开头：请给出更多字符"
                "（bakeprint token list）",
                f"no single token's id starts with {token_id}: give more of it "
                "(bakeprint token list)",
            )
        token = admin.revoke_token(session, actor, found[0])
        data = {"id": token.id, "revoked_at": token.revoked_at}
    emit(data, as_json)

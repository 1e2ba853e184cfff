"""CLI: level-2/3 alerts, QC tasks, thresholds and hazards (`bakeprint qc …`,
on the QC sub-app where people look for them)."""

from __future__ import annotations

import uuid
from typing import Any

import typer

from bakeprint.alerts import attention
from bakeprint.alerts.endpoints import alert_view, task_views
from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    emit,
    handle_errors,
    lang,
)
from bakeprint.db import session_scope
from bakeprint.errors import Invalid
from bakeprint.quality.cli import app as qc_app
from bakeprint.trace import scope
from bakeprint.web.texts import TEXTS

STATUS_WORDS = {"open": ("待处理", "open"), "acknowledged": ("已确认", "acknowledged")}


def _words(pair: tuple[str, str] | None, fallback: str, language: str) -> str:
    if pair is None:
        return fallback
    return pair[1] if language == "en" else pair[0]


def _for_people(alert: dict[str, Any], language: str) -> dict[str, Any]:
    """One alert as a table row: its cause and status in words, its batches
    one per line (codes are never cut)."""
    cause = alert["cause"]
    return {
        "id": alert["id"],
        "level": alert["level"],
        "cause": _words(TEXTS.get(f"cause_{cause}"), cause, language),
        "batches": "\n".join(alert["batches"]),
        "status": _words(STATUS_WORDS.get(alert["status"]), alert["status"], language),
        "recall": alert["recall"],
    }


def _id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Invalid(f"{text} 不是有效的编号", f"{text} is not a valid id") from None


@qc_app.command("alerts")
@handle_errors
def alerts_cmd(
    status: str | None = typer.Option("open", help="open, acknowledged, or all."),
    level: int | None = typer.Option(None, min=2, max=3),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Level-2 and level-3 alerts on batches."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = attention.alerts(
            s, actor.tenant_id, status=None if status == "all" else status, level=level
        )
        data = [alert_view(s, a).model_dump(mode="json") for a in rows]
    language = lang()
    emit(data if as_json else [_for_people(a, language) for a in data], as_json)


@qc_app.command("ack")
@handle_errors
def ack_cmd(
    alert_id: str,
    note: str = "",
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Acknowledge a level-2/3 alert."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        a = attention.acknowledge(s, _id(alert_id), note=note, actor=actor)
        data = alert_view(s, a)
    emit(data, as_json)


@qc_app.command("tasks")
@handle_errors
def tasks_cmd(
    all_: bool = typer.Option(False, "--all", help="Done ones too."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """QC's open tasks: batches to sample more, complaints to verify."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = task_views(
            s, attention.tasks(s, actor.tenant_id, status=None if all_ else "open")
        )
    emit([r.model_dump(mode="json") for r in rows], as_json)


@qc_app.command("task-done")
@handle_errors
def task_done_cmd(
    task_id: str,
    result: str = typer.Option(..., help="What the sampling found."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        task = attention.complete_task(s, _id(task_id), result=result, actor=actor)
        data = task_views(s, [task])[0]
    emit(data, as_json)


@qc_app.command("settings")
@handle_errors
def settings_cmd(
    minor_anomalies: int | None = typer.Option(
        None, help="Minor anomalies in one batch that make it level 2."
    ),
    sampling: float | None = typer.Option(
        None, help="Sampling rate of a batch that needs attention, e.g. 0.1."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or change the alert thresholds."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        if minor_anomalies is None and sampling is None:
            th = attention.thresholds(s, actor.tenant_id)
        else:
            actor.require("quality:write")
            th = attention.set_thresholds(
                s,
                minor_anomalies=minor_anomalies,
                raised_sampling_rate=sampling,
                actor=actor,
            )
    emit(vars(th), as_json)


@qc_app.command("hazard")
@handle_errors
def hazard_cmd(
    description: str = typer.Option(..., help="What was confirmed, by whom."),
    lot: str | None = None,
    supplier: str | None = None,
    start: str | None = typer.Option(None, "--from"),
    end: str | None = typer.Option(None, "--to"),
    production_session: str | None = typer.Option(None, "--session"),
    equipment: str | None = None,
    batch: str | None = None,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A confirmed hazard: level 3 — the impact report and a recall draft."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        actor.require("quality:write")
        crit = scope.Criteria.model_validate(
            {
                "lot": lot,
                "supplier": supplier,
                "start": start,
                "end": end,
                "session": production_session,
                "equipment": equipment,
                "batch": batch,
            }
        )
        a = attention.confirm_hazard(s, crit, description=description, actor=actor)
        data = alert_view(s, a)
    emit(data, as_json)

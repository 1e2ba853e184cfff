"""Pages: material lots list, lot record, intake form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import Location, MaterialType, Supplier
from bakeprint.deps import FormDep, SessionDep
from bakeprint.materials import repository as lots
from bakeprint.materials import service as materials
from bakeprint.materials import views
from bakeprint.materials.schemas import LotCreate
from bakeprint.storage import service as storage
from bakeprint.web.auth import CurrentUser, check_csrf, csrf_token
from bakeprint.web.forms import FormErrors, opt, run
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


def _choices(session: SessionDep, tenant_id: Any) -> dict[str, Any]:
    def rows(model: Any) -> list[Any]:
        return catalog.rows(session, model, tenant_id)

    return {
        "materials": rows(MaterialType),
        "suppliers": rows(Supplier),
        "locations": rows(Location),
    }


@router.get("/lots")
def list_page(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    qc: str = "",
    available: str = "",
) -> Response:
    me.require("read")
    rows = lots.search(
        session,
        me.tenant.id,
        qc_result=qc or None,
        available=True if available else None,
        limit=300,
    )
    return render(
        request,
        "materials/list.html",
        {
            "me": me,
            "rows": [views.lot(session, r) for r in rows],
            "qc": qc,
            "available": available,
            "csrf": csrf_token(request),
        },
    )


@router.get("/lots/new")
def new_form(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    me.require("materials:write")
    from bakeprint.materials import incoming

    # an announced lot (a supplier's EPCIS shipping event) fills the form in
    keys = ("material", "supplier", "supplier_lot", "quantity", "unit", "expires_on")
    form = {k: request.query_params[k] for k in keys if k in request.query_params}
    return render(
        request,
        "materials/new.html",
        {
            "me": me,
            "csrf": csrf_token(request),
            "form": form,
            "errors": {},
            "announced": [
                a
                for a in incoming.pending(session, me.tenant.id)
                if a["status"] == "announced"
            ],
            **_choices(session, me.tenant.id),
        },
    )


@router.post("/lots/new")
def intake(
    request: Request, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("materials:write")
    check_csrf(request, form)
    data: dict[str, Any] = {
        k: opt(form.get(k))
        for k in (
            "material",
            "supplier",
            "supplier_lot",
            "quantity",
            "unit",
            "expires_on",
            "qc_result",
            "quality_score",
            "location",
        )
    }
    data["notes"] = str(form.get("notes", ""))
    upload = form.get("report")

    def command() -> Any:
        file_id = None
        if isinstance(upload, UploadFile) and upload.filename:
            raw = upload.file.read()
            file_id = storage.save(session, me.tenant.id, raw, upload.filename).id
        return materials.receive(
            session,
            LotCreate(
                **{k: v for k, v in data.items() if v is not None},
                qc_report_file_id=file_id,
            ),
            actor=me.actor,
        )

    try:
        lot = run(request, session, command)
    except FormErrors as exc:
        errors = dict(exc.errors)
        if "file" in errors:
            errors["report"] = errors.pop("file")
        return render(
            request,
            "materials/new.html",
            {
                "me": me,
                "csrf": csrf_token(request),
                "form": data,
                "errors": errors,
                "message": exc.message,
                **_choices(session, me.tenant.id),
            },
            status_code=422,
        )
    request.session["flash"] = t(lang_of(request), "saved_what", what=lot.code)
    return RedirectResponse(f"/lots/{lot.code}", status_code=303)


@router.get("/lots/{code}")
def detail(
    request: Request, code: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    lot = views.lot(
        session, lots.get_by_code(session, me.tenant.id, code), with_batches=True
    )
    return render(
        request,
        "materials/detail.html",
        {"me": me, "l": lot, "csrf": csrf_token(request)},
    )

"""Write helpers every master-data kind shares: unique inserts and patches."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bakeprint.catalog.schemas import Patch
from bakeprint.errors import Conflict, Invalid

T = TypeVar("T")


def duplicate(kind_zh: str, kind_en: str, key: str, *, field: str) -> Conflict:
    what_zh = "GTIN" if field == "gtin" else "代码"
    what_en = "GTIN" if field == "gtin" else "code"
    return Conflict(
        f"{kind_zh}{what_zh} {key} 已存在：请换一个，或修改已有的那条",
        f"a {kind_en} with {what_en} {key} already exists: choose another or edit "
        "the existing one",
        field=field,
        details={"duplicate": key},
    )


def insert(session: Session, row: T, *, duplicate_error: Conflict) -> T:
    """Add and flush ``row`` in a savepoint.

    The caller has already looked for the key; this catches the one case that
    look-up cannot, another request inserting the same key at the same moment,
    and answers it with the same 409 instead of a server error.
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise duplicate_error from None
    return row


def changes(data: Patch, *, kind_zh: str, kind_en: str) -> dict[str, Any]:
    """The fields a PATCH sets, after refusing keys that may not change."""
    extra = dict(data.model_extra or {})
    fixed = [k for k in extra if k in data.IMMUTABLE]
    if fixed:
        key = fixed[0]
        raise Invalid(
            f"{kind_zh}的 {key} 创建后不能修改：请新建一条，再把旧的停用"
            f"（active=false）",
            f"a {kind_en}'s {key} cannot change after creation: create a new one "
            "and deactivate the old one (active=false)",
            field=key,
        )
    if extra:
        allowed = ", ".join(type(data).model_fields)
        unknown = ", ".join(extra)
        raise Invalid(
            f"{kind_zh}没有可修改的字段 {unknown}；可修改：{allowed}",
            f"a {kind_en} has no editable field {unknown}; editable: {allowed}",
            field=next(iter(extra)),
        )
    out = data.model_dump(exclude_unset=True)
    for key, value in out.items():
        if value is None and key not in data.NULLABLE:
            raise Invalid(
                f"{key} 不能为空：不改就不要传这个字段",
                f"{key} cannot be null: leave it out to keep the current value",
                field=key,
            )
    return out


def apply(session: Session, row: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()

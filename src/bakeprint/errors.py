"""Domain errors: each carries its HTTP status and a message in zh-CN and en.

Services raise these; the API turns them into JSON (language chosen by
``Accept-Language``), the CLI into one readable line and a non-zero exit.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BakeprintError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "error"
    headers: dict[str, str]  # extra HTTP response headers (Retry-After…)

    def __init__(
        self,
        zh: str,
        en: str | None = None,
        *,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(en or zh)
        self.zh = zh
        self.en = en or zh
        self.field = field
        self.details = details or {}
        self.headers = {}

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "message": self.message(lang),
            "message_zh": self.zh,
            "message_en": self.en,
        }
        if self.field:
            out["field"] = self.field
        if self.details:
            out["details"] = self.details
        return out


class Invalid(BakeprintError):
    status = 422
    code = "invalid"


class NotFound(BakeprintError):
    status = 404
    code = "not_found"


class Conflict(BakeprintError):
    status = 409
    code = "conflict"


class Unauthorized(BakeprintError):
    status = 401
    code = "unauthorized"


class Forbidden(BakeprintError):
    status = 403
    code = "forbidden"


class TooLarge(BakeprintError):
    status = 413
    code = "too_large"


class Unavailable(BakeprintError):
    """The database cannot do what was asked right now (down, read-only, full)."""

    status = 503
    code = "database_unavailable"


def database_problem(exc: BaseException) -> Unavailable:
    """A database error a bakery owner can act on; nothing was written."""
    orig = getattr(exc, "orig", exc)
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    if "no such table" in first or ("does not exist" in first and "relation" in first):
        zh, en = (
            "数据库还没有初始化：请先运行 bakeprint db upgrade",
            "the database has no schema yet: run `bakeprint db upgrade` first",
        )
    elif "readonly" in first or "read-only" in first:
        zh, en = (
            "数据库只读，未保存任何内容",
            "the database is read-only: nothing was saved",
        )
    elif ("disk" in first and "full" in first) or "No space left" in first:
        zh, en = "磁盘已满，未保存任何内容", "the disk is full: nothing was saved"
    elif (
        "could not connect" in first
        or "Connection refused" in first
        or "terminat" in first
        or "server closed the connection" in first
        or "connection" in first.lower()
    ):
        zh, en = (
            "暂时连不上数据库，请稍后重试",
            "cannot reach the database: try again shortly",
        )
    else:
        zh, en = (
            "数据库暂时不可用，请稍后重试",
            "the database is unavailable: try again shortly",
        )
    err = Unavailable(f"{zh}（{first}）", f"{en} ({first})")
    err.headers = {"Retry-After": "5"}
    return err


def not_found(kind_zh: str, kind_en: str, ref: object) -> NotFound:
    return NotFound(f"找不到{kind_zh}：{ref}", f"{kind_en} not found: {ref}")


def pick_language(accept_language: str | None) -> str:
    """'en' when the client prefers English, otherwise 'zh' (the default)."""
    if not accept_language:
        return "zh"
    best, best_q = "zh", -1.0
    for part in accept_language.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        lang = "en" if tag.startswith("en") else "zh" if tag.startswith("zh") else None
        if lang and q > best_q:
            best, best_q = lang, q
    return best

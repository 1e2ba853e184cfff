"""Uploaded files (QC reports, photos), content-addressed by SHA-256.

The bytes live under ``settings.files_dir/<tenant>/<sha[:2]>/<sha>``; the row
records the hash, and every read re-checks it, so a file changed on disk is
refused instead of being served as the original evidence.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.config import settings
from bakeprint.errors import BakeprintError, Invalid, NotFound, TooLarge
from bakeprint.storage.models import StoredFile

# Magic bytes → content type; the client's Content-Type is not trusted.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class Tampered(BakeprintError):
    status = 409
    code = "tampered"


def sniff(data: bytes) -> str | None:
    for magic, ctype in SIGNATURES:
        if data.startswith(magic):
            return ctype
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _path(tenant_id: uuid.UUID, sha: str) -> Path:
    return Path(settings.files_dir) / tenant_id.hex / sha[:2] / sha


def save(
    session: Session, tenant_id: uuid.UUID, data: bytes, filename: str
) -> StoredFile:
    """Store a file once per bakery; the same bytes again return the same row."""
    if len(data) > settings.max_upload_bytes:
        mb = settings.max_upload_bytes / 1024 / 1024
        raise TooLarge(
            f"文件太大：最多 {mb:g} MB",
            f"file too large: at most {mb:g} MB",
            field="file",
        )
    if not data:
        raise Invalid("文件是空的", "the file is empty", field="file")
    ctype = sniff(data)
    if ctype is None:
        raise Invalid(
            "只接受 PDF、JPEG、PNG 或 WebP 文件",
            "only PDF, JPEG, PNG or WebP files are accepted",
            field="file",
        )
    sha = hashlib.sha256(data).hexdigest()
    existing = session.scalar(
        select(StoredFile).where(
            StoredFile.tenant_id == tenant_id, StoredFile.sha256 == sha
        )
    )
    if existing is not None:
        return existing
    path = _path(tenant_id, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    row = StoredFile(
        tenant_id=tenant_id,
        sha256=sha,
        filename=Path(filename or "upload").name[:200],
        content_type=ctype,
        size=len(data),
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, tenant_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile:
    row = session.get(StoredFile, (tenant_id, file_id))
    if row is None:
        raise NotFound("找不到该文件", "file not found")
    return row


def read(
    session: Session, tenant_id: uuid.UUID, file_id: uuid.UUID
) -> tuple[StoredFile, bytes]:
    """The file's bytes, verified against the SHA-256 recorded at upload."""
    row = get(session, tenant_id, file_id)
    path = _path(tenant_id, row.sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(
            f"文件 {row.filename} 的内容已丢失",
            f"the content of {row.filename} is missing",
        ) from None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise Tampered(
            f"文件 {row.filename} 已被改动，与登记时的 SHA-256 不符",
            f"{row.filename} was altered: it no longer matches the SHA-256 "
            "recorded at upload",
        )
    return row, data

"""HTTP API: upload and download evidence files."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from bakeprint.config import settings
from bakeprint.deps import ActorDep, CanRead, SessionDep
from bakeprint.downloads import disposition
from bakeprint.errors import Forbidden, TooLarge
from bakeprint.storage import service as storage

router = APIRouter(prefix="/files", tags=["files"])


class FileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sha256: str
    filename: str
    content_type: str
    size: int


@router.post("", response_model=FileRead, status_code=201)
def upload(
    file: Annotated[UploadFile, File()], session: SessionDep, actor: ActorDep
) -> FileRead:
    """Upload a QC report or photo (PDF, JPEG, PNG, WebP); returns its SHA-256."""
    if not (actor.can("materials:write") or actor.can("supplier:submit")):
        raise Forbidden("您的角色不能上传文件", "your role may not upload files")
    data = file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        mb = settings.max_upload_bytes / 1024 / 1024
        raise TooLarge(
            f"文件太大：最多 {mb:g} MB", f"file too large: at most {mb:g} MB"
        )
    row = storage.save(session, actor.tenant_id, data, file.filename or "upload")
    return FileRead.model_validate(row)


@router.get("/{file_id}/meta", response_model=FileRead)
def meta(file_id: uuid.UUID, session: SessionDep, actor: CanRead) -> FileRead:
    """A file's name, type, size and SHA-256."""
    return FileRead.model_validate(storage.get(session, actor.tenant_id, file_id))


@router.get("/{file_id}")
def download(file_id: uuid.UUID, session: SessionDep, actor: CanRead) -> Response:
    """Download a file (its SHA-256 is checked first)."""
    row, data = storage.read(session, actor.tenant_id, file_id)
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": disposition(row.filename),
            "X-Content-SHA256": row.sha256,
        },
    )

"""EPCIS capture jobs (the REST binding's ``/capture/{captureID}``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime


class CaptureJob(TenantScoped, Base):
    """One accepted capture request and how it ended. Capture runs inside
    the request, so a job is never left running: ``success`` with what was
    stored, or the errors that kept every event of the document out."""

    __tablename__ = "epcis_capture_jobs"
    __table_args__ = (
        Index("ix_epcis_capture_jobs_created", "tenant_id", "created_at"),
    )

    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    success: Mapped[bool] = mapped_column(Boolean)
    received: Mapped[int] = mapped_column(Integer)
    stored: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # the capture's answer (eventIDs, duplicates, announced lots, notes)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    errors: Mapped[list[Any]] = mapped_column(JSON)

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

Stage = Literal[
    "incoming", "pre_bake", "post_bake", "post_cooling", "pre_pack", "release"
]


class CheckpointCreate(BaseModel):
    stage: Stage
    passed: bool
    notes: str = Field(default="", max_length=2000)
    inspector: str | None = Field(default=None, description="Operator code.")
    checked_at: AwareDatetime | None = None


class CheckpointCorrect(BaseModel):
    passed: bool
    notes: str = Field(default="", max_length=2000)
    reason: str = Field(min_length=1, max_length=500)

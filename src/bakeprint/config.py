"""Settings read from the environment (prefix ``BAKEPRINT_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bakeprint.outbound import Allow


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAKEPRINT_", extra="ignore")

    database_url: str = "sqlite:///./bakeprint.db"
    # Host that GS1 Digital Link URIs printed on packages point at.
    resolver_host: str = "id.bakeprint.local"
    # Signs the web session cookie; set a long random value in production.
    secret_key: str = "dev-only-change-me"
    # Where uploaded files (QC reports) are kept, content-addressed by SHA-256.
    files_dir: Path = Path("./bakeprint-files")
    max_upload_bytes: int = 10 * 1024 * 1024
    timezone: str = "Asia/Shanghai"
    sql_echo: bool = False
    # Requests a minute per client address to the public scan page and its
    # forms, and to the login form (0: no limit). Shared by all workers.
    public_rate_limit: int = 240
    # Inside addresses recall webhooks may reach after all (they are refused
    # by default: loopback, private, link-local…): host names, addresses and
    # networks, comma-separated, e.g. "hooks.lan, 10.20.0.0/16".
    webhook_allow: str = ""

    @field_validator("webhook_allow")
    @classmethod
    def _webhook_allow(cls, value: str) -> str:
        Allow.parse(value)  # a typo fails at start-up, not at the first recall
        return value

    @property
    def webhook_allowed(self) -> Allow:
        return Allow.parse(self.webhook_allow)


settings = Settings()

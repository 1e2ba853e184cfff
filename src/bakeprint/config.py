"""Settings read from the environment (prefix ``BAKEPRINT_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


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


settings = Settings()

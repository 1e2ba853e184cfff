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
    # A request's whole body must arrive within this many seconds (else 408),
    # before any route runs: a client trickling its body holds nothing.
    body_timeout_s: float = 30.0
    # Deepest nesting of arrays/objects a JSON body may have (else 400), and
    # the most JSON an API call may send (else 413) — sensor readings and
    # EPCIS documents excepted: they have their own, larger limits.
    max_json_depth: int = 64
    max_json_bytes: int = 2 * 1024 * 1024
    # The public forms (report a problem, claim a certificate) and the login
    # form: their whole body, in bytes (else 413). A report's 2,000 Chinese
    # characters are 18 KB once URL-encoded.
    max_public_form_bytes: int = 32 * 1024
    # Consumers' reports on the public scan page: at most this many about one
    # package a day and about one batch an hour (then 429, "already reported").
    public_reports_per_unit_day: int = 3
    public_reports_per_batch_hour: int = 30
    # How long the scan page's report form stays valid once shown (seconds).
    report_form_max_age_s: int = 6 * 3600


settings = Settings()

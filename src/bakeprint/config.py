"""Settings read from the environment (prefix ``BAKEPRINT_``)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bakeprint.outbound import Allow

# The value every install shipped with before the secret had to be set: known
# to anyone who read the source, so it is never accepted for serving beyond
# this machine (its only use left is reading signing keys sealed with it).
LEGACY_SECRET = "dev-only-change-me"
MIN_SECRET_CHARS = 32
SECRET_FILE = "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAKEPRINT_", extra="ignore")

    database_url: str = "sqlite:///./bakeprint.db"
    # Host that GS1 Digital Link URIs printed on packages point at.
    resolver_host: str = "id.bakeprint.local"
    # Signs the web session cookie and seals each bakery's signing key. Unset:
    # a random one is generated once and kept in files_dir (loopback only —
    # `bakeprint serve` refuses any other address without this set).
    secret_key: str | None = None
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

    # Addresses (or networks, comma-separated) of reverse proxies whose
    # X-Forwarded-For / X-Forwarded-Proto are believed. Empty: none, the peer
    # is the client — a header anyone can send never moves a rate limit.
    trusted_proxies: str = ""
    # A web login lasts this long at most (also ended by logging out, a
    # password change or the user being deactivated).
    session_hours: int = 7 * 24
    # Failed logins in a row for one account before it has to wait; each
    # further failure doubles the wait (from 30 s, at most 15 minutes).
    login_free_attempts: int = 5

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


def secret_key() -> str:
    """The configured secret, else the one generated for this data directory."""
    if settings.secret_key:
        return settings.secret_key
    return _generated(Path(settings.files_dir).resolve() / SECRET_FILE)


@lru_cache(maxsize=4)
def _generated(path: Path) -> str:
    """Read the kept secret, or make it: written whole to a temporary file and
    linked into place, so workers starting together all end up with the one
    that won (a link never replaces a file that is already there)."""
    try:
        return path.read_text("ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text("ascii").strip()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secret_problem(host: str) -> tuple[str, str] | None:
    """Why ``bakeprint serve`` must not listen on ``host`` with the secret it
    has (zh, en), or None. Loopback may use the generated one."""
    if is_loopback(host):
        return None
    how = (
        "set BAKEPRINT_SECRET_KEY to a long random value, e.g. "
        '`python3 -c "import secrets; print(secrets.token_urlsafe(48))"`, '
        "the same on every server, and keep it (the bakeries' signing keys "
        "are sealed with it)"
    )
    how_zh = (
        "请把环境变量 BAKEPRINT_SECRET_KEY 设为足够长的随机值（例如 "
        '`python3 -c "import secrets; print(secrets.token_urlsafe(48))"` 的输出），'
        "所有服务器保持一致并妥善保存（各店铺的签名密钥用它加密）"
    )
    value = settings.secret_key
    if not value:
        return (
            f"未配置密钥，不能在 {host} 上对外服务：{how_zh}",
            f"no secret key is configured, so bakeprint will not serve on "
            f"{host}: {how}",
        )
    if value == LEGACY_SECRET or len(value) < MIN_SECRET_CHARS:
        return (
            f"BAKEPRINT_SECRET_KEY 太短或是公开的默认值（至少 "
            f"{MIN_SECRET_CHARS} 个字符）：{how_zh}",
            f"BAKEPRINT_SECRET_KEY is too short or the published default (it "
            f"needs at least {MIN_SECRET_CHARS} characters): {how}",
        )
    return None

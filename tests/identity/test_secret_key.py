"""Issue 17 item 3: the session secret. A cookie signed with the secret every
install used to share logs no one in; `bakeprint serve` will not listen
beyond this machine without a configured secret, and says how to set one;
on 127.0.0.1 (the demo) a random secret is made once and kept."""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path

import itsdangerous
import pytest
from typer.testing import CliRunner

from bakeprint import config, keys
from bakeprint.cli import app as cli
from bakeprint.events.models import TenantKey


def _forged_cookie(secret: str, data: dict[str, str]) -> str:
    """A session cookie as Starlette's SessionMiddleware signs it."""
    payload = base64.b64encode(json.dumps(data).encode())
    return itsdangerous.TimestampSigner(secret).sign(payload).decode()


def test_a_cookie_signed_with_the_old_default_secret_logs_no_one_in(client, bakery):
    cookie = _forged_cookie(
        config.LEGACY_SECRET,
        {"uid": str(bakery.owner.id), "tid": str(bakery.tenant.id), "csrf": "x"},
    )
    client.cookies.set("bp_session", cookie)
    assert client.get("/api/v1/me").status_code == 401
    r = client.get("/batches", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str):  # type: ignore[no-untyped-def]
    started: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: started.append(kw))
    result = CliRunner().invoke(cli, ["serve", *args])
    return result, started


@pytest.mark.parametrize("secret", [None, config.LEGACY_SECRET, "short-secret"])
def test_serve_refuses_other_addresses_without_a_real_secret_and_says_how(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret: str | None
) -> None:
    monkeypatch.setattr(config.settings, "secret_key", secret)
    monkeypatch.setattr(config.settings, "files_dir", tmp_path)
    monkeypatch.setenv("BAKEPRINT_LANG", "en")
    for host in ("0.0.0.0", "192.168.1.20", "bakery.example"):
        result, started = _serve(monkeypatch, "--host", host)
        assert result.exit_code != 0 and not started
        said = result.output.replace("\n", " ")
        assert "BAKEPRINT_SECRET_KEY" in said and "secrets.token_urlsafe" in said
    assert not (tmp_path / config.SECRET_FILE).exists()


def test_serve_listens_anywhere_with_a_configured_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config.settings, "secret_key", "k" * 48)
    monkeypatch.setattr(config.settings, "files_dir", tmp_path)
    result, started = _serve(monkeypatch, "--host", "0.0.0.0")
    assert result.exit_code == 0, result.output
    assert started[0]["host"] == "0.0.0.0"
    # forwarded headers are the app's to judge (trusted proxies only)
    assert started[0]["proxy_headers"] is False


def test_the_demo_on_loopback_makes_a_secret_once_and_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config.settings, "secret_key", None)
    monkeypatch.setattr(config.settings, "files_dir", tmp_path)
    result, started = _serve(monkeypatch)  # 127.0.0.1, as `make demo`
    assert result.exit_code == 0, result.output and started
    kept = tmp_path / config.SECRET_FILE
    assert kept.stat().st_mode & 0o777 == 0o600
    first = kept.read_text().strip()
    assert len(first) >= config.MIN_SECRET_CHARS and first != config.LEGACY_SECRET
    config._generated.cache_clear()
    assert config.secret_key() == first  # the next start reads the same


def test_workers_starting_together_agree_on_one_generated_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "many" / config.SECRET_FILE
    got: list[str] = []

    def start() -> None:
        got.append(config._generated.__wrapped__(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and got[0] == path.read_text().strip()
    assert os.listdir(path.parent) == [config.SECRET_FILE]  # no leftovers


def test_a_signing_key_sealed_under_the_old_default_is_kept_and_sealed_anew(
    session, bakery, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = bakery.tenant.id
    monkeypatch.setattr(config.settings, "secret_key", config.LEGACY_SECRET)
    row = keys.key_row(session, t, create=True)
    assert row is not None
    payload = {"day": "2025-12-03"}
    before = keys.sign(session, t, payload)
    sealed_before = row.private_key
    monkeypatch.setattr(config.settings, "secret_key", "a-new-secret-" + "x" * 40)
    after = keys.sign(session, t, payload)
    assert after == before  # the same key signs (Ed25519 is deterministic)
    assert row.private_key != sealed_before
    session.flush()
    # now sealed under the new secret alone
    monkeypatch.setattr(keys, "LEGACY_SECRET", "nothing-known")
    stored = session.get(TenantKey, t)
    assert keys.private_key(stored) is not None

"""A real server on a free loopback port and Debian's chromium driven by
Playwright. Screenshots land in test-artifacts/ (kept by CI, ignored by git)."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _copy_demo(tmp_path_factory: pytest.TempPathFactory, into: Path) -> None:
    """Copy into ``into`` `e2e.db` (migrated, the demo loaded by the CLI as
    `make demo` does) and its files folder, made once per test run: the xdist
    workers share it (the first one builds it under a lock, the others wait)
    and each serves its own copy."""
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent  # the run's folder, above each worker's own
    root = run / "e2e-demo"
    root.mkdir(exist_ok=True)
    done = root / "built"
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                env = {
                    **os.environ,
                    "BAKEPRINT_DATABASE_URL": f"sqlite:///{root / 'e2e.db'}",
                    "BAKEPRINT_FILES_DIR": str(root / "files"),
                }
                bp = [sys.executable, "-m", "bakeprint.cli"]
                for args in (["db", "upgrade"], ["demo", "load"]):
                    subprocess.run(
                        [*bp, *args], env=env, check=True, capture_output=True
                    )
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    shutil.copy2(root / "e2e.db", into / "e2e.db")
    if (root / "files").is_dir():
        shutil.copytree(root / "files", into / "files")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`bakeprint serve` on a demo database, as `make demo` runs it."""
    tmp = tmp_path_factory.mktemp("e2e")
    _copy_demo(tmp_path_factory, tmp)
    env = {
        **os.environ,
        "BAKEPRINT_DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "BAKEPRINT_FILES_DIR": str(tmp / "files"),
    }
    bp = [sys.executable, "-m", "bakeprint.cli"]
    port = _free_port()
    proc = subprocess.Popen(
        [*bp, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:  # pragma: no cover
        proc.kill()
        raise RuntimeError(
            "server did not start: " + proc.stderr.read().decode()
            if proc.stderr
            else ""
        )
    yield base
    proc.terminate()
    proc.wait(timeout=10)


# One Playwright driver for the whole test process: modules outside tests/e2e
# import `browser` too, each import is a fixture of its own, and a second
# sync_playwright() started inside the first one's event loop fails. Each
# fixture launches its own chromium from this driver; the driver ends with
# the process.
_DRIVER: list[Any] = []


def _driver() -> Any:
    if not _DRIVER:
        from playwright.sync_api import sync_playwright

        _DRIVER.append(sync_playwright().start())
    return _DRIVER[0]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run `make chromium`", pytrace=False)
    b = _driver().chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield b
    b.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = ctx.new_page()
    yield page
    ctx.close()


def login(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """Log the demo's owner in on this page, landing on the board."""
    page.goto(f"{server}/login")
    page.fill("input[name=bakery]", "shiguang")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "shiguang-demo")
    page.click("button.primary")
    page.wait_for_url(f"{server}/")


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

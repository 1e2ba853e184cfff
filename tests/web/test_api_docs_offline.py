"""The API docs work on a kitchen network without internet: Swagger UI and
ReDoc load their assets from bakeprint itself (the fastapi-offline package),
so a real browser that may reach nothing but this server still renders every
endpoint — the trace among them — and never even tries another host."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.conftest import _free_port, browser  # noqa: F401

pytestmark = pytest.mark.browser

LOCAL = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`bakeprint serve` on an empty, migrated database (docs need no data)."""
    tmp = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "BAKEPRINT_DATABASE_URL": f"sqlite:///{tmp / 'docs.db'}"}
    bp = [sys.executable, "-m", "bakeprint.cli"]
    subprocess.run([*bp, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(
        [*bp, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:  # pragma: no cover
            pytest.fail("bakeprint serve did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _offline_page(browser, outside: list[str], broken: list[str]):  # type: ignore[no-untyped-def]  # noqa: F811
    """A page that can reach this machine only: other hosts are refused and
    noted, and so is anything of its own that fails to load."""
    ctx = browser.new_context()

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).hostname in LOCAL:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    ctx.route("**/*", only_local)
    page = ctx.new_page()
    page.on(
        "response",
        lambda r: broken.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return ctx, page


def test_swagger_ui_renders_the_trace_endpoint_offline(browser, api_server):  # noqa: F811
    outside: list[str] = []
    broken: list[str] = []
    ctx, page = _offline_page(browser, outside, broken)
    try:
        page.goto(f"{api_server}/api/v1/docs")
        trace = page.locator('.opblock-summary-path[data-path="/api/v1/trace"]')
        trace.wait_for(timeout=30_000)
        assert trace.inner_text().strip() == "/api/v1/trace"
        # its description too: the spec was read, not just the page shell
        trace.click()
        page.get_by_text("Everything about the batch behind a code").first.wait_for()
        assert outside == [] and broken == []
    finally:
        ctx.close()


def test_redoc_renders_the_trace_endpoint_offline(browser, api_server):  # noqa: F811
    outside: list[str] = []
    broken: list[str] = []
    ctx, page = _offline_page(browser, outside, broken)
    try:
        page.goto(f"{api_server}/api/v1/redoc")
        op = page.locator('[id="tag/trace/operation/get_trace_api_v1_trace_get"]')
        op.wait_for(timeout=30_000)
        assert "Everything about the batch behind a code" in op.inner_text()
        assert "/api/v1/trace" in op.inner_text()
        assert outside == [] and broken == []
    finally:
        ctx.close()

"""The trace, batch, shop and scan pages on a 390-px phone, in zh-CN and
English, in the real browser (issue 16 item 12): nothing is wider than the
screen, no text is squeezed to one character per line (tables become stacked
cards), no date breaks over two lines. Screenshots are kept in the test's tmp
directory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bakeprint import migrate
from bakeprint.db import Database
from tests.e2e.conftest import _free_port, browser  # noqa: F401  (one driver)
from tests.web import demo

pytestmark = pytest.mark.browser

CHECK = (Path(__file__).parent / "phone.js").read_text("utf-8")


@dataclass
class Site:
    base: str
    demo: demo.Demo


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`bakeprint serve` on the two-day demo bakery (tests/web/demo.py)."""
    tmp = tmp_path_factory.mktemp("phone")
    url = f"sqlite:///{tmp / 'phone.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    with database.writer() as session:
        made = demo.load(session)
    database.dispose()
    env = {
        **os.environ,
        "BAKEPRINT_DATABASE_URL": url,
        "BAKEPRINT_FILES_DIR": str(tmp / "files"),
    }
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bakeprint.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:  # pragma: no cover
            pytest.fail("the server did not start", pytrace=False)
        yield Site(base, made)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pages_fit_a_390_px_phone(site, browser, lang, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    d = site.demo
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN" if lang == "zh" else "en-GB",
        device_scale_factor=2,
    )
    page = ctx.new_page()
    page.goto(f"{site.base}/login")
    page.fill("input[name=bakery]", demo.D.SLUG)
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", demo.D.PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{site.base}/")
    pages = {
        "trace": f"/trace?code={demo.D.CASE_BATCH}",
        "batch": f"/batches/{demo.D.CASE_BATCH}",
        "batch-in-progress": f"/batches/{d.in_progress}",
        "shop": "/shops/CITY-LIB",
        "scan": f"/u/{d.serial}",
        "shelf-life-params": "/shelflife/params",
    }
    found = []
    for name, path in pages.items():
        page.goto(f"{site.base}{path}{'&' if '?' in path else '?'}lang={lang}")
        page.screenshot(path=str(tmp_path / f"{name}-{lang}.png"), full_page=True)
        found += [f"{name}: {p}" for p in page.evaluate(CHECK)]
    ctx.close()
    assert not found, "\n".join(found[:40])

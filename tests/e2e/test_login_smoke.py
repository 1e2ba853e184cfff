"""A bakery owner on a phone: log in, see the board, open the brief's batch."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.browser


def test_owner_logs_in_on_a_phone_and_opens_the_case_batch(server, phone):
    phone.goto(f"{server}/batches/251203-SS-PM-002")
    assert phone.url.startswith(f"{server}/login")
    phone.fill("input[name=bakery]", "shiguang")
    phone.fill("input[name=username]", "owner")
    phone.fill("input[name=password]", "shiguang-demo")
    phone.click("button.primary")
    phone.wait_for_url(f"{server}/batches/251203-SS-PM-002")
    assert phone.locator(".code-big").inner_text() == "251203-SS-PM-002"
    body = phone.locator("main").inner_text()
    assert "樱花蜜饯" in body and "LOT25S-45" in body and "3号烤箱" in body
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    assert shot(phone, "batch-251203-SS-PM-002-zh").stat().st_size > 10_000
    phone.click("text=EN")
    assert "Spring Sakura Cake" in phone.locator("main").inner_text()
    assert phone.locator("nav.main").inner_text().startswith("Today")
    shot(phone, "batch-251203-SS-PM-002-en")


def test_a_wrong_password_stays_on_the_login_page(server, phone):
    phone.goto(f"{server}/login")
    phone.fill("input[name=bakery]", "shiguang")
    phone.fill("input[name=username]", "owner")
    phone.fill("input[name=password]", "not-the-password")
    phone.click("button.primary")
    assert "密码不正确" in phone.locator("[role=alert]").inner_text()

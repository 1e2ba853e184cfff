"""Camera scanning (issue 7 item 2): where the browser reads QR codes itself
(BarcodeDetector) and has a camera, code fields get a scan button that fills
the field (and looks the code up); elsewhere the field is typed as before."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.browser

# A camera (a canvas stream) and a detector that "sees" the brief's batch: the
# headless browser has neither, so the test gives it both.
FAKE_CAMERA = """
window.BarcodeDetector = class {
  constructor(opts) { window.__scanFormats = opts && opts.formats; }
  static getSupportedFormats() { return Promise.resolve(['qr_code']); }
  detect(source) {
    window.__scanCalls = (window.__scanCalls || 0) + 1;
    const seen = [{rawValue: ' 251203-SS-PM-002 '}];
    return Promise.resolve(window.__scanCalls < 3 ? [] : seen);
  }
};
navigator.mediaDevices.getUserMedia = () => {
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d'); g.fillStyle = '#888'; g.fillRect(0, 0, 64, 64);
  return Promise.resolve(c.captureStream(5));
};
"""


def test_without_a_detector_the_code_is_typed(server, phone):  # type: ignore[no-untyped-def]
    login(phone, server)
    assert phone.evaluate("'BarcodeDetector' in window") is False
    assert phone.locator("form.lookup button.scan").count() == 0
    phone.fill("form.lookup input[name=q]", "251203-SS-PM-002")
    phone.press("form.lookup input[name=q]", "Enter")
    phone.wait_for_url(f"{server}/batches/251203-SS-PM-002")


def test_a_phone_camera_scans_a_code_into_the_lookup(server, browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    ctx.add_init_script(FAKE_CAMERA)
    page = ctx.new_page()
    try:
        login(page, server)
        button = page.locator("form.lookup button.scan")
        assert button.count() == 1 and button.inner_text() == "扫码"
        button.click()
        page.wait_for_url(f"{server}/batches/251203-SS-PM-002")
        assert page.locator(".code-big").inner_text() == "251203-SS-PM-002"
        shot(page, "scanned-lookup")
        # the complaint form's code field scans too, without submitting
        page.goto(f"{server}/complaints")
        page.locator("#complaint-form button.scan").click()
        # (expect polls from outside the page: the pages' CSP forbids eval)
        expect(page.locator("#complaint-form input[name=code]")).to_have_value(
            "251203-SS-PM-002"
        )
        assert page.url == f"{server}/complaints"
        assert page.locator("video.scan-view").count() == 0  # the camera is off again
    finally:
        ctx.close()

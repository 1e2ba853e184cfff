"""Issue 17 item 8: the Content-Security-Policy (scripts, styles, images only
from the app itself; no inline script, style or event handler) breaks no
page — every management page, the owner's users page, the account page, the
label sheet, the public scan page and the login form load in the real browser
without one violation reported."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import login
from tests.e2e.test_accessibility import PAGES, _first_link

pytestmark = pytest.mark.browser

# recorded before any page script runs, for every document the tab opens
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


def test_no_page_breaks_the_content_security_policy(server, browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    ctx.add_init_script(LISTEN)
    page = ctx.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: (
            refused.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    login(page, server)
    pages = [*PAGES, "/api/v1/batches/251203-SS-PM-002/labels"]
    for listing, prefix in (("/trips", "/trips/"), ("/sensors", "/sensors/")):
        page.goto(server + listing)
        link = _first_link(page, prefix)
        if link:
            pages.append(link)
    page.goto(f"{server}/api/v1/batches/251203-SS-PM-002/units?limit=1")
    unit = urlsplit(page.evaluate("() => JSON.parse(document.body.innerText)[0].uri"))
    pages += [f"{unit.path}?{unit.query}", "/login?lang=en"]
    seen: dict[str, list[str]] = {}
    for path in pages:
        if path.startswith("/login"):
            page.context.clear_cookies()
        response = page.goto(server + path)
        assert response is not None and response.ok, f"{path}: {response}"
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        page.wait_for_load_state("load")
        found = page.evaluate("() => window.__csp")
        if found:
            seen[path] = found
    ctx.close()
    assert not seen and not refused, f"{seen}\n{refused[:10]}"

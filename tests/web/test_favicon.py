"""The bakery's icon (issue 16 item 12): linked from every page as SVG, and
answered at /favicon.ico for browsers that ask there."""

from __future__ import annotations

import struct


def test_the_icon_is_linked_and_served(client):
    login = client.get("/login").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith(
        "image/svg+xml"
    )
    assert "<svg" in svg.text and "viewBox" in svg.text
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.headers["content-type"] == "image/x-icon"
    reserved, kind, count = struct.unpack("<HHH", ico.content[:6])
    assert (reserved, kind) == (0, 1) and count >= 1  # an ICO directory
    sizes = {ico.content[6 + 16 * i] for i in range(count)}
    assert {16, 32} <= sizes

"""QR codes for units (segno): SVG for labels and screens, PNG for printers."""

from __future__ import annotations

import io

import segno


def svg(uri: str, *, scale: int = 4, border: int = 2, fit: bool = False) -> str:
    """The QR code as SVG. ``fit``: no width/height, only a viewBox, so the
    page's CSS sizes it (a label's 24 mm box) without clipping any module."""
    qr = segno.make(uri, error="m", micro=False)
    buf = io.BytesIO()
    qr.save(
        buf,
        kind="svg",
        scale=scale,
        border=border,
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=fit,
    )
    return buf.getvalue().decode("utf-8")


def png(uri: str, *, scale: int = 8, border: int = 4) -> bytes:
    qr = segno.make(uri, error="m", micro=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=scale, border=border)
    return buf.getvalue()

"""The ``Content-Disposition`` of a download whose name may hold any text (a
lot number, a product name in Chinese): an ASCII fallback plus the UTF-8 name
(RFC 6266 / RFC 5987), so a header never fails to encode."""

from __future__ import annotations

import re
from urllib.parse import quote


def disposition(filename: str, *, inline: bool = False) -> str:
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_-") or "download"
    kind = "inline" if inline else "attachment"
    return (
        f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )

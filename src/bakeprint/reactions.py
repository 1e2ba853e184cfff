"""Every domain's reactions to recorded facts, subscribed in one place.

``install()`` is called by each entry point — ``app.create_app``, the CLI
root, the MQTT listener and the tests — before any fact is recorded, so a
reaction runs whichever way its cause came in. Installing twice is harmless.
"""

from __future__ import annotations

from bakeprint.alerts import reactions as alerts


def install() -> None:
    alerts.register()

"""``python -m bakeprint`` is the ``bakeprint`` command."""

from bakeprint.cli import main

main()

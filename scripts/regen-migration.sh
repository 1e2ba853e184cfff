#!/usr/bin/env bash
# Until the first release, the schema lives in one initial migration that is
# regenerated from the models (the project has not been deployed yet).
# After the first release: add a new dated migration instead, never rewrite.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f src/bakeprint/migrations/versions/*initial_schema.py
BAKEPRINT_DATABASE_URL="sqlite:///$tmp/m.db" .venv/bin/alembic revision --autogenerate \
  --rev-id 0001 -m "initial schema" >/dev/null
.venv/bin/ruff format -q src/bakeprint/migrations
.venv/bin/ruff check -q --fix src/bakeprint/migrations || true
rm -rf "$tmp"
ls src/bakeprint/migrations/versions/

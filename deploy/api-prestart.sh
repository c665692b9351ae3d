#!/bin/sh
# Runs before the API starts (deploy/api.Dockerfile): migrate the schema (Alembic is the
# only way it changes), then copy knowledge/ into the database (idempotent). Several API
# replicas starting together is safe: migrations run in one transaction each and the sync
# replaces the knowledge atomically.
set -eu
cd /app/api
python -m alembic upgrade head
python -m app.cli sync

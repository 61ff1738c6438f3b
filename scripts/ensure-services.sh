#!/usr/bin/env bash
# Makes sure the PostgreSQL server the integration tests use is up on 127.0.0.1:5432.
# Fails loudly (non-zero) when it cannot be reached: those tests never skip silently.
set -euo pipefail
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up; then
  if [ -d /etc/postgresql ]; then
    echo "PostgreSQL is down; starting it" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
fi
pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432; the integration tests need it" >&2; exit 1; }

#!/bin/sh
# The tests need PostgreSQL on 127.0.0.1:5432 (database `test`). This machine starts it before a
# session; if it is down (a restarted machine), start it. Never fails: the PostgreSQL tests say
# clearly what is missing if it still is not there.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
fi
exit 0

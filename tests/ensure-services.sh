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
# The cluster tests (tests/runs/cluster/) need a Redis: the machine's on 6379, or else Debian's
# redis-server, which the tests start themselves on a free port; install it when missing and we
# are root. RabbitMQ (5672) is started when installed and down; without it those tests skip.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && ! command -v redis-server >/dev/null 2>&1 \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing redis-server for the cluster tests"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } \
    >/dev/null 2>&1 || echo "could not install redis-server; the cluster tests will say so"
fi
if command -v rabbitmq-server >/dev/null 2>&1 && ! python3 -c "import socket; socket.create_connection(('127.0.0.1', 5672), 2)" 2>/dev/null; then
  echo "starting RabbitMQ"
  { service rabbitmq-server start || rabbitmq-server -detached; } >/dev/null 2>&1 || true
fi
# The browser tests (tests/web/, tests/crawl/browser/) need Debian's chromium.
sh "$(dirname "$0")/../scripts/ensure-chromium.sh" "the browser tests"
exit 0

#!/usr/bin/env bash
# `make run`: web + Celery worker + beat (+ a private Redis) on http://127.0.0.1:$PORT/ (8000).
# Every process runs in the foreground under honcho, so Ctrl-C, SIGTERM and SIGHUP stop
# them all. The environment is written to var/dev.env for bin/manage in another terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p var

export DEBUG="${DEBUG:-1}"
# Webhooks and sources on this machine (a local receiver) may be reached over plain HTTP.
export OUTBOUND_ALLOW_HTTP="${OUTBOUND_ALLOW_HTTP:-1}"
export OUTBOUND_ALLOWED_NETWORKS="${OUTBOUND_ALLOWED_NETWORKS:-127.0.0.0/8,::1/128}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///var/db.sqlite3}"

port_is_free() {  # as redis-server binds: connections of a past run in TIME_WAIT do not count
  python -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

# The web port. Procfile.dev reads it as RUN_WEB_PORT: honcho gives each process a PORT of
# its own (PORT, PORT+100, ...), so PORT itself would not reach the web process as set.
PORT="${PORT:-8000}"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
  echo "PORT=$PORT is not a port number (1-65535)." >&2
  exit 1
fi
if ! port_is_free "$PORT"; then
  echo "Port $PORT is taken by another program; choose another, e.g. PORT=8001 make run" >&2
  exit 1
fi
export RUN_WEB_PORT="$PORT"
# Absolute links (feeds, emails, webhooks) point at this server unless SITE_URL says otherwise.
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"

processes=(web worker beat)
if [ -z "${REDIS_URL:-}" ]; then
  if ! command -v redis-server >/dev/null; then
    echo "No REDIS_URL set and no redis-server found." >&2
    echo "Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)" >&2
    echo "or point REDIS_URL at a running Redis, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make run" >&2
    exit 1
  fi
  if [ -n "${RUN_REDIS_PORT:-}" ]; then
    if ! port_is_free "$RUN_REDIS_PORT"; then
      echo "RUN_REDIS_PORT=$RUN_REDIS_PORT is taken by another program; choose another port." >&2
      exit 1
    fi
  else
    RUN_REDIS_PORT=6390
    if ! port_is_free "$RUN_REDIS_PORT"; then
      RUN_REDIS_PORT="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
      echo "Port 6390 is taken by another program; the private Redis uses port $RUN_REDIS_PORT."
    fi
  fi
  export RUN_REDIS_PORT
  export REDIS_URL="redis://127.0.0.1:$RUN_REDIS_PORT/0"
  processes=(redis "${processes[@]}")
fi

{
  echo "# Written by make run ($(date -u +%Y-%m-%dT%H:%M:%SZ)); read by bin/manage."
  for name in DEBUG DATABASE_URL REDIS_URL OUTBOUND_ALLOW_HTTP OUTBOUND_ALLOWED_NETWORKS SITE_URL; do
    printf '%s=%q\n' "$name" "${!name}"
  done
} > var/dev.env

echo "Kratom tracker: http://127.0.0.1:$PORT/   admin: http://127.0.0.1:$PORT/admin/"
echo "Processes: ${processes[*]} (REDIS_URL=$REDIS_URL). The web process migrates and seeds first."
echo "In another terminal: bin/manage createcurator NAME --email you@example.org"
echo "Ctrl-C stops them all."
echo

# honcho stops everything on SIGINT and SIGTERM but would die on SIGHUP (a closed
# terminal) and leave its processes running: it starts with SIGHUP ignored, and this
# script turns a SIGHUP (or SIGTERM, or Ctrl-C) into a SIGTERM for honcho.
trap '' HUP
honcho start -f Procfile.dev "${processes[@]}" &
runner=$!
trap 'kill -TERM "$runner" 2>/dev/null || true' HUP TERM INT
status=0
wait "$runner" || status=$?
# A trapped signal interrupts the first wait; the second waits for honcho to finish stopping.
wait "$runner" 2>/dev/null || true
rm -f var/dev.env  # its Redis is gone: bin/manage falls back to DEBUG=1 and the defaults
exit "$status"

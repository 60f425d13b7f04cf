#!/usr/bin/env bash
# `make run`: migrate, seed, then web + Celery worker + beat on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p var

if [ -z "${REDIS_URL:-}" ]; then
  if ! command -v redis-server >/dev/null; then
    echo "No REDIS_URL set and no redis-server found." >&2
    echo "Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)" >&2
    echo "or point REDIS_URL at a running Redis, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make run" >&2
    exit 1
  fi
  port="${RUN_REDIS_PORT:-6390}"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$PWD/var" \
    --pidfile "$PWD/var/redis.pid" --logfile "$PWD/var/redis.log" --save "" --appendonly no
  trap 'kill "$(cat var/redis.pid)" 2>/dev/null || true' EXIT
  export REDIS_URL="redis://127.0.0.1:$port/0"
  echo "Started a private redis-server on port $port (data under var/)."
fi

python manage.py migrate --no-input
python manage.py seed
echo
echo "Kratom tracker: http://127.0.0.1:8000/   admin: http://127.0.0.1:8000/admin/"
echo "Create a curator login (in another terminal): DEBUG=1 .venv/bin/python manage.py createcurator NAME --email you@example.org"
echo "Ctrl-C stops the web server, the worker and beat."
echo
honcho start -f Procfile.dev

"""Wait (up to 30 s) until REDIS_URL answers, so make run's web process migrates and seeds
only once its Redis is up; exit 1 with a message if it never does."""

import os
import sys
import time

import redis

url = os.environ["REDIS_URL"]
deadline = time.monotonic() + 30
while True:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        break
    except redis.RedisError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"Redis at {url} did not answer within 30 s: {exc}")
        time.sleep(0.2)

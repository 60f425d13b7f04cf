"""A redis-server of a test's own, on a port it chooses (and may stop and start again)."""

import os
import shutil
import socket
import subprocess
import time


def redis_start(port: int | str) -> subprocess.Popen:
    """Start redis-server on 127.0.0.1:port, keeping nothing on disk; return once it accepts."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is required (apt-get install redis-server)"
    # On the real clock even under scripts/test-on-date: libfaketime hangs redis-server, and
    # Redis holds relative expiries only.
    env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", int(port)), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("redis-server did not start")

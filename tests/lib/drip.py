"""A loopback HTTP server that sends its response a few bytes at a time, forever if asked.

pytest-httpserver (werkzeug) writes each response at once, so the slow-header and slow-body
attacks need a server of their own: a thread per connection writing raw bytes to the socket.
"""

import socket
import threading
import time


class DripServer:
    """Serves `head` then `body` on 127.0.0.1, one `step` of bytes every `interval` seconds.

    With `endless=True` the body never ends (it repeats its last step until the client leaves).
    With `head_at_once=True` the head goes in one write and only the body drips. `routes`
    (path -> whole response) serves other paths than /page; `paths` lists the paths requested
    and `sent` counts the bytes of body sent (of the whole response, without head_at_once).
    """

    def __init__(
        self, head: bytes, body: bytes = b"", *, step=1, interval=0.1, endless=False,
        host="127.0.0.1", routes: dict[str, bytes] | None = None, head_at_once=False,
    ):  # fmt: skip
        self.payload, self.step, self.interval, self.endless = head + body, step, interval, endless
        self.head_sent_at_once = head if head_at_once else b""
        self.routes = routes or {}
        self.listener = socket.create_server((host, 0))
        self.host = host
        self.stopped = threading.Event()
        self.connections = 0
        self.paths: list[str] = []
        self.sent = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.listener.getsockname()[1]}/page"

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.listener.close()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket):
        with connection:
            try:
                request = connection.recv(65536).split(b" ", 2)  # only the path matters
                path = request[1].decode() if len(request) > 2 else ""
                self.paths.append(path)
                payload = self.routes.get(path, self.payload)
                position = 0
                if self.head_sent_at_once and path not in self.routes:
                    connection.sendall(self.head_sent_at_once)
                    position = len(self.head_sent_at_once)
                while not self.stopped.is_set():
                    chunk = payload[position : position + self.step]
                    if not chunk:
                        if not self.endless:
                            return
                        chunk = payload[-self.step :]
                    connection.sendall(chunk)
                    self.sent += len(chunk)
                    position += self.step
                    time.sleep(self.interval)
            except OSError:
                return  # the client gave up, as it should

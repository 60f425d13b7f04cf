"""A real HTTP server on 127.0.0.1 that answers as a provider's API does: each path has a
handler taking the query and returning (status, headers, body); every request is kept."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def json_answer(data, status: int = 200, headers: dict | None = None):
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(data).encode(),
    )


class ProviderServer:
    def __init__(self):
        self.routes = {}
        self.requests: list[tuple[str, dict, dict]] = []  # (path, query, headers)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                server.requests.append((parts.path, query, dict(self.headers)))
                handler = server.routes.get(parts.path)
                status, headers, body = (
                    handler(query) if handler else json_answer({"detail": "Not Found"}, 404)
                )
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def paths(self) -> list[str]:
        return [path for path, _query, _headers in self.requests]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

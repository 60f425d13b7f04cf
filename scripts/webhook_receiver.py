"""A webhook receiver on 127.0.0.1 for trying alerts locally (the README's recipe).

    .venv/bin/python scripts/webhook_receiver.py --port 9000 --secret whsec_…

Answers every POST with 204, prints its event type and id, and checks its Standard
Webhooks signature with the subscription's secret (printed by `webhooks add`).
Standard library only: it stands in for the subscriber's own code.
"""

import argparse
import base64
import hashlib
import hmac
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_ok(secret: str, headers, body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [item.removeprefix("v1,") for item in headers["webhook-signature"].split()]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


def handler_for(secret: str | None):
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            event = json.loads(body)
            verdict = "not checked (no --secret)"
            if secret:
                verdict = "valid" if signature_ok(secret, self.headers, body) else "INVALID"
            print(f"{event['type']} {self.headers['webhook-id']} signature {verdict}", flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):  # one line per event above is enough
            pass

    return Receiver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", help="the subscription's whsec_… secret")
    options = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", options.port), handler_for(options.secret))
    print(f"Listening on http://127.0.0.1:{options.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

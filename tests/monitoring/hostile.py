"""Hostile and broken official pages, served for real on loopback addresses.

Shared by the hostile-source tests and tests/bench/bench_hostile.py. Each page is what a
taken-over or misconfigured official site could serve; `expected` is the fragment of the
recorded reason (None: the check succeeds, as the page is fine once bounded).
"""

import gzip
import http.server
import threading
import zlib
from dataclasses import dataclass, field

from tests.lib.drip import DripServer
from tests.monitoring.conftest import make_pdf
from tracker.monitoring.models import SourceKind


@dataclass
class Page:
    body: bytes
    kind: str = SourceKind.HTML
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    expected: str | None = None


def backtracking_text() -> bytes:
    """1 MB built to make backtracking volatile patterns explode (each alone took seconds)."""
    parts = [
        "Section 1. Official text.\n",
        "views" + "\n" * 200_000,  # three adjacent \s* with nothing after them
        "1." * 100_000 + "x\n",  # a long run of [\d,.] with no counter word after it
        "last updated on " + " " * 200_000 + "x\n",
        "visitor " + "\t" * 150_000 + "x\n",
        "token=" + "a" * 200_000 + "\n",
    ]
    return "".join(parts).encode()


def pdf_bomb() -> bytes:
    """A PDF whose one content stream is 100 KB compressed and 100 MB expanded."""
    content = zlib.compress(b"BT /F1 11 Tf 72 720 Td (x) Tj ET " + b" " * 100_000_000, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def pdf_with_a_malformed_xref() -> bytes:
    """A valid PDF whose cross-reference table points at the wrong places."""
    good = make_pdf(["Section 1. Kratom may be sold to adults."])
    head, _, _ = good.rpartition(b"xref\n")
    broken = b"xref\n0 7\n" + b"".join(b"%010d 00000 n \n" % (n * 7919) for n in range(7))
    return head + broken + b"trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n99999999\n%%EOF\n"


def gzip_bomb() -> bytes:
    """About 200 KB on the wire, 200 MB once decompressed."""
    return gzip.compress(b"\0" * 200_000_000, compresslevel=6)


def hostile_pages() -> dict[str, Page]:
    # Under the tag limit, so it is the depth that refuses it (200,000 deep costs the parser minutes).
    deep = "<html><body>" + "<div>" * 45_000 + "law" + "</div>" * 45_000 + "</body></html>"
    return {
        "/backtrack": Page(
            backtracking_text(), kind=SourceKind.TEXT, content_type="text/plain; charset=utf-8"
        ),
        "/deep": Page(deep.encode(), expected="page too complex: depth >"),
        "/tags": Page(
            b"<html><body>" + b"<b></b>" * 700_000 + b"</body></html>",
            expected="page too complex: more than",
        ),
        "/unclosed": Page(
            b"<html><body>" + b"<a " * 40_000 + b"law " * 1_000_000,
            expected="left unclosed",
        ),
        "/pdf-bomb": Page(
            pdf_bomb(), kind=SourceKind.PDF, content_type="application/pdf",
            expected="PDF expands beyond",
        ),
        "/pdf-xref": Page(
            pdf_with_a_malformed_xref(), kind=SourceKind.PDF, content_type="application/pdf"
        ),
        "/gzip-bomb": Page(
            gzip_bomb(), headers={"Content-Encoding": "gzip"}, expected="byte cap"
        ),
        "/binary": Page(bytes(range(256)) * 4000, expected="the response is binary"),
        "/bad-utf8": Page(b"<p>\xff\xfe\xc3\x28\xa0\xa1" * 20_000, expected="does not decode"),
        "/deep-json": Page(
            b"[" * 1_000_000 + b"]" * 1_000_000, kind=SourceKind.JSON,
            content_type="application/json", expected="nested too deeply",
        ),
        "/huge-number": Page(
            b'{"fine": ' + b"9" * 10_000 + b"}", kind=SourceKind.JSON,
            content_type="application/json", expected="ValueError",
        ),
        "/loop": Page(b"", status=302, headers={"Location": "/loop"}, expected="redirects"),
    }  # fmt: skip


class HostileOrigin:
    """A threaded HTTP server on `host` serving `pages` by path (redirects included)."""

    def __init__(self, pages: dict[str, Page], host: str = "127.0.0.1"):
        self.pages = pages

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(handler):  # noqa: N805 (the handler, not this origin)
                page = self.pages.get(handler.path.split("?")[0])
                if page is None:
                    handler.send_error(404)
                    return
                handler.send_response(page.status)
                handler.send_header("Content-Type", page.content_type)
                handler.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    handler.send_header(name, value)
                handler.end_headers()
                try:
                    handler.wfile.write(page.body)
                except OSError:
                    pass  # the client stopped reading, as it should with a bomb

            def log_message(handler, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.host = host

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.server.server_address[1]}{path}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


HEADER_DRIP = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Pad: " + b"a" * 100_000 + b"\r\n\r\n"
)
BODY_DRIP_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000\r\n\r\n"


def header_drip(host: str = "127.0.0.1") -> DripServer:
    return DripServer(HEADER_DRIP, interval=0.05, host=host)


def body_drip(host: str = "127.0.0.1") -> DripServer:
    body = b"<p>law</p>" * 100_000
    return DripServer(BODY_DRIP_HEAD, body, step=10, interval=0.05, host=host)


def redirects_to_private(port: int) -> dict[str, Page]:
    """Redirects to addresses the outbound guard refuses (the origin's own port on loopback)."""
    targets = {
        "/to-loopback": f"http://127.0.0.1:{port}/",
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-ipv6-loopback": f"http://[::1]:{port}/",
    }
    return {
        path: Page(b"", status=302, headers={"Location": target}, expected="non-public address")
        for path, target in targets.items()
    }

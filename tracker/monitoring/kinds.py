"""What a source's response is, when its kind is not set: PDF, JSON, HTML or plain text.

The Content-Type decides when it names one of them; a generic or missing one (text/plain,
application/octet-stream, none) leaves it to the first bytes. Deterministic: the same body
and header always give the same kind, so a body read once reads the same way again.
"""

import json

from tracker.monitoring.models import SourceKind

MEDIA_KINDS = {
    "application/pdf": SourceKind.PDF,
    "application/x-pdf": SourceKind.PDF,
    "application/json": SourceKind.JSON,
    "text/json": SourceKind.JSON,
    "text/html": SourceKind.HTML,
    "application/xhtml+xml": SourceKind.HTML,
}
SNIFF_BYTES = 1024


def kind_detect(*, content_type: str, body: bytes) -> str:
    media = content_type.split(";", 1)[0].strip().lower()
    if media in MEDIA_KINDS:
        return MEDIA_KINDS[media]
    if media.endswith("+json"):
        return SourceKind.JSON
    return _kind_sniff(body)


def _kind_sniff(body: bytes) -> str:
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return SourceKind.PDF
    if head[:1] in (b"{", b"["):
        try:
            json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            return SourceKind.TEXT
        return SourceKind.JSON
    if head[:1] == b"<":
        return SourceKind.HTML
    return SourceKind.TEXT

"""What a source's response is, when its kind is not set: PDF, JSON, HTML or plain text.

The Content-Type decides when it names one of them; a generic or missing one (text/plain,
application/octet-stream, none) leaves it to the first bytes. Deterministic: the same body
and header always give the same kind, so a body read once reads the same way again.

Nothing here parses the body: a body that only looks like JSON (it starts with "{" or "[") is
JSON until extraction, which parses it once inside its guards, finds it is not (see
extract.extract_text).
"""

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
    return kind_declared(content_type) or kind_sniffed(body)


def kind_declared(content_type: str) -> str | None:
    """The kind the Content-Type names, if it names one."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media.endswith("+json"):
        return SourceKind.JSON
    return MEDIA_KINDS.get(media)


def kind_sniffed(body: bytes) -> str:
    """The kind the first bytes suggest."""
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return SourceKind.PDF
    if head[:1] in (b"{", b"["):
        return SourceKind.JSON
    if head[:1] == b"<":
        return SourceKind.HTML
    return SourceKind.TEXT

"""Standard Webhooks signatures: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">."""

import base64
import hashlib
import hmac

from tracker.alerts.models import secret_key_bytes


def signature(*, secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(*, secrets: list[str], webhook_id: str, timestamp: int, body: bytes) -> dict:
    """The three Standard Webhooks headers; several secrets give space-separated signatures."""
    signatures = [
        signature(secret=secret, webhook_id=webhook_id, timestamp=timestamp, body=body)
        for secret in secrets
    ]
    return {
        "Content-Type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }

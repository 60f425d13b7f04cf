"""One fetch of a source, turned into an observation: status, validators, normalised text or error.

No database writes here: services.source_check decides what an observation means.
"""

import datetime
import email.utils
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings

from tracker.lib import http
from tracker.monitoring import extract, kinds, politeness
from tracker.monitoring.models import Source, SourceKind

# Statuses whose Retry-After the next check honours.
RETRY_AFTER_STATUSES = {429, 503}
RETRY_AFTER_MAX = datetime.timedelta(days=7)


@dataclass
class Observation:
    http_status: int | None = None
    duration_ms: int = 0
    bytes_received: int = 0
    not_modified: bool = False
    text: str = ""
    content_hash: str = ""
    error: str = ""
    retry_after: datetime.timedelta | None = None
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""
    detected_kind: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.error)


def conditional_headers(source: Source) -> dict:
    """Validators of the accepted text; none while a new text awaits confirmation."""
    if source.candidate_hash or not source.current_hash:
        return {}
    headers = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    return headers


def retry_after(value: str | None, *, now: datetime.datetime) -> datetime.timedelta | None:
    """Retry-After as seconds or an HTTP date, capped at a week; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = datetime.timedelta(seconds=int(value))
    else:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        delay = moment - now
    return max(datetime.timedelta(0), min(delay, RETRY_AFTER_MAX))


def source_observe(source: Source, *, now: datetime.datetime) -> Observation:
    """Fetch the source politely and extract its normalised text. Raises politeness.HostBusy."""
    started = time.monotonic()
    hold = settings.OUTBOUND_DEADLINE_SECONDS + settings.MONITORING_HOST_SPACING_SECONDS + 5
    with politeness.host_slot(source.host, hold_seconds=hold):
        try:
            response = http.request(
                "GET",
                source.url,
                headers=conditional_headers(source),
                max_bytes=settings.MONITORING_MAX_BYTES,
            )
        except http.OutboundError as exc:
            return Observation(duration_ms=_since(started), error=str(exc))
    observation = Observation(
        http_status=response.status_code,
        duration_ms=_since(started),
        bytes_received=len(response.body),
        etag=response.headers.get("ETag", "")[:500],
        last_modified=response.headers.get("Last-Modified", "")[:100],
    )
    if response.status_code == 304:
        if not conditional_headers(source):
            observation.error = "304 Not Modified to a request that was not conditional"
        observation.not_modified = True
        return observation
    if response.status_code != 200:
        observation.error = f"HTTP {response.status_code}"
        if response.status_code in RETRY_AFTER_STATUSES:
            observation.retry_after = retry_after(response.headers.get("Retry-After"), now=now)
            if observation.retry_after is not None:
                observation.error += (
                    f" (Retry-After {int(observation.retry_after.total_seconds())} s)"
                )
        return observation
    observation.body_hash = body_hash(source, response.body)
    if source.current_hash and observation.body_hash == source.body_hash:
        # The very bytes of the accepted text, read the same way: no need to parse them again.
        observation.content_hash = source.current_hash
        return observation
    content_type = response.headers.get("Content-Type", "")
    kind = source.kind
    if kind == SourceKind.AUTO:
        kind = observation.detected_kind = kinds.kind_detect(
            content_type=content_type, body=response.body
        )
    try:
        raw = extract.extract_text(
            kind=kind,
            body=response.body,
            content_type=content_type,
            selector=source.selector,
        )
    except extract.ExtractionError as exc:
        observation.error = str(exc)
        return observation
    observation.text = extract.normalise(raw, ignore_patterns=source.ignore_pattern_list())
    observation.content_hash = extract.content_hash(observation.text)
    return observation


def body_hash(source: Source, body: bytes) -> str:
    """Hash of a body together with everything that decides how its text is read."""
    digest = hashlib.sha256(
        f"{source.kind}\0{source.selector}\0{source.ignore_patterns}\0".encode()
    )
    digest.update(body)
    return digest.hexdigest()


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)

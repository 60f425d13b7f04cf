"""One fetch of a source, turned into an observation: status, validators, normalised text or error.

No database writes here: services.source_check decides what an observation means.
"""

import datetime
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings

from tracker.lib import http
from tracker.lib.deadline import Deadline
from tracker.lib.retry_after import retry_after_seconds
from tracker.monitoring import extract, politeness
from tracker.monitoring.models import Source, SourceKind

# Statuses whose Retry-After the next check honours.
RETRY_AFTER_STATUSES = {429, 503}
RETRY_AFTER_MAX = datetime.timedelta(days=7)
# A library's error message is cut to this for the check log.
FAILURE_MESSAGE_CHARS = 300


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


def source_observe(source: Source, *, now: datetime.datetime) -> Observation:
    """Fetch the source politely and extract its normalised text. Raises politeness.HostBusy.

    Nothing a page does escapes as an exception: whatever goes wrong (the network, pypdf, the
    HTML parser, JSON, decompression, memory) ends here as the observation's error, which the
    check records and counts toward the source's failures.
    """
    started = time.monotonic()
    observation = Observation()
    try:
        _observe(source, observation, now=now)
    except politeness.NotNow:
        raise
    except Exception as exc:
        observation.error = failure_reason(exc)
        observation.text = observation.content_hash = ""
    observation.duration_ms = _since(started)
    return observation


def failure_reason(exc: Exception) -> str:
    """Our own errors say what happened already; any other is named by its class."""
    if isinstance(exc, http.OutboundError | extract.ExtractionError):
        return str(exc)
    message = " ".join(str(exc).split())
    if len(message) > FAILURE_MESSAGE_CHARS:
        message = message[: FAILURE_MESSAGE_CHARS - 1] + "…"
    return f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__


def _observe(source: Source, observation: Observation, *, now: datetime.datetime) -> None:
    hold = settings.OUTBOUND_DEADLINE_SECONDS + settings.MONITORING_HOST_SPACING_SECONDS + 5
    with politeness.host_slot(source.host, hold_seconds=hold):
        # One deadline for the fetch and the extraction together, from the host's turn.
        deadline = Deadline.after(settings.OUTBOUND_DEADLINE_SECONDS)
        response = http.request(
            "GET",
            source.url,
            headers=conditional_headers(source),
            deadline=deadline,
            max_bytes=settings.MONITORING_MAX_BYTES,
        )
    observation.http_status = response.status_code
    observation.bytes_received = len(response.body)
    observation.etag = response.headers.get("ETag", "")[:500]
    observation.last_modified = response.headers.get("Last-Modified", "")[:100]
    if response.status_code == 304:
        if not conditional_headers(source):
            observation.error = "304 Not Modified to a request that was not conditional"
        observation.not_modified = True
        return
    if response.status_code != 200:
        observation.error = f"HTTP {response.status_code}"
        if response.status_code in RETRY_AFTER_STATUSES:
            seconds = retry_after_seconds(response.headers.get("Retry-After"), now=now)
            if seconds is not None:
                observation.retry_after = min(datetime.timedelta(seconds=seconds), RETRY_AFTER_MAX)
                observation.error += (
                    f" (Retry-After {int(observation.retry_after.total_seconds())} s)"
                )
        return
    observation.body_hash = body_hash(source, response.body)
    if source.current_hash and observation.body_hash == source.body_hash:
        # The very bytes of the accepted text, read the same way: no need to parse them again.
        observation.content_hash = source.current_hash
        return
    extraction = extract.extract_text(
        kind=source.kind,
        body=response.body,
        content_type=response.headers.get("Content-Type", ""),
        selector=source.selector,
        deadline=deadline,
    )
    del response  # the body is not needed any more; the text may be big too
    if source.kind == SourceKind.AUTO:
        observation.detected_kind = extraction.kind
    observation.text = extract.normalise(
        extraction.text, ignore_patterns=source.ignore_pattern_list()
    )
    observation.content_hash = extract.content_hash(observation.text)


def body_hash(source: Source, body: bytes) -> str:
    """Hash of a body together with everything that decides how its text is read."""
    digest = hashlib.sha256(
        f"{source.kind}\0{source.selector}\0{source.ignore_patterns}\0".encode()
    )
    digest.update(body)
    return digest.hexdigest()


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)

"""Reads of source monitoring."""

from tracker.monitoring.models import Snapshot, Source


def snapshots_recent(*, source: Source, limit: int) -> list[Snapshot]:
    """The source's last `limit` current texts, newest first (the flapping look-back)."""
    return list(
        Snapshot.objects.filter(source=source, became_current_at__isnull=False)
        .order_by("-became_current_at")
        .only("id", "content_hash", "became_current_at")[:limit]
    )

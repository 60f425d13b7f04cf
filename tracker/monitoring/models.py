"""Official sources, each attempt to check one, the distinct texts seen, and change proposals."""

import datetime
from urllib.parse import urlsplit

import soupsieve
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from tracker.monitoring.patterns import PatternError, compile_linear


class SourceKind(models.TextChoices):
    # Not set: each check decides from the response (monitoring.kinds) and records it.
    AUTO = "auto", "Detect from the response"
    HTML = "html", "HTML page"
    PDF = "pdf", "PDF document"
    JSON = "json", "JSON document"
    TEXT = "text", "Plain text"


# Sources are other people's servers: never checked more often than this.
MIN_CHECK_INTERVAL = datetime.timedelta(minutes=5)


def selector_problem(*, kind: str, selector: str) -> str | None:
    """Why a source's selector cannot work with its kind, in a curator's words; None if it can.

    Checked when a source is saved (Source.clean), so a typo is a form error, not a failed check.
    """
    if not selector:
        return None
    if kind in (SourceKind.PDF, SourceKind.TEXT):
        return f"{SourceKind(kind).label} sources take no selector: leave it empty."
    if kind == SourceKind.AUTO:
        # The selector is a CSS selector for HTML and a path for JSON: the kind must say which.
        return (
            "With a selector, set the kind: HTML page (a CSS selector) or JSON document (a path)."
        )
    if kind == SourceKind.JSON:
        if any(not segment for segment in selector.split(".")):
            return (
                "Not a JSON path: names, list indexes or * separated by dots, e.g. results.*.title."
            )
        return None
    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        return f"Not a valid CSS selector: {str(exc).splitlines()[0]}."
    return None


class SourceQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime):
        """Enabled sources whose next check time has come (the dispatcher's query)."""
        return self.filter(enabled=True, next_check_at__lte=now)

    def flagged(self):
        """Sources a curator should look at: too many failures in a row."""
        return self.filter(flagged_at__isnull=False)


class Source(models.Model):
    """A curated official URL for a jurisdiction, re-checked on a schedule."""

    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="sources"
    )
    url = models.URLField("URL", max_length=1000)
    kind = models.CharField(max_length=8, choices=SourceKind.choices, default=SourceKind.AUTO)
    # What the last read response was, for a source whose kind is "auto".
    detected_kind = models.CharField(
        max_length=8, choices=SourceKind.choices, blank=True, editable=False
    )
    title = models.CharField(max_length=400, blank=True)
    what = models.CharField(max_length=200, blank=True, help_text="e.g. statute, bill page")
    selector = models.CharField(
        max_length=500,
        blank=True,
        help_text="HTML: a CSS selector for the part that matters. JSON: a dotted path "
        "such as results.*.title (a * walks every item of a list).",
    )
    ignore_patterns = models.TextField(
        blank=True, help_text="Regular expressions, one a line, removed before comparing."
    )
    check_interval = models.DurationField(default=datetime.timedelta(hours=24))
    enabled = models.BooleanField(default=True)
    # Whether the page is the kratom law itself (its statute, rule or bill), not a generic
    # agency or meeting page: a jurisdiction with none is watched only by chance.
    kratom_specific = models.BooleanField(
        "kratom-specific",
        default=False,
        help_text="The page is about kratom itself (its statute, rule or bill), not a generic page.",
    )
    # Why the reference data stopped checking the page (it may stay a citation). Kept, so a
    # reseed never disables again a source a curator has switched back on.
    retired_reason = models.CharField(max_length=400, blank=True)
    # The values the seed last wrote (kind, title, what, kratom_specific): a field whose value
    # differs from these was edited by a curator, and the seed leaves it as the curator set it.
    seeded_values = models.JSONField(default=dict, blank=True, editable=False)
    next_check_at = models.DateTimeField(default=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    # HTTP validators of the accepted content, sent back as If-None-Match / If-Modified-Since.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # Hash of the accepted body bytes and of how they are read (kind, selector, patterns):
    # the same bytes read the same way give the same text, so they are not parsed again.
    body_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The text currently accepted as the source's content (None until the first check).
    current_snapshot = models.ForeignKey(
        "Snapshot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Its content hash, copied here so a check compares without a join.
    current_hash = models.CharField(max_length=64, blank=True, editable=False)
    # A new text seen once and waiting for the confirming re-fetch.
    candidate_hash = models.CharField(max_length=64, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_changed_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction__code", "url"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "url"], name="monitoring_source_unique_url"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="monitoring_source_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="monitoring_source_url_http",
            ),
            models.CheckConstraint(
                condition=Q(current_snapshot__isnull=True, current_hash="")
                | (Q(current_snapshot__isnull=False) & ~Q(current_hash="")),
                name="monitoring_source_current_hash_iff_snapshot",
            ),
            models.CheckConstraint(
                condition=Q(check_interval__gte=MIN_CHECK_INTERVAL),
                name="monitoring_source_interval_min",
            ),
        ]
        indexes = [
            # The dispatcher: WHERE enabled AND next_check_at <= now ORDER BY next_check_at
            # ... FOR UPDATE SKIP LOCKED. Partial, so disabled sources cost nothing.
            models.Index(
                fields=["next_check_at"], condition=Q(enabled=True), name="source_due_idx"
            ),
        ]

    def __str__(self):
        return self.title or self.url

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def ignore_pattern_list(self) -> list[str]:
        return [line.strip() for line in self.ignore_patterns.splitlines() if line.strip()]

    def clean(self):
        for pattern in self.ignore_pattern_list():
            try:
                compile_linear(pattern)
            except PatternError as exc:
                raise ValidationError(
                    {"ignore_patterns": f"{pattern!r} is not a usable regular expression: {exc}"}
                ) from None
        problem = selector_problem(kind=self.kind, selector=self.selector)
        if problem:
            raise ValidationError({"selector": problem})


class Outcome(models.TextChoices):
    BASELINE = "baseline", "First text recorded"
    NOT_MODIFIED = "not_modified", "Not modified (304)"
    UNCHANGED = "unchanged", "Unchanged"
    UNCONFIRMED = "unconfirmed", "New text, awaiting the confirming re-fetch"
    CHANGED = "changed", "Changed (proposal made)"
    REVERTED = "reverted", "Back to a recent text (no proposal)"
    FAILED = "failed", "Failed"


class CheckQuerySet(models.QuerySet):
    def older_than(self, moment: datetime.datetime):
        """Checks past the retention period (the purge task's query)."""
        return self.filter(started_at__lt=moment)


class Check(models.Model):
    """One attempt to check a source, whatever came of it."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="checks")
    started_at = models.DateTimeField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    duration_ms = models.PositiveIntegerField(default=0)
    bytes_received = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="monitoring_check_outcome_valid"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.FAILED) | ~Q(error=""),
                name="monitoring_check_failure_has_error",
            ),
        ]
        indexes = [
            # A source's check log, newest first (admin), and the purge by age.
            models.Index(fields=["source", "-started_at"], name="check_source_log_idx"),
            models.Index(fields=["started_at"], name="check_started_idx"),
        ]

    def __str__(self):
        return f"{self.source_id} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class Snapshot(models.Model):
    """A source's normalised text, stored once per distinct content hash."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    content_hash = models.CharField(max_length=64)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When this text last became the source's current text (flapping looks back by it).
    became_current_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_hash"], name="monitoring_snapshot_unique_hash"
            ),
        ]
        indexes = [
            # "The last few texts of this source": WHERE source_id = X ORDER BY
            # became_current_at DESC LIMIT n.
            models.Index(fields=["source", "-became_current_at"], name="snapshot_recent_idx"),
        ]

    def __str__(self):
        return f"{self.source_id}:{self.content_hash[:12]}"


class Relevance(models.TextChoices):
    LOW = "low", "Low"
    HIGH = "high", "High"


class ProposalState(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class ChangeProposal(models.Model):
    """A confirmed change of a source's text, waiting for (or decided by) a curator."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="proposals")
    old_snapshot = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, related_name="proposals_from"
    )
    new_snapshot = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, related_name="proposals_to"
    )
    diff = models.TextField(help_text="Unified line diff of the normalised texts.")
    relevance_score = models.PositiveIntegerField(default=0)
    relevance = models.CharField(max_length=8, choices=Relevance.choices, default=Relevance.LOW)
    state = models.CharField(
        max_length=16, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The status version a confirmation recorded.
    status_version = models.OneToOneField(
        "jurisdictions.StatusVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )

    class Meta:
        constraints = [
            # Two checks that saw the same new text make one proposal, not two.
            models.UniqueConstraint(
                fields=["source", "new_snapshot"], name="monitoring_changeproposal_unique_change"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ProposalState.values),
                name="monitoring_changeproposal_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(relevance__in=Relevance.values),
                name="monitoring_changeproposal_relevance_valid",
            ),
            # Decided exactly when not pending.
            models.CheckConstraint(
                condition=Q(state=ProposalState.PENDING, decided_at__isnull=True)
                | (~Q(state=ProposalState.PENDING) & Q(decided_at__isnull=False)),
                name="monitoring_changeproposal_decided_iff_not_pending",
            ),
            models.CheckConstraint(
                condition=Q(status_version__isnull=True) | Q(state=ProposalState.CONFIRMED),
                name="monitoring_changeproposal_version_only_if_confirmed",
            ),
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True, claimed_at__isnull=True)
                | Q(claimed_by__isnull=False, claimed_at__isnull=False),
                name="monitoring_changeproposal_claim_complete",
            ),
            models.CheckConstraint(
                condition=~Q(old_snapshot=models.F("new_snapshot")),
                name="monitoring_changeproposal_snapshots_differ",
            ),
        ]
        indexes = [
            # The curators' queue: WHERE state = 'pending' ORDER BY relevance, created_at.
            models.Index(fields=["state", "relevance", "created_at"], name="proposal_queue_idx"),
        ]

    def __str__(self):
        return f"Change of {self.source} ({self.get_state_display()})"


class ProposalApproval(models.Model):
    """The change proposal a confirmation waiting for a second curator came from.

    Kept here, not on StatusApproval: monitoring builds on jurisdictions, never the reverse.
    At most one pending approval per proposal is kept by proposal_confirm, which checks under
    the proposal's row lock (a partial unique index cannot see the approval's state).
    """

    approval = models.OneToOneField(
        "jurisdictions.StatusApproval",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="proposal_link",
    )
    proposal = models.ForeignKey(
        ChangeProposal, on_delete=models.PROTECT, related_name="approval_links"
    )

    def __str__(self):
        return f"approval {self.approval_id} of proposal {self.proposal_id}"

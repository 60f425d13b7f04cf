"""Measures: bills, rules, notices and ordinances on their way to becoming law (or not).

A measure is never a status: it says what a jurisdiction's law *would* become. Its action
history is append-only, like status versions; the per-product "would change" uses the
status versions' categories and rule values, plus "unchanged".
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from jurisdictions.models import Category, Jurisdiction, Rule


class Kind(models.TextChoices):
    BILL = "bill", "Bill"
    EMERGENCY_RULE = "emergency_rule", "Emergency rule"
    PROPOSED_RULE = "proposed_rule", "Proposed rule"
    FINAL_RULE = "final_rule", "Final rule"
    SCHEDULING_NOTICE = "scheduling_notice", "Scheduling notice"
    ORDINANCE = "ordinance", "Ordinance"
    AGENCY_ACTION = "agency_action", "Agency action"


class Stage(models.TextChoices):
    INTRODUCED = "introduced", "Introduced"
    IN_COMMITTEE = "in_committee", "In committee"
    PASSED_ONE_CHAMBER = "passed_one_chamber", "Passed one chamber"
    PASSED_BOTH = "passed_both", "Passed both chambers"
    ENACTED = "enacted", "Enacted"
    VETOED = "vetoed", "Vetoed"
    FAILED = "failed", "Failed"
    PROPOSED = "proposed", "Proposed"
    COMMENT_PERIOD = "comment_period", "Comment period"
    ADOPTED = "adopted", "Adopted"
    IN_FORCE = "in_force", "In force"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # The reference data has a row whose stage its sources did not settle.
    UNKNOWN = "unknown", "Unknown"


# A measure at one of these stages is over: it closes its curator item.
CLOSED_STAGES = frozenset({Stage.FAILED, Stage.VETOED, Stage.EXPIRED, Stage.WITHDRAWN})
# From these stages a curator may record the upcoming status version the measure brings.
LAW_STAGES = frozenset({Stage.ENACTED, Stage.ADOPTED, Stage.IN_FORCE})


class NextDateKind(models.TextChoices):
    HEARING = "hearing", "Hearing"
    COMMENT_DEADLINE = "comment_deadline", "Comment deadline"
    EFFECTIVE = "effective", "Takes effect"
    EXPIRES = "expires", "Expires"


class Change(models.TextChoices):
    """What a measure would do to one product category: a rule value, or nothing."""

    ALLOWED = Rule.ALLOWED.value, Rule.ALLOWED.label
    REGULATED = Rule.REGULATED.value, Rule.REGULATED.label
    BANNED = Rule.BANNED.value, Rule.BANNED.label
    UNCHANGED = "unchanged", "Unchanged"
    UNKNOWN = Rule.UNKNOWN.value, Rule.UNKNOWN.label


class Provider(models.TextChoices):
    REFERENCE = "reference", "Reference data"
    OPENSTATES = "openstates", "Open States"
    LEGISCAN = "legiscan", "LegiScan"
    FEDERAL_REGISTER = "federal_register", "Federal Register"
    CONGRESS = "congress", "Congress.gov"


class Review(models.TextChoices):
    # Low confidence (reference data) or low relevance (a provider's hit): curators only.
    LEAD = "lead", "Lead: for curators only"
    RELEVANT = "relevant", "Relevant"
    NOT_RELEVANT = "not_relevant", "Not about kratom"
    # The same measure as another record (another provider's): the public sees that one.
    SAME_AS = "same_as", "The same as another record"


def change_field_name(category: str) -> str:
    return f"change_{category}"


def _change_field():
    return models.CharField(max_length=12, choices=Change.choices, default=Change.UNKNOWN)


class MeasureQuerySet(models.QuerySet):
    def needing_review(self):
        """Measures a curator has not looked at since they appeared or moved a stage."""
        return self.filter(attention_since__isnull=False).exclude(review=Review.NOT_RELEVANT)

    def public(self):
        """What the public may be shown: relevant measures (never leads)."""
        return self.filter(review=Review.RELEVANT)


class Measure(models.Model):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="measures"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    identifier = models.CharField(max_length=200)
    session = models.CharField(max_length=60, blank=True)
    title = models.TextField()
    provider = models.CharField(max_length=20, choices=Provider.choices)
    # The provider's own id (Open States ocd-bill id, LegiScan bill_id, FR document number,
    # Congress "119/hr/21"); the reference data's is "<jurisdiction>|<identifier>".
    provider_key = models.CharField(max_length=200)
    # What the provider last said, to tell a changed record from an unchanged one
    # (LegiScan's change_hash, Open States' updated_at, Congress' updateDate, ...).
    change_hash = models.CharField(max_length=128, blank=True)
    official_url = models.URLField(max_length=1000, blank=True)
    page_url = models.URLField("where it was read", max_length=1000, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    stage_date = models.DateField(null=True, blank=True)
    next_date = models.DateField(null=True, blank=True)
    next_date_kind = models.CharField(max_length=20, choices=NextDateKind.choices, blank=True)
    sponsors = models.JSONField(default=list, blank=True)
    would_change = models.TextField("would change (in words)", blank=True)
    change_leaf = _change_field()
    change_extract = _change_field()
    change_7oh = _change_field()
    change_synthetic = _change_field()
    changes_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes_confirmed_at = models.DateTimeField(null=True, blank=True)
    review = models.CharField(max_length=16, choices=Review.choices)
    relevance_score = models.PositiveIntegerField(default=0)
    confidence = models.CharField(max_length=8, blank=True)
    as_of = models.DateField(null=True, blank=True, help_text="The date the facts are as of.")
    notes = models.TextField(blank=True)
    # Set when the measure appears or changes stage, cleared by a curator's decision (or a
    # closing stage): the "Verify next" item.
    attention_since = models.DateTimeField(null=True, blank=True)
    attention_reason = models.CharField(max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        constraints = [
            # One row per provider record: a second run, or a run killed and redone, finds
            # the row instead of adding one.
            models.UniqueConstraint(
                fields=["provider", "provider_key"], name="measures_measure_one_per_record"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="measures_measure_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="measures_measure_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(provider__in=Provider.values), name="measures_measure_provider_valid"
            ),
            models.CheckConstraint(
                condition=Q(review__in=Review.values), name="measures_measure_review_valid"
            ),
            models.CheckConstraint(
                condition=~Q(identifier="") & ~Q(title="") & ~Q(provider_key=""),
                name="measures_measure_named",
            ),
            # A next date says what happens on it, and only a date has a kind.
            models.CheckConstraint(
                condition=(Q(next_date__isnull=True) & Q(next_date_kind=""))
                | (Q(next_date__isnull=False) & Q(next_date_kind__in=NextDateKind.values)),
                name="measures_measure_next_date_has_kind",
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=["", "high", "medium", "low"]),
                name="measures_measure_confidence_valid",
            ),
            # Low-confidence reference rows are leads until a curator says otherwise.
            models.CheckConstraint(
                condition=~Q(confidence="low")
                | ~Q(review=Review.RELEVANT)
                | Q(reviewed_by__isnull=False),
                name="measures_measure_low_confidence_not_public_unreviewed",
            ),
            models.CheckConstraint(
                condition=Q(changes_confirmed_by__isnull=True)
                | Q(changes_confirmed_at__isnull=False),
                name="measures_measure_changes_confirmed_dated",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{change_field_name(c)}__in": Change.values}),
                    name=f"measures_measure_change_{c}_valid",
                )
                for c in Category.values
            ],
        ]
        indexes = [
            # "Verify next": WHERE attention_since IS NOT NULL, grouped by jurisdiction.
            models.Index(
                fields=["jurisdiction", "attention_since"],
                condition=Q(attention_since__isnull=False),
                name="measure_attention_idx",
            ),
            # A place's measures, newest stage first (worklist item page, admin).
            models.Index(fields=["jurisdiction", "-stage_date"], name="measure_place_idx"),
        ]

    def __str__(self):
        return f"{self.jurisdiction.code} {self.identifier}"

    @property
    def changes(self) -> dict[str, str]:
        """Category → what the measure would do to it."""
        return {c: getattr(self, change_field_name(c)) for c in Category.values}

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES


class MeasureAction(models.Model):
    """One dated step of a measure (introduced, referred, passed, signed...). Append-only."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="actions")
    date = models.DateField(null=True, blank=True)
    description = models.TextField()
    # The stage this action moved the measure to ("" when it did not move it).
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    # A hash of the provider's facts of the action: the same action seen twice (a second
    # run, a run killed and redone) is one row.
    key = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "key"], name="measures_action_once"),
            models.CheckConstraint(
                condition=Q(stage="") | Q(stage__in=Stage.values),
                name="measures_action_stage_valid",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="measures_action_described"),
        ]
        indexes = [
            # A measure's timeline in date order.
            models.Index(fields=["measure", "date"], name="measure_action_timeline_idx"),
        ]

    def __str__(self):
        return f"{self.date or 'undated'}: {self.description[:60]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Measure actions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Measure actions are append-only.")


class ProviderState(models.Model):
    """One row per provider: where its last run got to, and whether it may run now."""

    provider = models.CharField(max_length=20, choices=Provider.choices, unique=True)
    # Provider-specific resume points: {"US-TX": "2026-12-01T00:00:00", ...}.
    cursors = models.JSONField(default=dict, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A 429's Retry-After, or a spent daily budget: no request before this.
    paused_until = models.DateTimeField(null=True, blank=True)
    # A run claims the provider until this (a conditional UPDATE): two runs never overlap,
    # and a run killed with its worker frees it when the lease ends.
    lease_until = models.DateTimeField(null=True, blank=True)
    budget_day = models.DateField(null=True, blank=True)
    requests_today = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=Provider.values), name="measures_state_provider_valid"
            ),
        ]

    def __str__(self):
        return self.get_provider_display()


class RunOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "Succeeded"
    FAILED = "failed", "Failed"
    PAUSED = "paused", "Paused (rate limit or budget)"


class ProviderRun(models.Model):
    """One run of one provider: what it asked and what it changed."""

    provider = models.CharField(max_length=20, choices=Provider.choices)
    jurisdiction_code = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=RunOutcome.choices)
    measures_created = models.PositiveIntegerField(default=0)
    measures_updated = models.PositiveIntegerField(default=0)
    actions_created = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=RunOutcome.values), name="measures_run_outcome_valid"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=RunOutcome.FAILED) | ~Q(error=""),
                name="measures_run_failure_has_error",
            ),
        ]
        indexes = [
            # A provider's run log, newest first (admin, `measures status`).
            models.Index(fields=["provider", "-started_at"], name="provider_run_log_idx"),
        ]

    def __str__(self):
        return f"{self.get_provider_display()} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class RequestOutcome(models.TextChoices):
    OK = "ok", "OK"
    FAILED = "failed", "Failed"
    RATE_LIMITED = "rate_limited", "Rate limited (429)"
    REFUSED = "refused", "Key refused"


class ProviderRequest(models.Model):
    """Every request a provider run made, and how it went (as source checks are logged)."""

    run = models.ForeignKey(ProviderRun, on_delete=models.CASCADE, related_name="requests")
    # The URL without the key.
    url = models.URLField(max_length=2000)
    started_at = models.DateTimeField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=RequestOutcome.choices)
    duration_ms = models.PositiveIntegerField(default=0)
    bytes_received = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=RequestOutcome.values),
                name="measures_request_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome=RequestOutcome.OK) | ~Q(error=""),
                name="measures_request_failure_has_error",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "started_at"], name="provider_request_run_idx"),
        ]

    def __str__(self):
        return f"{self.http_status or '-'} {self.url}"

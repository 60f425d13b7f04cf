import re

from django.conf import settings
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, When
from django.db.models.functions import Coalesce, TruncDate


class Level(models.TextChoices):
    COUNTRY = "country", "Country"
    STATE = "state", "State"
    TERRITORY = "territory", "Territory"
    COUNTY = "county", "County"
    CITY = "city", "City"


# Lower rank = higher level. A parent must rank strictly lower than its child.
LEVEL_RANK = {
    Level.COUNTRY: 0,
    Level.STATE: 1,
    Level.TERRITORY: 1,
    Level.COUNTY: 2,
    Level.CITY: 3,
}


class Status(models.TextChoices):
    BANNED = "banned", "Banned"
    RESTRICTED = "restricted", "Restricted"
    REGULATED = "regulated", "Regulated"
    LEGAL = "legal", "Legal"
    UNVERIFIED = "unverified", "Unverified"


STATUS_MEANINGS = {
    Status.BANNED: "Kratom is a controlled or prohibited substance here.",
    Status.RESTRICTED: "Kratom is legal only in part here: some products or local sales are banned.",
    Status.REGULATED: "Kratom is legal here under rules such as an age limit, labelling or testing.",
    Status.LEGAL: "No kratom-specific law on the leaf, extracts or 7-OH products was found here.",
    Status.UNVERIFIED: "No verified rule here says whether kratom leaf is legal: check the law "
    "yourself.",
}

# Used to pick the most restrictive answer when several levels apply (ZIP lookup).
STATUS_SEVERITY = {
    Status.BANNED: 4,
    Status.RESTRICTED: 3,
    Status.REGULATED: 2,
    Status.LEGAL: 1,
    Status.UNVERIFIED: 0,
}


class Category(models.TextChoices):
    """The product categories the law now treats apart; each status version rules on each."""

    LEAF = "leaf", "Leaf"
    EXTRACT = "extract", "Extracts"
    SEVEN_OH = "7oh", "7-OH products"
    SYNTHETIC = "synthetic", "Synthetic alkaloids"


CATEGORY_COVERS = {
    Category.LEAF: "natural leaf and whole-leaf products: powder, capsules, tea",
    Category.EXTRACT: "extracts and concentrates with the plant's natural alkaloid profile",
    Category.SEVEN_OH: "products enriched in or made with 7-hydroxymitragynine, and 7-OH itself",
    Category.SYNTHETIC: "synthetic or semi-synthetic alkaloids and derivatives (mitragynine "
    "pseudoindoxyl, MGM-15, MGM-16, synthetic 7-OH)",
}


class Rule(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    REGULATED = "regulated", "Regulated"
    BANNED = "banned", "Banned"
    UNKNOWN = "unknown", "Not verified"


RULE_MEANINGS = {
    Rule.ALLOWED: "No law restricting these products was found.",
    Rule.REGULATED: "Legal under rules: an age limit, labelling, testing or a cap.",
    Rule.BANNED: "Selling these products is prohibited (possessing them too, where shown).",
    Rule.UNKNOWN: "Nobody has verified this rule here: check the law yourself.",
}


class Scope(models.TextChoices):
    SALE = "sale", "Sale"
    POSSESSION = "possession", "Possession"
    UNKNOWN = "unknown", "Scope unknown"


# Most restrictive first when several levels of government rule on one product.
RULE_SEVERITY = {Rule.BANNED: 3, Rule.REGULATED: 2, Rule.ALLOWED: 1, Rule.UNKNOWN: 0}
SCOPE_SEVERITY = {Scope.POSSESSION: 2, Scope.UNKNOWN: 1, Scope.SALE: 0, "": 0}
MIN_AGE_RANGE = (14, 30)


def _rule_field():
    return models.CharField(max_length=12, choices=Rule.choices, default=Rule.UNKNOWN)


def _scope_field():
    return models.CharField(max_length=12, choices=Scope.choices, blank=True)


def _min_age_field():
    return models.PositiveSmallIntegerField(null=True, blank=True)


def _limit_field():
    return models.CharField(max_length=300, blank=True)


def product_rule_constraints(model: str) -> list[models.CheckConstraint]:
    """What holds for every category's rule: a known answer, scope exactly on a ban, sane age."""
    low, high = MIN_AGE_RANGE
    constraints = []
    for category in Category:
        rule, scope, age = f"rule_{category}", f"scope_{category}", f"min_age_{category}"
        constraints += [
            models.CheckConstraint(
                condition=Q(**{f"{rule}__in": Rule.values}),
                name=f"jurisdictions_{model}_rule_{category}_valid",
            ),
            models.CheckConstraint(
                condition=(Q(**{rule: Rule.BANNED}) & Q(**{f"{scope}__in": Scope.values}))
                | (~Q(**{rule: Rule.BANNED}) & Q(**{scope: ""})),
                name=f"jurisdictions_{model}_scope_{category}_only_banned",
            ),
            models.CheckConstraint(
                condition=Q(**{f"{age}__isnull": True})
                | Q(**{f"{age}__gte": low, f"{age}__lte": high}),
                name=f"jurisdictions_{model}_min_age_{category}_sane",
            ),
        ]
    return constraints


class ProductRules(models.Model):
    """One rule per product category: rule, scope (on a ban), minimum age and limit.

    Four column groups on the row rather than a child table: a version and its rules are one
    row, written once, read in the same join (no extra query on any list), and each
    category exists exactly once by construction. jurisdictions.rules reads and writes them.
    """

    rule_leaf = _rule_field()
    scope_leaf = _scope_field()
    min_age_leaf = _min_age_field()
    limit_leaf = _limit_field()
    rule_extract = _rule_field()
    scope_extract = _scope_field()
    min_age_extract = _min_age_field()
    limit_extract = _limit_field()
    rule_7oh = _rule_field()
    scope_7oh = _scope_field()
    min_age_7oh = _min_age_field()
    limit_7oh = _limit_field()
    rule_synthetic = _rule_field()
    scope_synthetic = _scope_field()
    min_age_synthetic = _min_age_field()
    limit_synthetic = _limit_field()

    class Meta:
        abstract = True

    @property
    def rules(self):
        from jurisdictions.rules import rules_of

        return rules_of(self)


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Origin(models.TextChoices):
    SEED = "seed", "Curated reference data"
    CURATOR = "curator", "Curator"


# A US state, DC or territory: US-TX, US-DC, US-PR (a state's places are US-TX-AUSTIN).
US_STATE_LEVELS = (Level.STATE, Level.TERRITORY)
US_STATE_CODE = re.compile(r"^US-[A-Z0-9]{1,3}$")


class JurisdictionQuerySet(models.QuerySet):
    def with_status(self):
        """Current and upcoming versions in the same query."""
        return self.select_related("current_status", "upcoming_status")

    def in_us(self):
        """The US federal level and everything below it."""
        return self.filter(Q(code="US") | Q(code__startswith="US-"))

    def states(self):
        """US states, DC and territories (Jurisdiction.is_us_state)."""
        return self.filter(level__in=US_STATE_LEVELS, code__regex=US_STATE_CODE.pattern)

    def verified_before(self, day):
        """Jurisdictions whose last verification is older than `day` (or never happened)."""
        return self.filter(Q(last_verified_on__lt=day) | Q(last_verified_on__isnull=True))


class Jurisdiction(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    ocd_id = models.CharField("OCD division id", max_length=200, null=True, blank=True, unique=True)
    # Denormalised pointers, moved only by services.status_record / statuses_promote_due.
    current_status = models.ForeignKey(
        "StatusVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    upcoming_status = models.ForeignKey(
        "StatusVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_verified_on = models.DateField(null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}(-[A-Z0-9]{1,3}(-[A-Z0-9]+)*)?$"),
                name="jurisdictions_jurisdiction_code_format",
            ),
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="jurisdictions_jurisdiction_level_valid"
            ),
            # Countries are the roots; everything else hangs below one.
            models.CheckConstraint(
                condition=(Q(level=Level.COUNTRY) & Q(parent__isnull=True))
                | (~Q(level=Level.COUNTRY) & Q(parent__isnull=False)),
                name="jurisdictions_jurisdiction_parent_iff_not_country",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="jurisdictions_jurisdiction_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(ocd_id__isnull=True) | Q(ocd_id__startswith="ocd-division/"),
                name="jurisdictions_jurisdiction_ocd_id_format",
            ),
        ]
        indexes = [
            # Home page and API filter by level; stale-verification filter by date.
            models.Index(fields=["level", "code"], name="jurisdiction_level_code_idx"),
            models.Index(fields=["last_verified_on"], name="jurisdiction_verified_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def status(self) -> str:
        """The status in force today; unverified (the baseline) when no curator confirmed one."""
        return self.current_status.status if self.current_status else Status.UNVERIFIED

    @property
    def is_us_state(self) -> bool:
        """A US state, DC or territory: what JurisdictionQuerySet.states selects."""
        return self.level in US_STATE_LEVELS and US_STATE_CODE.match(self.code) is not None

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent and LEVEL_RANK[self.parent.level] >= LEVEL_RANK[self.level]:
            raise ValidationError(
                {"parent": f"A {self.level} cannot sit below a {self.parent.level}."}
            )


class StatusVersionQuerySet(models.QuerySet):
    def newest_first(self):
        """History order: the latest confirmation first."""
        return self.order_by("-confirmed_at", "-id")


class StatusVersion(ProductRules):
    """One confirmed statement of a jurisdiction's status. Append-only: never updated.

    `status`, `min_age` and `seven_oh_rule` are derived from the product rules when the
    version is recorded (jurisdictions.rules); they are stored for filters and API v1.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="versions"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    summary = models.CharField(max_length=400)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    seven_oh_rule = models.CharField("7-OH rule", max_length=300, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    effective_date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    # [{"title": str, "url": str, "text": str}, ...]: see citations.citations_clean.
    citations = models.JSONField(default=list, blank=True)
    as_of = models.DateField(help_text="The date the facts were verified as of.")
    origin = models.CharField(max_length=16, choices=Origin.choices)
    note = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    objects = StatusVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="jurisdictions_statusversion_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(min_age__gte=14, min_age__lte=30),
                name="jurisdictions_statusversion_min_age_sane",
            ),
            models.CheckConstraint(
                condition=Q(effective_date_precision__in=DatePrecision.values),
                name="jurisdictions_statusversion_precision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(summary=""), name="jurisdictions_statusversion_summary_required"
            ),
            # A curator's confirmation names the curator; seeds name the reference data.
            models.CheckConstraint(
                condition=Q(origin=Origin.SEED) | Q(confirmed_by__isnull=False),
                name="jurisdictions_statusversion_curator_named",
            ),
            *product_rule_constraints("statusversion"),
        ]
        indexes = [
            # History timeline and "latest version" reads.
            models.Index(fields=["jurisdiction", "-confirmed_at"], name="version_history_idx"),
        ]

    def __str__(self):
        return f"{self.jurisdiction.code}: {self.status} (as of {self.as_of})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Status versions are append-only; record a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Status versions are append-only and cannot be deleted.")

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self.status]

    @property
    def basis_citations(self) -> list[dict]:
        """The citations public answers show: never a bill that is not law (citations.py)."""
        from jurisdictions.citations import basis_citations

        return basis_citations(self.citations)


# A lead's priority by kind, lower first, for the lead list and Verify next alike: a
# visitor's report, then a newer public finding (review leads), then a low-confidence lead
# of the reference data, which restates what the seed already knew.
LEAD_ORIGIN_PRIORITY = Case(When(origin="public", then=0), When(origin="review", then=1), default=2)
# The curators' order of leads (needs with_claimed_on): open first, by kind, then the
# newest claim, claims without a date last.
LEAD_REVIEW_ORDERING = [
    "-state",
    LEAD_ORIGIN_PRIORITY,
    F("claimed_on").desc(nulls_last=True),
    "-id",
]


class LeadQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Lead.State.OPEN)

    def with_claimed_on(self):
        """`claimed_on`: the claim's own date; a visitor's report is dated the day it came.
        None when the source gave no date."""
        return self.annotate(
            claimed_on=Case(
                When(origin="public", then=Coalesce("as_of", TruncDate("created_at"))),
                default=F("as_of"),
            )
        )

    def with_superseded(self):
        """`superseded`: the claim is older than the place's last verification, so a
        curator has probably seen what it says already."""
        return self.with_claimed_on().annotate(
            superseded=ExpressionWrapper(
                Q(claimed_on__lt=F("jurisdiction__last_verified_on")),
                output_field=models.BooleanField(),
            )
        )

    def fresh(self):
        """Open leads whose claim is newer than the place's last verification (or never
        verified): what a curator has not seen yet."""
        return (
            self.open()
            .with_claimed_on()
            .filter(
                Q(jurisdiction__last_verified_on__isnull=True)
                | Q(claimed_on__isnull=True)
                | Q(claimed_on__gte=F("jurisdiction__last_verified_on"))
            )
        )

    def review_order(self):
        """Open first; by kind (LEAD_ORIGIN_PRIORITY); then the newest claim first."""
        return self.with_superseded().order_by(*LEAD_REVIEW_ORDERING)


class Lead(models.Model):
    """A fact worth a curator's look that is not (yet) a confirmed status."""

    class Origin(models.TextChoices):
        SEED = "seed", "Low-confidence reference data"
        PUBLIC = "public", "Correction reported by a visitor"
        REVIEW = "review", "Newer public finding (review leads)"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="leads")
    origin = models.CharField(max_length=16, choices=Origin.choices)
    reported_status = models.CharField(max_length=16, blank=True)
    summary = models.TextField(blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    seven_oh_rule = models.CharField(max_length=300, blank=True)
    effective_date_text = models.CharField(max_length=32, blank=True)
    citation = models.TextField(blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    evidence = models.TextField(blank=True)
    what_to_check = models.TextField(blank=True)
    # The date of the claim (its source's date for a review lead).
    as_of = models.DateField(null=True, blank=True)
    confidence = models.CharField(max_length=16, blank=True)
    contact_email = models.EmailField(blank=True)
    # Low-confidence product rules of the reference data: [{category, rule, scope, min_age,
    # limit, basis}]. Interpretations for a curator to check, never shown as facts.
    rule_suggestions = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        constraints = [
            # The seed keeps at most one lead per jurisdiction, so reseeding is idempotent.
            models.UniqueConstraint(
                fields=["jurisdiction"],
                condition=Q(origin="seed"),
                name="jurisdictions_lead_one_seed_lead",
            ),
            # A finding is identified by its place and its source: reloading is idempotent.
            models.UniqueConstraint(
                fields=["jurisdiction", "source_url"],
                condition=Q(origin="review"),
                name="jurisdictions_lead_one_review_lead_per_source",
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(closed_at__isnull=False),
                name="jurisdictions_lead_closed_has_time",
            ),
        ]
        indexes = [
            # Curators' queue of open leads.
            models.Index(fields=["state", "created_at"], name="lead_queue_idx"),
        ]

    def __str__(self):
        return f"Lead for {self.jurisdiction.code} ({self.get_origin_display()})"


class StatusFields(ProductRules):
    """The facts a curator states about a jurisdiction: the body of a status version."""

    status = models.CharField(max_length=16, choices=Status.choices)
    summary = models.CharField(max_length=400)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    seven_oh_rule = models.CharField("7-OH rule", max_length=300, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    effective_date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    citations = models.JSONField(default=list, blank=True)
    as_of = models.DateField()

    class Meta:
        abstract = True


class ApprovalState(models.TextChoices):
    PENDING = "pending", "Waiting for a second curator"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ApprovalQuerySet(models.QuerySet):
    def pending(self):
        """Approvals still waiting for a second curator."""
        return self.filter(state=ApprovalState.PENDING)


class StatusApproval(StatusFields):
    """A curator's confirmation that needs a second curator (four-eyes) before it is recorded."""

    State = ApprovalState

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="approvals"
    )
    note = models.TextField(blank=True)
    # The newest version the first curator saw: approving after a newer one is refused.
    seen_version = models.ForeignKey(
        StatusVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="approvals"
    )
    state = models.CharField(
        max_length=8, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    status_version = models.OneToOneField(
        StatusVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="approval"
    )

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ApprovalState.values),
                name="jurisdictions_statusapproval_state_valid",
            ),
            # Four-eyes: the second curator is never the first.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="jurisdictions_statusapproval_not_own",
            ),
            models.CheckConstraint(
                condition=Q(state="pending")
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="jurisdictions_statusapproval_decided_named",
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(status_version__isnull=False),
                name="jurisdictions_statusapproval_approved_has_version",
            ),
            # One confirmation at a time waits for a second curator per lead (per change
            # proposal: monitoring's ProposalApproval, under the proposal's row lock).
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(state="pending"),
                name="jurisdictions_statusapproval_one_pending_per_lead",
            ),
            *product_rule_constraints("statusapproval"),
        ]
        indexes = [
            # Admin index count and the approvals list: pending ones, oldest first.
            models.Index(
                fields=["requested_at"],
                condition=Q(state="pending"),
                name="approval_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction.code} → {self.status} (requested by {self.requested_by})"


class DecisionAction(models.TextChoices):
    CONFIRM = "confirm", "Confirmed a status"
    REQUEST_APPROVAL = "request_approval", "Asked a second curator to approve"
    APPROVE = "approve", "Approved another curator's confirmation"
    REJECT = "reject", "Rejected another curator's confirmation"
    DISMISS = "dismiss", "Dismissed"
    REVERIFY = "reverify", "Re-verified the current status"
    MANUAL_ENTRY = "manual_entry", "Recorded a status without a proposal"
    REBASELINE = "rebaseline", "Accepted a source's page as its new baseline"


class Decision(models.Model):
    """The audit trail: one row per curator decision, never updated or deleted."""

    Action = DecisionAction

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="decisions"
    )
    action = models.CharField(max_length=20, choices=DecisionAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    # What was decided on: "proposal 12", "lead 3", "approval 4" or "" for a manual entry.
    subject = models.CharField(max_length=40, blank=True)
    status_version = models.ForeignKey(
        StatusVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, blank=True)

    class Meta:
        permissions = [("decide_status", "Can confirm, dismiss, approve and re-verify statuses")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=DecisionAction.values),
                name="jurisdictions_decision_action_valid",
            ),
        ]
        indexes = [
            # The per-jurisdiction audit trail, newest first.
            models.Index(fields=["jurisdiction", "-at"], name="decision_trail_idx"),
            # The CSV export and the audit list, newest first.
            models.Index(fields=["-at"], name="decision_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit trail is append-only.")


class OneTimePassword(models.Model):
    """A password generated by createcurator and shown once: while the user's password is
    still this one, the admin asks them to choose their own before anything else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The user's password field as it was set (salted hash): a change of password changes it.
    password_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"one-time password of user {self.user_id}"

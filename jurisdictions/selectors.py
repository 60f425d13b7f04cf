"""Reads: the public pages, the API, the feeds and the export; and for curators, who may
decide, what waits and the audit trail."""

import datetime
import re
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from jurisdictions.models import (
    STATUS_SEVERITY,
    Category,
    Decision,
    Jurisdiction,
    Level,
    Origin,
    Rule,
    Status,
    StatusApproval,
    StatusVersion,
)
from jurisdictions.places import FEDERAL_CODE, PlaceAnswer, ZipPlaces, place_index
from jurisdictions.rules import (
    HEADLINE_CATEGORIES,
    ProductRule,
    categories_words,
    current_rules,
    minimum_age,
    rule_column_names,
    strictest,
)
from jurisdictions.zipdata import ZipRecord, zip_record

CODE_RE = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]+)*$")
OCD_RE = re.compile(r"^ocd-division/[a-z0-9_:/~.\-]+$")
# ASCII digits only: \d also matches full-width and Arabic-Indic digits, which the ZIP data
# refuses with an error.
ZIP_RE = re.compile(r"^([0-9]{5})(-[0-9]{4})?$")
ZIP_FORMAT = (
    "A US ZIP code is five digits 0-9 (for example 73301), optionally followed by a dash and "
    "four more (73301-0001)."
)
PARENT_FIELD = Jurisdiction._meta.get_field("parent")


def jurisdiction_get(*, code: str) -> Jurisdiction | None:
    """One jurisdiction by its code (any case) or its OCD division id, with statuses and parent."""
    code = code.strip()
    if OCD_RE.match(code):
        lookup = Q(ocd_id=code)
    elif CODE_RE.match(code) and len(code) <= 64:
        lookup = Q(code=code.upper())
    else:
        return None
    return (
        Jurisdiction.objects.with_status()
        .select_related(
            "parent__current_status", "parent__upcoming_status", "parent__parent__current_status"
        )
        .filter(lookup)
        .first()
    )


def jurisdictions_filter(
    *,
    level: str | None = None,
    parent: Jurisdiction | None = None,
    status: str | None = None,
    category: str | None = None,
    rule: str | None = None,
) -> QuerySet[Jurisdiction]:
    """Jurisdictions with their statuses and parent, in code order, optionally filtered.

    category and rule: "which jurisdictions ban 7-OH products?"; rule alone: in any
    category; category alone: where that product's rule is known.
    """
    queryset = Jurisdiction.objects.with_status().select_related("parent").order_by("code")
    if level:
        queryset = queryset.filter(level=level)
    if parent is not None:
        queryset = queryset.filter(parent=parent)
    if status == Status.UNVERIFIED:
        queryset = queryset.filter(
            Q(current_status__isnull=True) | Q(current_status__status=Status.UNVERIFIED)
        )
    elif status:
        queryset = queryset.filter(current_status__status=status)
    if category or rule:
        queryset = queryset.filter(_rule_matches(category, rule))
    return queryset


def _rule_matches(category: str | None, rule: str | None) -> Q:
    if rule is None:
        return Q(current_status__isnull=False) & ~Q(
            **{f"current_status__rule_{category}": Rule.UNKNOWN}
        )
    matches = Q()
    for each in [category] if category else Category.values:
        matches |= Q(**{f"current_status__rule_{each}": rule})
    if rule == Rule.UNKNOWN:
        matches |= Q(current_status__isnull=True)
    return matches


@dataclass
class RuleRow:
    """One product on a jurisdiction's page: its own rule and the higher levels' rules."""

    rule: ProductRule
    layers: list[ProductRule]


def jurisdiction_layers(*, jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    """The higher levels whose law applies too (state, federal), nearest first; loaded by
    jurisdiction_get, so no query."""
    layers, parent = [], jurisdiction.parent
    while parent is not None and len(layers) < 2:
        layers.append(parent)
        # Only as far as jurisdiction_get loaded: never a query per level.
        parent = parent.parent if PARENT_FIELD.is_cached(parent) else None
    return layers


def jurisdiction_rule_rows(*, jurisdiction: Jurisdiction, layers: list) -> list[RuleRow]:
    own = current_rules(jurisdiction)
    higher = [current_rules(layer) for layer in layers]
    return [RuleRow(rule, [rules[category] for rules in higher]) for category, rule in own.items()]


def jurisdiction_children(*, jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    """Local exceptions and sub-divisions, with their statuses, most restrictive first."""
    children = list(Jurisdiction.objects.with_status().filter(parent=jurisdiction))
    return sorted(children, key=lambda child: (-STATUS_SEVERITY[child.status], child.name))


def jurisdiction_history(*, jurisdiction: Jurisdiction) -> list[StatusVersion]:
    """Every version, newest first, each with the previous version's status and rules."""
    versions = list(jurisdiction.versions.newest_first())
    for version, previous in zip(versions, [*versions[1:], None], strict=False):
        _previous_attach(version, previous)
    return versions


def _previous_attach(version: StatusVersion, previous: StatusVersion | None) -> None:
    """What a change shows of the version before it (None: the first one): its status, its
    rules and its effective date with their precision."""
    version.previous_status = previous.status if previous else None
    version.previous_rules = previous.rules if previous else None
    version.previous_effective = (
        (previous.effective_date, previous.effective_date_precision) if previous else None
    )


NEXT_DATE_WORDS = {
    "hearing": "hearing",
    "comment_deadline": "comment period ends",
    "effective": "takes effect",
    "expires": "expires",
}


@dataclass
class TimelineEntry:
    """One dated point of a place's timeline: a status version or a pending measure."""

    day: datetime.date | None
    kind: str  # "scheduled", "in_force", "past" (versions) or "pending" (a measure)
    version: StatusVersion | None = None
    measure: dict | None = None
    next_words: str = ""


def _day_of(iso: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(iso) if iso else None


def _version_kind(jurisdiction: Jurisdiction, version: StatusVersion) -> str:
    if version.pk == jurisdiction.upcoming_status_id:
        return "scheduled"
    return "in_force" if version.pk == jurisdiction.current_status_id else "past"


def jurisdiction_timeline(
    *, jurisdiction: Jurisdiction, history: list[StatusVersion], pending: dict[int, list[dict]]
) -> list[TimelineEntry]:
    """Versions (past, in force, scheduled) and pending measures (`pending`: from
    jurisdictions.pending, the place's own, its higher levels' and its places') on one
    dated line, newest first; an undated entry goes by when it was recorded or moved."""
    entries = [
        TimelineEntry(v.effective_date or v.as_of, _version_kind(jurisdiction, v), version=v)
        for v in history
    ]
    for measures in pending.values():
        for measure in measures:
            day = _day_of(measure["next_date"]) or _day_of(measure["stage_date"])
            words = NEXT_DATE_WORDS.get(measure["next_date_kind"] or "", "")
            entries.append(TimelineEntry(day, "pending", measure=measure, next_words=words))
    return sorted(entries, key=lambda e: e.day or datetime.date.min, reverse=True)


def states_with_status() -> list[Jurisdiction]:
    """US states, DC and territories by name."""
    return list(Jurisdiction.objects.states().with_status().order_by("name"))


def countries_with_status() -> list[Jurisdiction]:
    return list(Jurisdiction.objects.filter(level=Level.COUNTRY).with_status().order_by("name"))


# The previous version's columns a change shows (_previous_attach).
PREVIOUS_COLUMNS = ["status", "effective_date", "effective_date_precision", *rule_column_names()]


def changes_list(
    *,
    since: datetime.datetime | None = None,
    curator_only: bool = False,
    limit: int = 200,
    oldest_first: bool = False,
) -> list[StatusVersion]:
    """Recorded status versions (newest first unless asked), with jurisdiction and the
    previous version's status and rules: one query, whatever the number of rows, and in it
    one subquery per row that finds the previous version and returns its columns at once."""
    previous = StatusVersion.objects.filter(
        jurisdiction=OuterRef("jurisdiction"), confirmed_at__lt=OuterRef("confirmed_at")
    ).newest_first()
    columns = JSONObject(**{name: name for name in PREVIOUS_COLUMNS})
    versions = StatusVersion.objects.select_related("jurisdiction").annotate(
        previous_columns=Subquery(previous.values(columns=columns)[:1])
    )
    if since is not None:
        versions = versions.filter(confirmed_at__gte=since)
    if curator_only:
        versions = versions.filter(origin=Origin.CURATOR)
    ordered = versions.order_by("confirmed_at", "id") if oldest_first else versions.newest_first()
    changes = list(ordered[:limit])
    for version in changes:
        _previous_attach(version, _version_of(version.previous_columns))
    return changes


def _version_of(columns: dict | None) -> StatusVersion | None:
    """An unsaved version holding these columns (JSON values made Python ones again)."""
    if columns is None:
        return None
    field = StatusVersion._meta.get_field
    return StatusVersion(**{name: field(name).to_python(value) for name, value in columns.items()})


def export_rows() -> list[Jurisdiction]:
    """Every jurisdiction with its statuses and parent, in code order (the bulk export)."""
    return list(jurisdictions_filter())


class ZipMalformed(ValueError):
    pass


class ZipUnknown(LookupError):
    pass


@dataclass
class DecidedRule:
    """A product's answer for a ZIP: the most restrictive rule, and the level that set it."""

    rule: ProductRule
    by: Jurisdiction | None


@dataclass(frozen=True)
class ZipAnswer(ZipPlaces):
    """A ZIP code's places (federal, state, counties, cities), their rules and the answer."""

    zip_code: str
    # The most restrictive headline of state, county and city (API v1's answer).
    answer: PlaceAnswer
    notes: list[str]
    # Per category: the most restrictive rule of federal, state, county and city.
    rules: dict[str, DecidedRule] = field(default_factory=dict)
    # The highest minimum age any level sets.
    min_age: int | None = None
    # Every level's rules in one sentence (answer_sentence).
    sentence: str = ""
    # `?on=`: the date the answer is for (None: today's law).
    on: datetime.date | None = None

    @property
    def deciding(self) -> list[Jurisdiction]:
        """The levels that decided at least one product's rule, each once, broadest first."""
        levels = {}
        for decided in self.rules.values():
            if decided.by is not None:
                levels.setdefault(decided.by.pk, decided.by)
        return list(levels.values())


def zip_lookup(*, zip_code: str, on: datetime.date | None = None) -> ZipAnswer:
    """State, county and city of a ZIP (or ZIP+4) code with each status, and the most
    restrictive as the answer; with `on`, the law in force on that date. Raises ZipMalformed
    and ZipUnknown."""
    match = ZIP_RE.match(zip_code.strip())
    if not match:
        raise ZipMalformed(ZIP_FORMAT)
    record = zip_record(match.group(1))
    if record is None:
        raise ZipUnknown(f"{zip_code.strip()} is not a ZIP code in the offline US ZIP data.")
    return zip_answer(record=record, on=on)


def zip_answer(*, record: ZipRecord, on: datetime.date | None = None) -> ZipAnswer:
    """A ZIP record's places (places.PlaceIndex.zip_places) with their rules and notes."""
    found = place_index(on).zip_places(record)
    # Most restrictive wins; on a tie the broader level, which applies to the whole ZIP.
    answer = max(found.places, key=lambda place: STATUS_SEVERITY[place.status or Status.UNVERIFIED])
    rules = zip_rules(found.levels)
    no_law = (
        "No state or local kratom law" if found.state.jurisdiction else "No kratom law on record"
    )
    return ZipAnswer(
        zip_code=record.zip_code,
        on=on,
        state=found.state,
        counties=found.counties,
        cities=found.cities,
        answer=answer,
        notes=_zip_notes(found.state, found.counties, found.cities),
        federal=found.federal,
        rules=rules,
        min_age=minimum_age({category: decided.rule for category, decided in rules.items()}),
        sentence=answer_sentence(rules, no_law=no_law),
    )


def zip_rules(levels: list[Jurisdiction]) -> dict[str, DecidedRule]:
    """Per category, the most restrictive rule of the levels (broadest first) that have a
    current version; a tie goes to the broader level, which applies to the whole ZIP.

    The minimum age of a category is the highest any level sets, whichever level decided.
    """
    decided = {}
    with_rules = [(j, j.current_status.rules) for j in levels if j.current_status]
    for category in Category:
        candidates = [(rules[category], j) for j, rules in with_rules]
        if not candidates:
            decided[category.value] = DecidedRule(ProductRule(category.value), None)
            continue
        rule, by = strictest(candidates)
        ages = [r.min_age for r, _ in candidates if r.min_age and r.rule != Rule.UNKNOWN]
        if ages and rule.rule != Rule.BANNED:
            rule = replace(rule, min_age=max(ages))
        decided[category.value] = DecidedRule(rule, by if rule.rule != Rule.UNKNOWN else None)
    return decided


ISO_DATE = re.compile(r"\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b")  # [0-9]: \d takes any script


def unscheduled_changes(
    *, jurisdiction: Jurisdiction, today: datetime.date | None = None
) -> list[datetime.date]:
    """Future dates the current summary names while no change is scheduled (Kentucky's
    "bans sales from 2027-01-01"): a claim for curators to verify and, with its source,
    record as a scheduled version, never a silent "Upcoming: none" beside it."""
    current = jurisdiction.current_status
    if current is None or jurisdiction.upcoming_status_id is not None:
        return []
    today = today or timezone.localdate()
    dates = []
    for match in ISO_DATE.finditer(current.summary):
        try:
            day = datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
        if day > today:
            dates.append(day)
    return dates


def jurisdiction_sentence(*, jurisdiction: Jurisdiction, layers: list[Jurisdiction]) -> str:
    """A place's answer in one sentence, with the higher levels' law: Washington says "No state
    kratom law; synthetic alkaloids are banned federally"."""
    levels = [*reversed(layers), jurisdiction]  # broadest first, as zip_rules wants
    words = list(dict.fromkeys(LAW_WORDS[_law_level(level)] for level in levels))
    own = [word for word in words if word != "federal"] or words
    return answer_sentence(zip_rules(levels), no_law=f"No {' or '.join(own)} kratom law")


# How a sentence names a level's law ("No state or local kratom law").
LAW_WORDS = {"federal": "federal", Level.COUNTRY: "national", Level.STATE: "state",
             Level.TERRITORY: "territorial", Level.COUNTY: "local", Level.CITY: "local"}  # fmt: skip


def _law_level(jurisdiction: Jurisdiction) -> str:
    return "federal" if jurisdiction.code == FEDERAL_CODE else jurisdiction.level


def _by_words(jurisdiction: Jurisdiction) -> str:
    """Who set a rule, for a sentence: "federally", "by the state", "by Sarasota County"."""
    level = _law_level(jurisdiction)
    if level == "federal":
        return "federally"
    if level == Level.COUNTRY:
        return "nationally"
    if level in (Level.STATE, Level.TERRITORY):
        return f"by the {Level(level).label.lower()}"
    return f"by {jurisdiction.name}"


def answer_sentence(decided: dict[str, DecidedRule], *, no_law: str) -> str:
    """Every level's rules in one sentence: "No state or local kratom law; synthetic
    alkaloids are banned federally". The headline's word alone ("Legal") would hide the
    federal ban beside it."""
    no_headline_law = all(decided[c].rule.rule == Rule.ALLOWED for c in HEADLINE_CATEGORIES)
    clauses = [no_law] if no_headline_law else []
    groups: dict[tuple[str, str], list[str]] = {}
    for category, answer in decided.items():
        if no_headline_law and category in HEADLINE_CATEGORIES:
            continue
        rule = answer.rule.rule
        by = _by_words(answer.by) if rule in (Rule.BANNED, Rule.REGULATED) else ""
        groups.setdefault((rule, by), []).append(category)
    for rule in (Rule.BANNED, Rule.REGULATED, Rule.ALLOWED, Rule.UNKNOWN):
        for (grouped_rule, by), categories in groups.items():
            if grouped_rule == rule:
                clauses.append(_clause(categories, rule, by))
    sentence = "; ".join(clauses)
    return sentence[:1].upper() + sentence[1:] + "."


def _clause(categories: list[str], rule: str, by: str) -> str:
    words = categories_words(categories)
    if rule == Rule.UNKNOWN:
        return f"{words}: not verified"
    verb = "is" if categories == [Category.LEAF] else "are"
    return " ".join(filter(None, [words, verb, Rule(rule).label.lower(), by]))


def _zip_notes(state: PlaceAnswer, counties: tuple, cities: tuple) -> list[str]:
    notes = []
    if state.jurisdiction is None:
        notes.append(f"We have no record for {state.name}; its status is unverified.")
    if not counties:
        notes.append(
            "The ZIP data names no county for this ZIP code: check whether your county has "
            "rules of its own."
        )
    elif len(counties) > 1:
        names = ", ".join(county.name for county in counties)
        notes.append(
            f"This ZIP code spans more than one county ({names}). The answer is the most "
            "restrictive of them: check which county you are in."
        )
    else:
        notes.append(
            "ZIP codes follow mail routes, not county lines: the ZIP data names this ZIP "
            "code's main county, and a few addresses may lie in a neighbouring one."
        )
    if len(cities) > 1:
        notes.append(
            "This ZIP code serves more than one place with its own record: the answer is the "
            "most restrictive of them."
        )
    if any(
        place.jurisdiction and place.status == Status.UNVERIFIED
        for place in [state, *counties, *cities]
    ):
        notes.append("Part of this answer is unverified: no curator has confirmed it yet.")
    return notes


# Curators


def user_is_curator(user) -> bool:
    """Members of the Curators group and superusers; nobody else (staff included)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_curator"):
        # Cached on the user object: an admin page asks several times per request.
        user._is_curator = user.groups.filter(name=settings.CURATORS_GROUP).exists()
    return user._is_curator


def jurisdiction_latest_version_id(*, jurisdiction_id: int) -> int | None:
    """The newest status version recorded for a jurisdiction: what a curator saw when opening."""
    return (
        StatusVersion.objects.filter(jurisdiction_id=jurisdiction_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def stale_verification_cutoff(*, today: datetime.date | None = None) -> datetime.date:
    """Verified before this day means not verified within VERIFICATION_STALE_DAYS."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.VERIFICATION_STALE_DAYS)


def jurisdictions_stale(*, today: datetime.date | None = None) -> QuerySet[Jurisdiction]:
    """Jurisdictions with a status that nobody has verified within the stale window."""
    cutoff = stale_verification_cutoff(today=today)
    return Jurisdiction.objects.filter(current_status__isnull=False).verified_before(cutoff)


def approvals_pending() -> QuerySet[StatusApproval]:
    """Confirmations waiting for a second curator, oldest first."""
    return (
        StatusApproval.objects.pending()
        .select_related("jurisdiction", "requested_by")
        .order_by("requested_at", "id")
    )


def decisions_trail(*, jurisdiction_id: int | None = None) -> QuerySet[Decision]:
    """The audit trail, newest first, optionally for one jurisdiction."""
    decisions = Decision.objects.select_related("jurisdiction", "actor").order_by("-at", "-id")
    if jurisdiction_id is not None:
        decisions = decisions.filter(jurisdiction_id=jurisdiction_id)
    return decisions


DECISIONS_CSV_HEADER = [
    "at",
    "jurisdiction",
    "action",
    "curator",
    "subject",
    "status",
    "status_version",
    "reason",
]
# A cell starting with one of these is a formula to a spreadsheet: prefix it so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def decisions_csv_rows(*, jurisdiction_id: int | None = None):
    """The audit trail as CSV rows (header first), streamed in chunks."""
    yield DECISIONS_CSV_HEADER
    decisions = decisions_trail(jurisdiction_id=jurisdiction_id)
    for decision in decisions.iterator(chunk_size=500):
        yield [
            _csv_cell(cell)
            for cell in (
                decision.at.isoformat(),
                decision.jurisdiction.code,
                decision.action,
                decision.actor.get_username(),
                decision.subject,
                decision.status,
                decision.status_version_id,
                decision.reason,
            )
        ]


def curator_emails() -> list[str]:
    """Addresses of active curators (the digest's recipients when CURATOR_EMAILS is empty)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=settings.CURATORS_GROUP)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))

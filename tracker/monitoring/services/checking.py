"""Checking sources: fetching each, and recording what the fetch meant.

A check never holds a database transaction open while it fetches: a run of checks claims its
sources in Redis (so two workers never check one source at once), reads them, fetches each,
and records what a fetch meant: a failure or a new text at once (a new text in one short
transaction), an unchanged check together with the run's other unchanged checks.
"""

import contextlib
import datetime
import logging
import math
import random
import time
from dataclasses import dataclass
from functools import lru_cache, partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tracker.lib.bulk import arrays_sql, column_values
from tracker.lib.db import write_on_a_live_connection
from tracker.monitoring import checks, extract, politeness, relevance, selectors
from tracker.monitoring.models import ChangeProposal, Check, Outcome, Relevance, Snapshot, Source
from tracker.monitoring.services.scheduling import sources_enqueue

logger = logging.getLogger(__name__)


# An unchanged check's outcome waits at most this long to be written with others.
UNCHANGED_WRITE_DELAY_SECONDS = 2.0


@dataclass
class CheckResult:
    source_id: int
    # None when no check was made (another one is running, or the host was busy).
    outcome: str | None
    skipped: str = ""
    check_id: int | None = None
    proposal_id: int | None = None


def _jittered(delay: datetime.timedelta) -> datetime.timedelta:
    """Spread checks so sources added together do not stay in lock-step."""
    spread = settings.MONITORING_JITTER_FRACTION
    return delay * random.uniform(1 - spread, 1 + spread)


def source_check(*, source_id: int) -> CheckResult:
    """Check one source now and record what came of it. Raises Source.DoesNotExist."""
    return _sources_run([source_id], budget_seconds=math.inf, missing_ok=False)[0]


def sources_check(*, source_ids: list[int], budget_seconds: float) -> list[CheckResult]:
    """Check sources one after another; what the time budget does not reach is queued again."""
    return _sources_run(source_ids, budget_seconds=budget_seconds, missing_ok=True)


def _sources_run(
    source_ids: list[int], *, budget_seconds: float, missing_ok: bool
) -> list[CheckResult]:
    """Claim the sources and read them (one round trip each for all of them), check them one
    after another, and write the unchanged outcomes together (_UnchangedBatch)."""
    source_ids = list(dict.fromkeys(source_ids))
    started = time.monotonic()
    hold = settings.MONITORING_CHECK_LEASE_SECONDS
    try:
        claims = politeness.sources_claim(source_ids, hold_seconds=hold)
    except politeness.NotNow as exc:
        return _retry_later(source_ids, exc)
    batch, results = _UnchangedBatch(), []
    try:
        # Read only once claimed, so the state compared with is not one a check just replaced.
        sources = selectors.sources_for_check(source_ids=claims.held)
        for position, source_id in enumerate(source_ids):
            # At least one check per run, so a chunk handed back always gets shorter.
            if position and time.monotonic() - started > budget_seconds:
                rest = source_ids[position:]
                batch.write()
                claims.release(rest)  # before they are queued: their next run must claim them
                sources_enqueue(source_ids=rest)
                break
            result = _source_run(source_id, claims.held, sources, batch, missing_ok=missing_ok)
            results += [result] if result else []
            batch.write_if_due()
    finally:
        try:
            batch.write()
        finally:
            claims.release()
    return results


def _source_run(
    source_id: int, held: set[int], sources: dict, batch: "_UnchangedBatch", *, missing_ok: bool
) -> CheckResult | None:
    """Check one source of a run; None for a source deleted since it was queued."""
    if source_id not in held:
        return CheckResult(source_id, None, skipped="another check of this source is running")
    if source_id not in sources:
        if not missing_ok:
            raise Source.DoesNotExist("Source matching query does not exist.")
        logger.warning("source %s was deleted before its check ran", source_id)
        return None
    try:
        return _check_claimed(sources[source_id], batch)
    except politeness.NotNow as exc:
        return _retry_later([source_id], exc)[0]


def _retry_later(source_ids: list[int], exc: politeness.NotNow) -> list[CheckResult]:
    """Not the sources' fault (a busy host, Redis away): try again in a minute or so."""
    retry_at = timezone.now() + datetime.timedelta(seconds=random.uniform(10, 60))
    Source.objects.filter(pk__in=source_ids).update(next_check_at=retry_at)
    return [CheckResult(source_id, None, skipped=str(exc)) for source_id in source_ids]


def _check_claimed(source: Source, batch: "_UnchangedBatch") -> CheckResult:
    started_at = timezone.now()
    try:
        observation = checks.source_observe(source, now=started_at)
    except politeness.NotNow:
        raise
    except Exception as exc:
        # Recorded as a failure of this source (never silently lost), then raised for the log.
        failure = checks.Observation(error=f"internal error: {exc!r}")
        _record_on_a_live_connection(source, failure, started_at)
        raise
    if observation.error or _new_text(source, observation):
        return _record_on_a_live_connection(source, observation, started_at)
    return batch.add(source, observation, started_at)


def _record_on_a_live_connection(source: Source, observation, started_at) -> CheckResult:
    # The page was fetched: a connection lost meanwhile (a failover) must not lose the check.
    return write_on_a_live_connection(
        partial(_record, source, observation, started_at), what=f"Recording a check of {source}"
    )


def _new_text(source: Source, observation) -> bool:
    return bool(observation.content_hash) and observation.content_hash != source.current_hash


def _record(source: Source, observation, started_at: datetime.datetime) -> CheckResult:
    """Write a failed check, or one with a new text, at once."""
    new_text = not observation.error and _new_text(source, observation)
    # A new text may write a snapshot, a proposal and the source: all or nothing. A failure
    # is one check row and one source row, written by one statement.
    with transaction.atomic() if new_text else contextlib.nullcontext():
        now = timezone.now()
        if new_text:
            current = source.current_snapshot
            problem = extract.text_problem(
                new=observation.text,
                old=current.text if current else None,
                shrink_ratio=settings.MONITORING_SHRINK_RATIO,
            )
            observation.error = problem or ""
        if observation.error:
            outcome, proposal = Outcome.FAILED, None
            fields = _failure_fields(source, observation, now)
        else:
            outcome, proposal, fields = _success(source, observation, now)
        check = _check_row(source, observation, started_at, outcome)
        _checks_write([(check, {"last_checked_at": now, **fields})])
    return CheckResult(source.pk, outcome, check_id=check.pk, proposal_id=proposal and proposal.pk)


def _check_row(source: Source, observation, started_at: datetime.datetime, outcome: str) -> Check:
    return Check(
        source=source,
        started_at=started_at,
        http_status=observation.http_status,
        outcome=outcome,
        duration_ms=observation.duration_ms,
        bytes_received=observation.bytes_received,
        content_hash=observation.content_hash,
        error=observation.error,
    )


class _UnchangedBatch:
    """Unchanged checks (304, or the same text) of one run, written together.

    Most checks change nothing, and one statement for all of a chunk's costs the worker far
    less than one each. An outcome waits at most UNCHANGED_WRITE_DELAY_SECONDS (a chunk of
    slow hosts does not hold it), and always less than the source's claim: every write
    happens before the run gives its claims back. A worker killed in between loses these
    check rows only; their sources are checked again when the dispatcher's lease runs out.
    """

    def __init__(self):
        self._rows: list[tuple[Check, dict, CheckResult]] = []
        self._since = 0.0

    def add(self, source: Source, observation, started_at: datetime.datetime) -> CheckResult:
        now = timezone.now()
        outcome, _proposal, fields = _success(source, observation, now)
        result = CheckResult(source.pk, outcome)
        check = _check_row(source, observation, started_at, outcome)
        if not self._rows:
            self._since = time.monotonic()
        self._rows.append((check, {"last_checked_at": now, **fields}, result))
        return result

    def write_if_due(self) -> None:
        if self._rows and time.monotonic() - self._since >= UNCHANGED_WRITE_DELAY_SECONDS:
            self.write()

    def write(self) -> None:
        rows, self._rows = self._rows, []
        if rows:
            # Written after the fetches: a connection lost meanwhile must not lose the checks.
            write_on_a_live_connection(
                partial(_checks_write, [(check, fields) for check, fields, _result in rows]),
                what=f"Recording {len(rows)} unchanged checks",
            )
        for check, _fields, result in rows:
            result.check_id = check.pk


def _checks_write(rows: list[tuple[Check, dict]]) -> None:
    """Insert the check rows (setting each check's pk) and update each one's source row with
    its fields: on PostgreSQL one statement for all of them, whatever their number.

    Each source appears once. A field a row does not give keeps the source's value (the
    fields that may be NULL must be given by every row); see tracker.lib.bulk. Elsewhere:
    the plain ORM, a row at a time.
    """
    if connection.vendor != "postgresql":
        for check, fields in rows:
            check.save(force_insert=True)
            Source.objects.filter(pk=check.source_id).update(**fields)
        return
    names = tuple(sorted({name for _check, fields in rows for name in fields}))
    sql, source_fields, check_fields = _checks_write_sql(names)
    params = [[check.source_id for check, _fields in rows]]
    for name, field in zip(names, source_fields, strict=True):
        if field.null and any(name not in fields for _check, fields in rows):
            raise ValueError(f"{name} may be NULL: every row must give it")
        params.append([field.get_db_prep_save(fields.get(name), connection) for _c, fields in rows])
    params += column_values(check_fields, [check for check, _fields in rows], add=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = dict((source_id, pk) for pk, source_id in cursor.fetchall())
    for check, _fields in rows:
        check.pk = ids[check.source_id]


@lru_cache(maxsize=64)
def _checks_write_sql(source_names: tuple[str, ...]):
    """(SQL, source fields, check fields): the source UPDATE in a WITH clause, the rows of both
    as arrays (unnest), so the statement is the same for one row or a hundred."""
    quote = connection.ops.quote_name
    source_fields = [Source._meta.get_field(name) for name in source_names]
    check_fields = [f for f in Check._meta.concrete_fields if not f.primary_key]

    def assignment(field) -> str:
        column = quote(field.column)
        return (
            f"{column} = v.{column}"
            if field.null
            else f"{column} = COALESCE(v.{column}, s.{column})"
        )

    pk = quote(Source._meta.pk.column)
    source_columns = ", ".join(quote(f.column) for f in source_fields)
    check_columns = ", ".join(quote(f.column) for f in check_fields)
    source_id = quote(Check._meta.get_field("source").column)
    sql = (
        f"WITH source_update AS (UPDATE {quote(Source._meta.db_table)} AS s "
        f"SET {', '.join(assignment(f) for f in source_fields)} "
        f"FROM unnest({arrays_sql([Source._meta.pk, *source_fields])}) AS v({pk}, {source_columns}) "
        f"WHERE s.{pk} = v.{pk}) "
        f"INSERT INTO {quote(Check._meta.db_table)} ({check_columns}) "
        f"SELECT * FROM unnest({arrays_sql(check_fields)}) "
        f"RETURNING {quote(Check._meta.pk.column)}, {source_id}"
    )
    return sql, source_fields, check_fields


def _failure_fields(source: Source, observation, now: datetime.datetime) -> dict:
    failures = source.consecutive_failures + 1
    backoff = min(
        datetime.timedelta(seconds=settings.MONITORING_BACKOFF_BASE_SECONDS * 2 ** (failures - 1)),
        max(
            source.check_interval,
            datetime.timedelta(seconds=settings.MONITORING_BACKOFF_BASE_SECONDS),
        ),
    )
    delay = max(_jittered(backoff), observation.retry_after or datetime.timedelta(0))
    flagged = source.flagged_at or (
        now if failures >= settings.MONITORING_FLAG_AFTER_FAILURES else None
    )
    return {
        "consecutive_failures": failures,
        "last_error": observation.error,
        "flagged_at": flagged,
        "next_check_at": now + delay,
    }


def _success(source: Source, observation, now: datetime.datetime):
    """(outcome, proposal or None, source fields) for a fetch that yielded usable text or a 304."""
    fields = {
        "consecutive_failures": 0,
        "last_error": "",
        "flagged_at": None,
        "next_check_at": now + _jittered(source.check_interval),
    }
    if observation.detected_kind:
        fields["detected_kind"] = observation.detected_kind
    accepted = {
        "candidate_hash": "",
        "etag": observation.etag,
        "last_modified": observation.last_modified,
        "body_hash": observation.body_hash,
    }
    if observation.not_modified:
        return Outcome.NOT_MODIFIED, None, fields
    if observation.content_hash == source.current_hash:
        return Outcome.UNCHANGED, None, {**fields, **accepted}
    if source.current_hash and observation.content_hash != source.candidate_hash:
        # A new text is believed only when a second fetch, a little later, sees it again.
        delay = datetime.timedelta(seconds=settings.MONITORING_CONFIRM_DELAY_SECONDS)
        fields.update(candidate_hash=observation.content_hash, next_check_at=now + delay)
        return Outcome.UNCONFIRMED, None, fields
    fields.update(accepted, last_changed_at=now, current_hash=observation.content_hash)
    if not source.current_hash:
        snapshot = _snapshot_make_current(source, observation, now)
        return Outcome.BASELINE, None, {**fields, "current_snapshot_id": snapshot.pk}
    recent = selectors.snapshots_recent(source=source, limit=settings.MONITORING_RECENT_SNAPSHOTS)
    returning = any(s.content_hash == observation.content_hash for s in recent)
    snapshot = _snapshot_make_current(source, observation, now)
    fields["current_snapshot_id"] = snapshot.pk
    if returning:
        # Back to a text seen lately (a flapping page): recorded, not proposed again.
        return Outcome.REVERTED, None, fields
    return Outcome.CHANGED, _proposal_make(source, source.current_snapshot, snapshot), fields


def _snapshot_make_current(source: Source, observation, now: datetime.datetime) -> Snapshot:
    snapshot, created = Snapshot.objects.get_or_create(
        source=source,
        content_hash=observation.content_hash,
        defaults={"text": observation.text, "became_current_at": now},
    )
    if not created:
        Snapshot.objects.filter(pk=snapshot.pk).update(became_current_at=now)
    return snapshot


def _proposal_make(source: Source, old: Snapshot, new: Snapshot) -> ChangeProposal:
    diff = relevance.diff_text(old=old.text, new=new.text)
    score = relevance.relevance_score(diff)
    level = Relevance.HIGH if score >= settings.MONITORING_RELEVANCE_HIGH else Relevance.LOW
    # The unique (source, new_snapshot) constraint makes a concurrent duplicate a no-op.
    proposal, _created = ChangeProposal.objects.get_or_create(
        source=source,
        new_snapshot=new,
        defaults={"old_snapshot": old, "diff": diff, "relevance_score": score, "relevance": level},
    )
    return proposal

"""What every provider shares: the errors, the recording HTTP client, and the interface.

A provider is one small class (as Healthchecks has one per transport): `changes()` fetches
what changed since a point and yields (provider key, MeasureFacts), `measure_of()` maps one
record. Every request goes through the outbound door (tracker/lib/http.py: SSRF guard,
deadline, size cap) in `Client`, which records it, spaces requests, counts the day's budget,
and turns a 429, a refused key, an HTTP error or a payload that does not parse into an error
raised before anything is written.
"""

import datetime
import json
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from tracker.lib import http
from tracker.lib.retry_after import retry_after_seconds
from tracker.lib.vocabulary import kratom_score
from tracker.measures.models import ProviderRequest, ProviderRun, ProviderState, RequestOutcome
from tracker.measures.services import MeasureFacts

# A 429 without a usable Retry-After pauses the provider this long.
DEFAULT_RETRY_AFTER_SECONDS = 3600
# Query parameters that carry a key: never stored in the request log.
SECRET_PARAMS = {"key", "api_key", "apikey"}


class ProviderError(Exception):
    """A run that could not complete; the message is for curators. Retried the next run."""


class Malformed(ProviderError):
    """A payload that is not what the provider's API answers: nothing of it is written."""


class KeyRefused(ProviderError):
    """The provider refused the key (401/403, or LegiScan's ERROR status)."""


class Paused(ProviderError):
    """The provider asked us to wait (429), or today's budget is spent."""

    def __init__(self, message: str, *, until: datetime.datetime):
        super().__init__(message)
        self.until = until


def day_of(raw) -> datetime.date | None:
    """A date from "2026-04-01" or "2026-04-01T12:00:00+00:00"; None when absent or partial."""
    if not raw or len(str(raw)) < 10:
        return None
    return datetime.date.fromisoformat(str(raw)[:10])


def score_of(*texts: str) -> int:
    return kratom_score("\n".join(t for t in texts if t))


def is_relevant(score: int) -> bool:
    return score >= settings.MONITORING_RELEVANCE_HIGH


class Client:
    """The outbound door for one provider run: each request recorded on the run."""

    def __init__(self, *, run: ProviderRun, min_interval: float = 0.0, daily_budget=None):
        self.run = run
        self.min_interval = min_interval
        self.daily_budget = daily_budget
        self._last_sent = 0.0

    def get_json(self, url: str, *, params=(), headers=None, parse: Callable = lambda d: d):
        """GET a JSON document and `parse` it; raise a ProviderError on anything else."""
        self._budget_spend()
        self._space()
        full = f"{url}?{urlencode(params, doseq=True)}" if params else url
        started, clock = timezone.now(), time.monotonic()
        log = ProviderRequest(run=self.run, url=_redacted(url, params)[:2000], started_at=started)
        try:
            response = http.request(
                "GET", full, headers={"Accept": "application/json", **(headers or {})}
            )
        except http.OutboundError as exc:
            self._record(log, clock, RequestOutcome.FAILED, str(exc))
            raise ProviderError(f"{exc.__class__.__name__}: {exc}") from None
        log.http_status, log.bytes_received = response.status_code, len(response.body)
        self._refusal(log, clock, response)
        try:
            result = parse(json.loads(response.body))
        except ProviderError as exc:  # an error the provider reports inside a 200 (LegiScan)
            refused = isinstance(exc, KeyRefused)
            self._record(
                log, clock, RequestOutcome.REFUSED if refused else RequestOutcome.FAILED, str(exc)
            )
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            message = f"malformed payload: {exc.__class__.__name__}: {str(exc)[:300]}"
            self._record(log, clock, RequestOutcome.FAILED, message)
            raise Malformed(message) from None
        self._record(log, clock, RequestOutcome.OK, "")
        return result

    def _refusal(self, log, clock, response) -> None:
        status = response.status_code
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"), now=timezone.now())
            wait = DEFAULT_RETRY_AFTER_SECONDS if wait is None else wait
            self._record(log, clock, RequestOutcome.RATE_LIMITED, f"429: retry after {wait:g} s")
            raise Paused(f"rate limited: retry after {wait:g} s", until=_after(wait))
        if status in (401, 403):
            self._record(
                log, clock, RequestOutcome.REFUSED, f"HTTP {status}: {response.text[:300]}"
            )
            raise KeyRefused(f"the key was refused (HTTP {status}): {response.text[:300]}")
        if status >= 300:
            self._record(log, clock, RequestOutcome.FAILED, f"HTTP {status}: {response.text[:300]}")
            raise ProviderError(f"HTTP {status} from {log.url}")

    def _record(self, log: ProviderRequest, clock: float, outcome: str, error: str) -> None:
        log.outcome, log.error = outcome, error
        log.duration_ms = int((time.monotonic() - clock) * 1000)
        log.save()

    def _space(self) -> None:
        """Keep to the provider's per-minute limit: at most one request per interval."""
        wait = self._last_sent + self.min_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_sent = time.monotonic()

    def _budget_spend(self) -> None:
        """Count the request for today (one UPDATE, so a killed run's requests still count)
        and renew the run's lease; refuse the request when today's budget is spent."""
        today = timezone.now().date()
        state = ProviderState.objects.filter(provider=self.run.provider)
        state.exclude(budget_day=today).update(budget_day=today, requests_today=0)
        if self.daily_budget is not None:
            state = state.filter(requests_today__lt=self.daily_budget)
        spent = state.update(requests_today=F("requests_today") + 1, lease_until=lease_end())
        if not spent:
            tomorrow = datetime.datetime.combine(
                today + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
            )
            raise Paused(f"today's budget of {self.daily_budget} requests is spent", until=tomorrow)


def lease_end() -> datetime.datetime:
    """How long a run holds its provider past now (renewed by each request)."""
    return timezone.now() + datetime.timedelta(seconds=settings.MEASURES_RUN_LEASE_SECONDS)


def _after(seconds: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def _redacted(url: str, params) -> str:
    pairs = params.items() if isinstance(params, dict) else params
    shown = [(k, "***" if k in SECRET_PARAMS else v) for k, v in pairs]
    return f"{url}?{urlencode(shown, doseq=True)}" if shown else url


class Places:
    """Our jurisdictions as providers name them: by code and by OCD division id."""

    def __init__(self):
        rows = Jurisdiction.objects.in_us().values_list("id", "code", "ocd_id", "level")
        self.by_code = {code: pk for pk, code, _ocd, _level in rows}
        self.by_ocd = {ocd: pk for pk, _code, ocd, _level in rows if ocd}
        self.levels = {code: level for _pk, code, _ocd, level in rows}


class MeasureProvider:
    """The interface every provider implements."""

    code: str = ""
    # The jurisdictions a provider covers ("US" for the federal ones).
    federal_only = False

    def __init__(self, *, client: Client, cursors: dict, places: Places):
        self.client = client
        self.cursors = dict(cursors)
        self.places = places

    @classmethod
    def enabled(cls) -> bool:
        raise NotImplementedError

    @classmethod
    def min_interval(cls) -> float:
        return 0.0

    @classmethod
    def daily_budget(cls) -> int | None:
        return None

    def changes(self, *, jurisdiction: str | None) -> Iterator[tuple[str, MeasureFacts]]:
        """What changed since the provider's cursors; moves `self.cursors` as it goes (the
        run saves them after each measure, so a run killed halfway resumes from there)."""
        raise NotImplementedError

    def measure_of(self, record: dict) -> tuple[str, MeasureFacts] | None:
        """One provider record as (its key, the measure's facts); None when it is about none
        of our places."""
        raise NotImplementedError

    def since(self, scope: str) -> datetime.date:
        stored = self.cursors.get(scope)
        if stored:
            return datetime.date.fromisoformat(stored)
        return timezone.now().date() - datetime.timedelta(days=settings.MEASURES_FIRST_RUN_DAYS)

    def moved(self, scope: str) -> None:
        """The scope is done up to today (re-reading today next time costs nothing: the
        upsert of an unchanged record writes nothing)."""
        self.cursors[scope] = timezone.now().date().isoformat()

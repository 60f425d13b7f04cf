"""Congress.gov API v3: federal bills. It has no keyword search: a run lists the bills
updated since the last one (fromDateTime, 250 a page), matches their titles against the
kratom vocabulary here, and reads the detail and actions of a match only when its
updateDate moved. The api.data.gov key goes in the X-Api-Key header (5,000 requests an hour).
"""

import datetime

from django.conf import settings

from tracker.measures.models import Kind, Measure, Provider, Stage
from tracker.measures.providers.base import MeasureProvider, day_of, is_relevant, score_of
from tracker.measures.services import ActionFacts, MeasureFacts

LIMIT = 250  # the API's largest page


class Congress(MeasureProvider):
    code = Provider.CONGRESS

    @classmethod
    def enabled(cls) -> bool:
        return bool(settings.CONGRESS_API_KEY and settings.CONGRESS_API_URL)

    @classmethod
    def daily_budget(cls) -> int:
        return settings.CONGRESS_REQUESTS_PER_DAY

    def _get(self, path: str, params=(), parse=lambda data: data):
        return self.client.get_json(
            f"{settings.CONGRESS_API_URL.rstrip('/')}/{path}",
            params=[("format", "json"), *params],
            headers={"X-Api-Key": settings.CONGRESS_API_KEY},
            parse=parse,
        )

    def changes(self, *, jurisdiction):
        if jurisdiction not in (None, "US"):
            return
        known = dict(
            Measure.objects.filter(provider=self.code).values_list("provider_key", "change_hash")
        )
        offset, more = 0, True
        while more:
            bills, more = self._get("bill", self._list_params(offset), parse=_list_page)
            for bill in bills:
                key = _key(bill)
                if is_relevant(score_of(bill["title"])) and known.get(key) != bill["updateDate"]:
                    yield self._read(bill)
            offset += LIMIT
        self.moved("US")

    def _list_params(self, offset: int) -> list[tuple]:
        return [
            ("fromDateTime", f"{self.since('US').isoformat()}T00:00:00Z"),
            ("sort", "updateDate desc"),  # sent as updateDate+desc, as the API documents
            ("limit", LIMIT),
            ("offset", offset),
        ]

    def _read(self, listed: dict):
        path = f"bill/{listed['congress']}/{listed['type'].lower()}/{listed['number']}"
        detail = self._get(path, parse=lambda data: data["bill"])
        actions = self._get(f"{path}/actions", parse=lambda data: data["actions"])
        # The list's updateDate (a bare date) is what the next run compares: the detail's
        # own is a timestamp, which would never match it and re-read the bill every run.
        return self.measure_of({**detail, "actions": actions, "updateDate": listed["updateDate"]})

    def measure_of(self, record: dict):
        place = self.places.by_code.get("US")
        if place is None:
            return None
        actions = [ActionFacts(day_of(a["actionDate"]), a["text"]) for a in record["actions"]]
        stage, stage_date = _stage(record)
        score = score_of(record["title"], (record.get("policyArea") or {}).get("name", ""))
        return _key(record), MeasureFacts(
            jurisdiction_id=place,
            kind=Kind.BILL,
            identifier=f"{record['type']} {record['number']}",
            session=f"{record['congress']}th Congress",
            title=record["title"],
            change_hash=record["updateDate"],
            stage=stage,
            stage_date=stage_date,
            sponsors=[s["fullName"] for s in record.get("sponsors", [])],
            relevance_score=score,
            relevant=is_relevant(score),
            # The API lists actions newest first; the timeline reads oldest first.
            actions=sorted(actions, key=lambda a: a.date or datetime.date.min),
        )


def _key(bill: dict) -> str:
    return f"{bill['congress']}/{bill['type'].lower()}/{bill['number']}"


def _list_page(data: dict) -> tuple[list[dict], bool]:
    bills = data["bills"]
    if not isinstance(bills, list):
        raise TypeError("bills is not a list")
    return bills, bool(data["pagination"].get("next"))


def _stage(record: dict):
    """The furthest stage the actions show: a law, a veto, a passage in one or both
    chambers, a referral; introduced before any."""
    actions = sorted(record["actions"], key=lambda a: a["actionDate"])
    if record.get("laws"):
        return Stage.ENACTED, day_of(actions[-1]["actionDate"]) if actions else None
    stage, on, chambers = Stage.INTRODUCED, day_of(record.get("introducedDate")), set()
    for action in actions:
        text = action["text"].lower()
        if action.get("type") == "Veto" or text.startswith("vetoed"):
            stage, on = Stage.VETOED, day_of(action["actionDate"])
        elif text.startswith(("passed", "on passage passed")) or "passed senate" in text:
            chambers.add((action.get("sourceSystem") or {}).get("name", ""))
            both = len(chambers) > 1
            stage, on = (
                (Stage.PASSED_BOTH if both else Stage.PASSED_ONE_CHAMBER),
                day_of(action["actionDate"]),
            )
        elif "referred to" in text and stage == Stage.INTRODUCED:
            stage, on = Stage.IN_COMMITTEE, day_of(action["actionDate"])
    return stage, on

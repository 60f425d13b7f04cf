"""LegiScan: a second opinion on state bills (and Congress, as state "US").

getSearchRaw lists matching bills with their change_hash; getBill is asked only for a bill
whose hash differs from the one stored (LegiScan's terms require it). Every answer is HTTP
200 with "status": "OK" or "ERROR" ({"alert": {"message": ...}}). The data is CC BY 4.0:
the admin and the worklist say where it came from.
"""

from django.conf import settings

from tracker.measures.models import Kind, Measure, Provider, Stage
from tracker.measures.providers.base import (
    KeyRefused,
    MeasureProvider,
    ProviderError,
    day_of,
    is_relevant,
    score_of,
)
from tracker.measures.services import ActionFacts, MeasureFacts

QUERY = "kratom OR mitragynine OR hydroxymitragynine"
CURRENT_SESSIONS = 2  # getSearch's year=2: the current sessions
STATUS_STAGES = {
    1: Stage.INTRODUCED,
    2: Stage.PASSED_ONE_CHAMBER,  # engrossed
    3: Stage.PASSED_BOTH,  # enrolled
    4: Stage.ENACTED,  # passed
    5: Stage.VETOED,
    6: Stage.FAILED,
}


def _answer(data: dict) -> dict:
    if data["status"] != "OK":
        message = data["alert"]["message"]
        error = KeyRefused if "key" in message.lower() else ProviderError
        raise error(f"LegiScan: {message}")
    return data


class LegiScan(MeasureProvider):
    code = Provider.LEGISCAN

    @classmethod
    def enabled(cls) -> bool:
        return bool(settings.LEGISCAN_API_KEY and settings.LEGISCAN_API_URL)

    @classmethod
    def daily_budget(cls) -> int:
        return settings.LEGISCAN_REQUESTS_PER_DAY

    def _get(self, op: str, params: dict, parse):
        return self.client.get_json(
            settings.LEGISCAN_API_URL,
            params={"key": settings.LEGISCAN_API_KEY, "op": op, **params},
            parse=lambda data: parse(_answer(data)),
        )

    def changes(self, *, jurisdiction):
        state = jurisdiction.removeprefix("US-") if jurisdiction else "ALL"
        known = dict(
            Measure.objects.filter(provider=self.code).values_list("provider_key", "change_hash")
        )
        page, pages = 1, 1
        while page <= pages:
            hits, pages = self._get(
                "getSearchRaw",
                {"state": state, "query": QUERY, "year": CURRENT_SESSIONS, "page": page},
                parse=_search_page,
            )
            for bill_id, change_hash in hits:
                if known.get(bill_id) != change_hash:
                    record = self._get("getBill", {"id": bill_id}, parse=self._bill)
                    if record:
                        yield record
            page += 1
        self.moved(state)

    def _bill(self, data: dict):
        return self.measure_of(data["bill"])

    def measure_of(self, record: dict):
        code = "US" if record["state"] == "US" else f"US-{record['state']}"
        place = self.places.by_code.get(code)
        if place is None:
            return None
        subjects = " ".join(s["subject_name"] for s in record.get("subjects", []))
        score = score_of(record["title"], record.get("description", ""), subjects)
        return str(record["bill_id"]), MeasureFacts(
            jurisdiction_id=place,
            kind=Kind.BILL,
            identifier=record["bill_number"],
            session=record["session"]["session_name"],
            title=record["title"],
            change_hash=record["change_hash"],
            official_url=record.get("state_link", ""),
            page_url=record.get("url", ""),
            stage=_stage(record),
            stage_date=day_of(record.get("status_date")),
            sponsors=[s["name"] for s in record.get("sponsors", [])],
            relevance_score=score,
            relevant=is_relevant(score),
            actions=[ActionFacts(day_of(h["date"]), h["action"]) for h in record["history"]],
        )


def _search_page(data: dict) -> tuple[list[tuple[str, str]], int]:
    result = data["searchresult"]
    hits = [(str(hit["bill_id"]), hit["change_hash"]) for hit in result.get("results", [])]
    return hits, int(result["summary"]["page_total"])


def _stage(record: dict) -> str:
    stage = STATUS_STAGES.get(record.get("status"), Stage.INTRODUCED)
    # A bill still at "introduced" that sits in a committee ({} when none; [] in old data).
    if stage == Stage.INTRODUCED and record.get("committee") and record["committee"] != []:
        return Stage.IN_COMMITTEE
    return stage

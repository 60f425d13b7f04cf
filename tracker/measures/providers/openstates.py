"""Open States API v3: state, DC and Puerto Rico bills, searched per jurisdiction.

GET /bills?jurisdiction=<abbr>&q=<terms>&updated_since=<date>&include=actions&include=...
answers {"results": [Bill], "pagination": {per_page, page, max_page, total_items}}; the key
goes in the X-API-KEY header. The default key allows 10 requests a minute and 250 a day.
"""

from django.conf import settings

from jurisdictions.models import Level
from tracker.measures.models import Kind, Provider, Stage
from tracker.measures.providers.base import (
    Malformed,
    MeasureProvider,
    day_of,
    is_relevant,
    score_of,
)
from tracker.measures.services import ActionFacts, MeasureFacts

QUERY = "kratom OR mitragynine OR hydroxymitragynine OR 7-OH"
INCLUDES = ["actions", "sources", "versions", "sponsorships", "abstracts"]
PER_PAGE = 20  # the API's maximum for bills
# Besides the states and DC, Open States covers Puerto Rico (not the other territories).
TERRITORIES = {"US-PR"}
# An action's classification → the stage it moves a bill to (a passage is counted per
# chamber: one chamber, then both).
CLASSIFICATION_STAGES = {
    "introduction": Stage.INTRODUCED,
    "referral-committee": Stage.IN_COMMITTEE,
    "executive-signature": Stage.ENACTED,
    "became-law": Stage.ENACTED,
    "veto-override-passage": Stage.ENACTED,
    "executive-veto": Stage.VETOED,
    "failure": Stage.FAILED,
    "withdrawal": Stage.WITHDRAWN,
}


class OpenStates(MeasureProvider):
    code = Provider.OPENSTATES

    @classmethod
    def enabled(cls) -> bool:
        return bool(settings.OPENSTATES_API_KEY and settings.OPENSTATES_API_URL)

    @classmethod
    def min_interval(cls) -> float:
        return 60.0 / settings.OPENSTATES_REQUESTS_PER_MINUTE

    @classmethod
    def daily_budget(cls) -> int:
        return settings.OPENSTATES_REQUESTS_PER_DAY

    def covered(self) -> list[str]:
        """The codes searched: the states, DC and Puerto Rico that we know."""
        return sorted(
            code
            for code, level in self.places.levels.items()
            if (level == Level.STATE and code.count("-") == 1) or code in TERRITORIES
        )

    def changes(self, *, jurisdiction):
        covered = self.covered()
        for code in [c for c in covered if c == jurisdiction] if jurisdiction else covered:
            yield from self._search(code)
            self.moved(code)

    def _search(self, code: str):
        page, max_page = 1, 1
        while page <= max_page:
            records, max_page = self.client.get_json(
                f"{settings.OPENSTATES_API_URL.rstrip('/')}/bills",
                params=self._params(code, page),
                headers={"X-API-KEY": settings.OPENSTATES_API_KEY},
                parse=self._page,
            )
            yield from records
            page += 1

    def _params(self, code: str, page: int) -> list[tuple]:
        return [
            ("jurisdiction", code.split("-")[1].lower()),
            ("q", QUERY),
            ("updated_since", self.since(code).isoformat()),
            ("sort", "updated_desc"),
            *[("include", name) for name in INCLUDES],
            ("per_page", PER_PAGE),
            ("page", page),
        ]

    def _page(self, data: dict):
        pagination = data["pagination"]
        if not isinstance(data["results"], list):
            raise Malformed("results is not a list")
        records = [self.measure_of(bill) for bill in data["results"]]
        return [r for r in records if r], int(pagination["max_page"])

    def measure_of(self, record: dict):
        division = record["jurisdiction"]["id"].replace("ocd-jurisdiction/", "ocd-division/")
        place = self.places.by_ocd.get(division.removesuffix("/government"))
        if place is None:
            return None
        actions = _actions(record.get("actions", []))
        stage, stage_date = _stage(record, actions)
        abstracts = " ".join(a["abstract"] for a in record.get("abstracts", []))
        score = score_of(record["title"], " ".join(record.get("subject", [])), abstracts)
        return record["id"], MeasureFacts(
            jurisdiction_id=place,
            kind=Kind.BILL,
            identifier=record["identifier"],
            session=record["session"],
            title=record["title"],
            change_hash=record["updated_at"],
            official_url=_official_url(record),
            page_url=record.get("openstates_url", ""),
            stage=stage,
            stage_date=stage_date,
            sponsors=[s["name"] for s in record.get("sponsorships", [])],
            relevance_score=score,
            relevant=is_relevant(score),
            actions=actions,
        )


def _actions(raw: list[dict]) -> list[ActionFacts]:
    """The bill's actions in order, each with the stage it moved the bill to; a passage in
    a second chamber (or in a one-house legislature) is "passed both"."""
    chambers, actions = set(), []
    for action in sorted(raw, key=lambda a: a["order"]):
        classes = action.get("classification") or []
        stage = next((CLASSIFICATION_STAGES[c] for c in classes if c in CLASSIFICATION_STAGES), "")
        if "passage" in classes:
            chambers.add((action.get("organization") or {}).get("classification", ""))
            both = len(chambers) > 1 or "legislature" in chambers
            stage = Stage.PASSED_BOTH if both else Stage.PASSED_ONE_CHAMBER
        actions.append(ActionFacts(day_of(action["date"]), action["description"], stage))
    return actions


def _stage(record: dict, actions: list[ActionFacts]) -> tuple[str, object]:
    """The stage of the last action that moved the bill; introduced before any."""
    for action in reversed(actions):
        if action.stage:
            return action.stage, action.date
    return Stage.INTRODUCED, day_of(record.get("first_action_date"))


def _official_url(record: dict) -> str:
    """The newest version's text, else the legislature's page the bill was read from."""
    for version in reversed(record.get("versions", [])):
        for link in version.get("links", []):
            return link["url"]
    sources = record.get("sources", [])
    return sources[0]["url"] if sources else ""

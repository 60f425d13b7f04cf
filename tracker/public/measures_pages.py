"""/pending/: every public measure still in motion, and its Atom feed."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from jurisdictions.models import Category, Jurisdiction
from tracker.measures.models import Stage
from tracker.measures.public import FEDERAL, NOT_LAW, measures_filter
from tracker.public.responses import public_read

FEED_LENGTH = 100


class BadFilter(ValueError):
    pass


def _filters(request) -> dict:
    """state, stage and category from the query; BadFilter for a value we do not know."""
    filters = {}
    for name, known in (
        ("stage", Stage.values),
        ("category", Category.values),
        ("state", [*Jurisdiction.objects.states().values_list("code", flat=True), "US"]),
    ):
        value = request.GET.get(name) or None
        if value is not None and value not in known:
            raise BadFilter(f"{name} must be one of: {', '.join(known)}.")
        filters[name] = value
    return filters


@public_read()
def pending(request):
    try:
        filters = _filters(request)
    except BadFilter as error:
        return HttpResponse(f"{error}\n", status=400, content_type="text/plain; charset=utf-8")
    states = list(Jurisdiction.objects.states().order_by("name"))
    context = {
        "measures": list(measures_filter(pending=True, **filters)),
        "filters": filters,
        "stages": list(Stage),
        "categories": list(Category),
        "states": states,
        # The email alerts' places: the federal level and the states the filter offers.
        "alert_places": [*Jurisdiction.objects.filter(code=FEDERAL), *states],
        "not_law": NOT_LAW,
    }
    return render(request, "public/pending.html", context)


class PendingFeed(Feed):
    feed_type = Atom1Feed
    title = "Kratom law: pending measures"
    subtitle = f"Bills, rules and notices still in motion, soonest next date first. {NOT_LAW}"

    def link(self):
        return settings.SITE_URL + reverse("public:measures-pending")

    def feed_url(self):
        return settings.SITE_URL + reverse("public:measures-pending-feed")

    def items(self):
        return list(measures_filter(pending=True)[:FEED_LENGTH])

    def item_title(self, measure):
        return f"{measure.jurisdiction.name} {measure.identifier}: {measure.get_stage_display()}"

    def item_description(self, measure):
        return f"{measure.title}. {measure.would_change} {NOT_LAW}".strip()

    def item_link(self, measure):
        return settings.SITE_URL + reverse("public:measures-api-detail", args=[measure.pk])

    def item_updateddate(self, measure):
        return measure.updated_at

    def item_pubdate(self, measure):
        return measure.created_at


pending_feed = public_read()(PendingFeed())

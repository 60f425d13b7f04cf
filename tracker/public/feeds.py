"""Atom feeds: curator-confirmed changes everywhere, and every version of one jurisdiction."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from jurisdictions import selectors
from jurisdictions.models import STATUS_MEANINGS, Status
from jurisdictions.pending import stage_changes_of
from jurisdictions.serializers import date_display, page_url, version_changes

FEED_LENGTH = 50


class _VersionFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, version):
        """What changed: "Florida: 7-OH products: regulated → banned", else the status."""
        changes = version_changes(version)
        if changes:
            return f"{version.jurisdiction.name}: {'; '.join(changes)}"
        return f"{version.jurisdiction.name}: {Status(version.status).label}"

    def item_description(self, version):
        rules = "; ".join(
            f"{rule.category_label}: {rule.answer}" for rule in version.rules.values()
        )
        parts = [STATUS_MEANINGS[version.status], f"{rules}.", version.summary]
        if version.effective_date:
            effective = date_display(version.effective_date, version.effective_date_precision)
            parts.append(f"Effective {effective}.")
        return " ".join(parts)

    # Absolute links from SITE_URL: a cached feed must not depend on who asked first.
    def item_link(self, version):
        return page_url(version.jurisdiction) + f"#v{version.pk}"

    def item_pubdate(self, version):
        return version.confirmed_at

    def item_updateddate(self, version):
        return version.confirmed_at


class ChangesFeed(_VersionFeed):
    title = "Kratom legal status: confirmed changes"
    subtitle = "Status changes confirmed by curators, newest first. Information, not legal advice."

    def link(self):
        return settings.SITE_URL + reverse("public:home")

    def feed_url(self):
        return settings.SITE_URL + reverse("public:changes-feed")

    def items(self):
        return selectors.changes_list(curator_only=True, limit=FEED_LENGTH)


class JurisdictionFeed(_VersionFeed):
    """Every version of a place, and the stage changes of its public measures (dicts from
    jurisdictions.pending: "Georgia HB 968: in committee, not law"), newest first."""

    def get_object(self, request, code):
        jurisdiction = selectors.jurisdiction_get(code=code)
        if jurisdiction is None:
            raise Http404(f"No jurisdiction has the code {code}.")
        return jurisdiction

    def title(self, jurisdiction):
        return f"Kratom legal status: {jurisdiction.name}"

    def subtitle(self, jurisdiction):
        return f"Every recorded status of {jurisdiction.name}. Information, not legal advice."

    def link(self, jurisdiction):
        return page_url(jurisdiction)

    def feed_url(self, jurisdiction):
        return settings.SITE_URL + reverse("public:feed", args=[jurisdiction.code])

    def items(self, jurisdiction):
        history = selectors.jurisdiction_history(jurisdiction=jurisdiction)[:FEED_LENGTH]
        for version in history:
            version.jurisdiction = jurisdiction  # already loaded: no query per entry
        moves = stage_changes_of(jurisdiction, FEED_LENGTH)
        items = [*history, *moves]
        items.sort(key=self.item_updateddate, reverse=True)
        return items[:FEED_LENGTH]

    def item_title(self, item):
        if not isinstance(item, dict):
            return super().item_title(item)
        measure = item["measure"]
        name = f"{measure['jurisdiction']['name']} {measure['identifier']}"
        return f"{name}: stage {item['stage_label'].lower()} (a measure, not law)"

    def item_description(self, item):
        if not isinstance(item, dict):
            return super().item_description(item)
        measure = item["measure"]
        return f"{measure['title']}. {item['description']} {measure['notice']}"

    def item_link(self, item):
        if not isinstance(item, dict):
            return super().item_link(item)
        return item["measure"]["url"]

    def item_guid(self, item):
        if not isinstance(item, dict):
            return self.item_link(item)  # a version's id, as before measures were listed
        return f"{item['measure']['url']}#action-{item['id']}"

    def item_pubdate(self, item):
        return item["recorded_at"] if isinstance(item, dict) else item.confirmed_at

    def item_updateddate(self, item):
        return self.item_pubdate(item)

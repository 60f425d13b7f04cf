"""Atom feeds: curator-confirmed changes everywhere, and every version of one jurisdiction."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from jurisdictions import selectors
from jurisdictions.models import STATUS_MEANINGS, Status
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
        return settings.SITE_URL + reverse("jurisdictions:home")

    def feed_url(self):
        return settings.SITE_URL + reverse("jurisdictions:changes-feed")

    def items(self):
        return selectors.changes_list(curator_only=True, limit=FEED_LENGTH)


class JurisdictionFeed(_VersionFeed):
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
        return settings.SITE_URL + reverse("jurisdictions:feed", args=[jurisdiction.code])

    def items(self, jurisdiction):
        history = selectors.jurisdiction_history(jurisdiction=jurisdiction)[:FEED_LENGTH]
        for version in history:
            version.jurisdiction = jurisdiction  # already loaded: no query per entry
        return history

from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public web: pages, JSON API, OpenAPI, feeds, badge, search and the sellers' check."""

    name = "tracker.public"
    verbose_name = "Public pages and API"

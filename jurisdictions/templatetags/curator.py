from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value: str) -> str:
    """The URL if it is http(s), else empty: a javascript: link never reaches an href."""
    value = (value or "").strip()
    return value if urlsplit(value).scheme in {"http", "https"} else ""


@register.filter
def sentence(text: str) -> str:
    """The text ending in exactly one full stop (a summary may already end in one)."""
    text = (text or "").rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."

from django import template

from jurisdictions import selectors
from jurisdictions.models import STATUS_MEANINGS, Category, Level, Rule, Status
from jurisdictions.rules import (
    RULE_STATUS,
    RULE_SYMBOLS,
    STATUS_SYMBOLS,
    current_rules,
    verified_split,
)
from jurisdictions.serializers import date_display, version_changes
from jurisdictions.verification import verification_of

register = template.Library()


@register.filter
def effective(version) -> str:
    """A version's effective date at its known precision (a year-only date shows the year)."""
    if version is None:
        return ""
    return date_display(version.effective_date, version.effective_date_precision)


@register.filter
def verification(jurisdiction):
    """Who verified the status and how long ago (None when never verified)."""
    return verification_of(jurisdiction) if jurisdiction is not None else None


@register.filter
def status_label(status) -> str:
    return Status(status or Status.UNVERIFIED).label


@register.filter
def status_meaning(status) -> str:
    return STATUS_MEANINGS[status or Status.UNVERIFIED]


@register.filter
def status_symbol(status) -> str:
    return STATUS_SYMBOLS[status or Status.UNVERIFIED]


@register.filter
def rule_colour(rule) -> str:
    """A rule's colour is its status's (rules.RULE_STATUS): banned red and hatched, regulated
    blue, allowed green, unknown grey and dashed."""
    return RULE_STATUS[rule or Rule.UNKNOWN]


@register.filter
def rule_symbol(rule) -> str:
    return RULE_SYMBOLS[rule or Rule.UNKNOWN]


@register.filter
def rules(jurisdiction) -> list:
    """A jurisdiction's current rules in category order (all unknown without a version)."""
    return list(current_rules(jurisdiction).values())


@register.filter
def verified_rules(jurisdiction) -> dict:
    """{"verified": "extracts and 7-OH products", "not_verified": "leaf"} for its current rules."""
    verified, not_verified = verified_split(current_rules(jurisdiction))
    return {"verified": verified, "not_verified": not_verified}


@register.filter
def unscheduled_changes(jurisdiction) -> list:
    """Future dates its summary names with no scheduled version (selectors.unscheduled_changes)."""
    return selectors.unscheduled_changes(jurisdiction=jurisdiction)


@register.filter
def version_rules(version) -> list:
    return list(version.rules.values())


@register.filter
def change_words(version) -> list[str]:
    """What a version changed, in words (needs previous_rules from the selector)."""
    return version_changes(version)


@register.filter
def layer_name(layer) -> str:
    """A higher level as its column is headed: "Florida (state)"; a country by its name alone."""
    if layer.level == Level.COUNTRY:
        return layer.name
    return f"{layer.name} ({layer.get_level_display().lower()})"


@register.filter
def beside(layer_rules: list, layers: list) -> list[tuple[str, object]]:
    """Each higher level's rule with its column's name, which labels the cell on a phone card."""
    return [(layer_name(layer), rule) for layer, rule in zip(layers, layer_rules, strict=True)]


@register.filter
def category_label(category: str) -> str:
    """leaf → Leaf, 7oh → 7-OH products (a measure's would-change is keyed by category)."""
    return Category(category).label if category in Category.values else category


@register.filter
def lookup(mapping: dict, key: str):
    """mapping[key] in a template (a measure's would-change for one category)."""
    return mapping.get(key, "")

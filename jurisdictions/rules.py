"""Product rules: one per category on every status version, and the headline derived from them.

`headline_status` is the only place the headline status is decided; the version's `status`,
`min_age` and `seven_oh_rule` columns are written from `derived_fields` and nothing else.
"""

import re
from dataclasses import asdict, dataclass

from jurisdictions.citations import citations_error
from jurisdictions.models import (
    MIN_AGE_RANGE,
    RULE_SEVERITY,
    SCOPE_SEVERITY,
    Category,
    Rule,
    Scope,
    Status,
)

# The categories that move the headline. Synthetic alkaloids are shown everywhere but left
# out: the federal order bans them nationwide, so they would make every US answer the same.
HEADLINE_CATEGORIES = (Category.LEAF, Category.EXTRACT, Category.SEVEN_OH)
# One legend, defined here only: a symbol means one thing wherever a status or a rule is shown
# (page, map, legend), always beside its word. A rule borrows the symbol and the colour of the
# status it corresponds to: allowed is ✓ as legal is, unknown ? as unverified.
STATUS_SYMBOLS = {
    Status.BANNED: "✕",
    Status.RESTRICTED: "!",
    Status.REGULATED: "◐",
    Status.LEGAL: "✓",
    Status.UNVERIFIED: "?",
}
RULE_STATUS = {
    Rule.ALLOWED: Status.LEGAL,
    Rule.REGULATED: Status.REGULATED,
    Rule.BANNED: Status.BANNED,
    Rule.UNKNOWN: Status.UNVERIFIED,
}
RULE_SYMBOLS = {rule: STATUS_SYMBOLS[status] for rule, status in RULE_STATUS.items()}


@dataclass(frozen=True)
class ProductRule:
    category: str
    rule: str = Rule.UNKNOWN
    scope: str = ""
    min_age: int | None = None
    limit: str = ""

    @property
    def category_label(self) -> str:
        return Category(self.category).label

    @property
    def answer(self) -> str:
        """The rule in words, with the scope of a ban: "Banned (possession)"."""
        label = Rule(self.rule).label
        if self.rule == Rule.BANNED and self.scope:
            return f"{label} ({Scope(self.scope).label.lower()})"
        return label

    @property
    def symbol(self) -> str:
        return RULE_SYMBOLS[self.rule]

    def severity(self) -> tuple[int, int]:
        return RULE_SEVERITY[self.rule], SCOPE_SEVERITY[self.scope]


RULE_COLUMN_PARTS = ("rule", "scope", "min_age", "limit")


def _column(name: str, category: str) -> str:
    return f"{name}_{category}"


def rule_column_names() -> list[str]:
    return [_column(part, category) for category in Category for part in RULE_COLUMN_PARTS]


def rules_of(row) -> dict[str, ProductRule]:
    """The four rules stored on a version or an approval."""
    return {
        category.value: ProductRule(
            category.value, *(getattr(row, _column(part, category)) for part in RULE_COLUMN_PARTS)
        )
        for category in Category
    }


def rule_columns(rules: dict[str, ProductRule]) -> dict:
    """The model columns for a set of rules; a category left out is unknown."""
    columns = {}
    for category in Category:
        rule = rules.get(category.value) or ProductRule(category=category.value)
        columns[_column("rule", category)] = rule.rule
        columns[_column("scope", category)] = rule.scope if rule.rule == Rule.BANNED else ""
        columns[_column("min_age", category)] = rule.min_age
        columns[_column("limit", category)] = rule.limit.strip()
    return columns


def unknown_rules() -> dict[str, ProductRule]:
    return {category.value: ProductRule(category=category.value) for category in Category}


def current_rules(jurisdiction) -> dict[str, ProductRule]:
    """The rules in force in a jurisdiction (all unknown while no version is current)."""
    current = jurisdiction.current_status
    return current.rules if current else unknown_rules()


def headline_status(rules: dict[str, ProductRule] | None) -> str:
    """The headline status of a set of rules (None: no version exists).

    banned     — the leaf is banned;
    restricted — the leaf is not banned but extracts or 7-OH products are, even when the
                 leaf rule is unknown: a known ban is never hidden behind "unverified";
    regulated  — nothing is banned and leaf, extracts or 7-OH products are regulated;
    unverified — no version, or nothing of the above and the leaf rule is unknown;
    legal      — otherwise: the leaf is allowed and nothing is banned or regulated.
    An unknown rule stays visible as "not verified" in every table. Synthetic alkaloids
    never move the headline (HEADLINE_CATEGORIES).
    """
    if rules is None:
        return Status.UNVERIFIED
    answers = {rules[category].rule for category in HEADLINE_CATEGORIES}
    if rules[Category.LEAF].rule == Rule.BANNED:
        return Status.BANNED
    if Rule.BANNED in answers:
        return Status.RESTRICTED
    if Rule.REGULATED in answers:
        return Status.REGULATED
    if rules[Category.LEAF].rule == Rule.UNKNOWN:
        return Status.UNVERIFIED
    return Status.LEGAL


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]  # "7-OH products" keeps its capitals


def categories_words(categories) -> str:
    """Category labels for a sentence: "leaf, extracts and 7-OH products"."""
    words = [_lower_first(Category(category).label) for category in categories]
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else ""


def verified_split(rules: dict[str, ProductRule], categories=Category) -> tuple[str, str]:
    """What was verified and what was not, in words: ("extracts and 7-OH products", "leaf").
    A page never says "last verified" of a place without saying which rules that covers."""
    known = [c for c in categories if rules[c].rule != Rule.UNKNOWN]
    unknown = [c for c in categories if rules[c].rule == Rule.UNKNOWN]
    return categories_words(known), categories_words(unknown)


# Thresholds, one wording everywhere: a cap ("7-OH cap: 2% of alkaloids", "at most", "≤") is a
# rule on what may be sold, so `regulated` with the cap as its limit; a ban above a threshold
# (Florida's 1 mg/g) is `banned`, its limit the threshold ("above 1 mg/g") and its scope.
CAP_WORDS = re.compile(r"\bcap(ped)?\b|\bat most\b|≤|<=", re.IGNORECASE)
CAP_IS_A_RULE = (
    "A cap is a rule on what may be sold: record it as regulated, with the cap as its limit. "
    "A ban above a threshold states the threshold as its limit (“above 1 mg/g”)."
)


def rules_stated(rules: dict[str, ProductRule]) -> bool:
    """Whether any rule is known: a version that states one rests on a citation."""
    return any(rule.rule != Rule.UNKNOWN for rule in rules.values())


def rules_errors(rules: dict[str, ProductRule], citations: list[dict]) -> dict[str, str]:
    """What is wrong with the rules and citations (as citations_clean keeps them) a curator
    states, by form field ({} when nothing): the one check, which the admin's form and the
    services call. The database's constraints are the last line, not a second check."""
    errors = {}
    low, high = MIN_AGE_RANGE
    for category, rule in rules.items():
        if rule.rule == Rule.BANNED and not rule.scope:
            errors[f"scope_{category}"] = "Say what the ban covers (or unknown)."
        elif rule.scope and rule.rule != Rule.BANNED:
            errors[f"scope_{category}"] = "Only a ban has a scope."
        if rule.rule == Rule.BANNED and CAP_WORDS.search(rule.limit):
            errors[f"rule_{category}"] = CAP_IS_A_RULE
        if rule.min_age is not None and not low <= rule.min_age <= high:
            errors[f"min_age_{category}"] = f"A minimum age is between {low} and {high}."
    # A leaf still unknown is allowed (the headline stays unverified, the other rules show);
    # a version that says nothing at all is not.
    if not rules_stated(rules):
        errors[f"rule_{Category.LEAF}"] = "Every rule is unknown: state at least one."
    if error := citations_error(citations, required=rules_stated(rules)):
        errors["citations"] = error
    return errors


def minimum_age(rules) -> int | None:
    """The age that applies to buying any of these products: the highest one stated."""
    ages = [rule.min_age for rule in rules.values() if rule.min_age]
    return max(ages) if ages else None


def seven_oh_text(rule: ProductRule) -> str:
    """API v1's free-text 7-OH rule, derived from the 7-OH rule ("" when unknown)."""
    if rule.rule == Rule.UNKNOWN:
        return ""
    return f"{rule.answer}: {rule.limit}" if rule.limit else rule.answer


def derived_fields(rules: dict[str, ProductRule]) -> dict:
    """The version columns that are a function of the rules."""
    return {
        "status": headline_status(rules),
        "min_age": minimum_age(rules),
        "seven_oh_rule": seven_oh_text(rules[Category.SEVEN_OH]),
    }


def rule_data(rule: ProductRule) -> dict:
    """A rule in the API's shape (also the webhook payload's and the export's source)."""
    data = asdict(rule)
    data["scope"] = data["scope"] or None
    data["limit"] = data["limit"] or None
    return data


def rules_changes(before: dict | None, after: dict) -> list[str]:
    """What changed between two rule sets, in words: "7-OH products: regulated → banned"."""
    if before is None:
        return []
    changes = []
    for category in Category:
        old, new = before[category], after[category]
        label = Category(category).label
        if (old.rule, old.scope) != (new.rule, new.scope):
            changes.append(f"{label}: {old.answer.lower()} → {new.answer.lower()}")
        if old.min_age != new.min_age:
            changes.append(
                f"{label}: minimum age {old.min_age or 'none'} → {new.min_age or 'none'}"
            )
        if old.limit != new.limit:
            changes.append(f"{label}: limit {old.limit or 'none'} → {new.limit or 'none'}")
    return changes


def strictest(candidates: list[tuple[ProductRule, object]]) -> tuple[ProductRule, object]:
    """The most restrictive (rule, who) pair; on a tie the first, i.e. the broader level."""
    best = candidates[0]
    for candidate in candidates[1:]:
        if candidate[0].severity() > best[0].severity():
            best = candidate
    return best

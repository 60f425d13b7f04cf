"""axe-core (bundled by axe-playwright-python) run in the page: WCAG 2.0/2.1 A and AA rules."""

from collections import Counter

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
# label-content-name-mismatch (WCAG 2.5.3, label in name) is still "experimental" in axe-core,
# off unless named: the map's links are what it checks.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "resultTypes": ["violations"],
}

_axe = Axe()


def blocking_violations(page) -> list[dict]:
    """The serious and critical WCAG A/AA violations axe-core finds on the page as it is."""
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def nodes_per_rule(violations: list[dict]) -> Counter:
    return Counter({v["id"]: len(v["nodes"]) for v in violations})


def violations_report(violations: list[dict]) -> str:
    """One line per rule and a few of its elements, for an assertion message."""
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} — {targets}")
    return "\n".join(lines)

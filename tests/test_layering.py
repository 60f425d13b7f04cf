"""The apps' dependencies point one way, lazy imports included:

    tracker.lib < jurisdictions < measures, apikeys < monitoring, alerts < public < tracker

A module imports only from its own app and the layers below it; two apps of one layer import
neither each other. A lower layer tells the ones above through signals (jurisdictions/signals.py)
or a registry it owns (jurisdictions/pending.py)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. "tracker" is the project package itself (settings, urls, wsgi, celery): the
# top, which wires the apps together.
LAYERS = (
    ("tracker.lib",),
    ("jurisdictions",),
    ("tracker.measures", "tracker.apikeys"),
    ("tracker.monitoring", "tracker.alerts"),
    ("tracker.public",),
    ("tracker",),
)
APPS = [app for layer in LAYERS for app in layer]


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, those inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from tracker import monitoring` names the app in the imported names.
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def app_of(module: str) -> str | None:
    """The app a dotted module name belongs to: the longest app name it starts with."""
    owners = [app for app in APPS if module == app or module.startswith(f"{app}.")]
    return max(owners, key=len, default=None)


def _layer_index(app: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if app in layer)


def may_import(importer: str, imported: str) -> bool:
    if importer == imported:
        return True
    return _layer_index(imported) < _layer_index(importer)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def offending_imports() -> list[str]:
    found = []
    for path in sorted(
        [*(ROOT / "tracker").rglob("*.py"), *(ROOT / "jurisdictions").rglob("*.py")]
    ):
        importer = app_of(_module_name(path))
        for line, module in _imported_modules(path):
            imported = app_of(module)
            if imported is not None and not may_import(importer, imported):
                found.append(f"{path.relative_to(ROOT)}:{line} ({importer}) imports {module}")
    return found


def test_every_import_points_down_the_layers():
    assert offending_imports() == []


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("jurisdictions", "tracker.lib", True),
        ("tracker.lib", "jurisdictions", False),
        ("jurisdictions", "tracker.public", False),
        ("tracker.measures", "tracker.monitoring", False),
        ("tracker.monitoring", "tracker.measures", True),
        ("tracker.monitoring", "tracker.alerts", False),  # one layer: neither imports the other
        ("tracker.public", "tracker.apikeys", True),
        ("tracker.alerts", "tracker.public", False),
    ],
)
def test_the_rule_itself(importer, imported, allowed):
    assert may_import(importer, imported) is allowed


def test_a_module_belongs_to_its_innermost_app():
    assert app_of("tracker.public.views") == "tracker.public"
    assert app_of("tracker.settings") == "tracker"
    assert app_of("jurisdictions.models") == "jurisdictions"
    assert app_of("django.db") is None


def test_the_scan_sees_an_import_inside_a_function(tmp_path):
    # A lazy import (the kind that hid an old cycle) is found too.
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from tracker.monitoring.services import x\n")
    assert [m for _line, m in _imported_modules(sample)] == [
        "tracker.monitoring.services",
        "tracker.monitoring.services.x",
    ]

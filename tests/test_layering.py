"""The apps' dependencies point one way: monitoring and alerts build on jurisdictions."""

import ast
from pathlib import Path

import jurisdictions

# Apps that build on jurisdictions; it reaches them only through its signals (signals.py).
BUILT_ON_JURISDICTIONS = ("tracker.monitoring", "tracker.alerts")


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


def _reaches_up(module: str) -> bool:
    return any(module == app or module.startswith(f"{app}.") for app in BUILT_ON_JURISDICTIONS)


def test_no_jurisdictions_module_imports_monitoring_or_alerts():
    root = Path(jurisdictions.__file__).parent
    offending = [
        f"{path.relative_to(root.parent)}:{line} imports {module}"
        for path in sorted(root.rglob("*.py"))
        for line, module in _imported_modules(path)
        if _reaches_up(module)
    ]
    assert offending == []


def test_the_scan_sees_an_import_inside_a_function(tmp_path):
    # The rule's own check: a lazy import (the kind that hid the old cycle) is found too.
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from tracker.monitoring.services import x\n")
    assert [m for _line, m in _imported_modules(sample) if _reaches_up(m)] == [
        "tracker.monitoring.services",
        "tracker.monitoring.services.x",
    ]

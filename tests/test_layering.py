"""The apps' dependencies point one way: monitoring, measures and alerts build on
jurisdictions; monitoring's worklist reads measures, so measures never import monitoring."""

import ast
from pathlib import Path

import jurisdictions
from tracker import measures

# Apps that build on jurisdictions; it reaches them only through its signals (signals.py).
BUILT_ON_JURISDICTIONS = ("tracker.monitoring", "tracker.measures", "tracker.alerts")


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


def _reaches_up(module: str, apps=BUILT_ON_JURISDICTIONS) -> bool:
    return any(module == app or module.startswith(f"{app}.") for app in apps)


def _offending(root: Path, apps) -> list[str]:
    return [
        f"{path.relative_to(root.parent)}:{line} imports {module}"
        for path in sorted(root.rglob("*.py"))
        for line, module in _imported_modules(path)
        if _reaches_up(module, apps)
    ]


def test_no_jurisdictions_module_imports_monitoring_measures_or_alerts():
    assert _offending(Path(jurisdictions.__file__).parent, BUILT_ON_JURISDICTIONS) == []


def test_no_measures_module_imports_monitoring_or_alerts():
    # Monitoring's "Verify next" reads measures; the reverse would be a cycle.
    assert (
        _offending(Path(measures.__file__).parent, ("tracker.monitoring", "tracker.alerts")) == []
    )


def test_the_scan_sees_an_import_inside_a_function(tmp_path):
    # The rule's own check: a lazy import (the kind that hid the old cycle) is found too.
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from tracker.monitoring.services import x\n")
    assert [m for _line, m in _imported_modules(sample) if _reaches_up(m)] == [
        "tracker.monitoring.services",
        "tracker.monitoring.services.x",
    ]

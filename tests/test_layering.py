"""Imports run one way (README, "Layout"): shared modules import no feature; a feature package imports
shared modules, its own modules and lower features, never a higher one. Checked on the source, so a
function-local import counts as much as one at the top of a module."""
import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Lowest first: each package may import those before it. The shared modules (every module directly in
# app/ that is not listed here) come before them all and may import only each other.
LAYERS = ["auth", "audit", "notifications", "attachments", "people", "kpis", "actions", "goals", "meetings", "coaching",
          "reviews", "problems", "cases", "reports", "dashboard", "api",
          "main"]
# These put the application together and may import anything: the factory, the CLI, the demo data.
COMPOSITION = {"__init__", "cli", "demo"}
# Known upward imports still being removed, each (importer, imported); none today.
PENDING: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, is_package: bool = False):
    """(line, module) for every import of an app module in the source, resolved to absolute names."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "app")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "app":
                continue
            if target == "app":  # `from .. import formatting`: the names are the modules
                yield from ((node.lineno, f"app.{a.name}") for a in node.names)
            else:
                yield node.lineno, target


def unit_of(module: str) -> str:
    """The package or module directly under app/ that a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def rank(unit: str) -> int:
    """-1 for a shared module, else the package's place in LAYERS."""
    return LAYERS.index(unit) if unit in LAYERS else -1


def cross_imports():
    """(importer, imported, where) for every import from one unit under app/ into another."""
    for path in sorted(APP.rglob("*.py")):
        module = module_name(path)
        for line, target in imports_in(path.read_text(), module, path.name == "__init__.py"):
            if unit_of(target) != unit_of(module):
                yield unit_of(module), unit_of(target), f"{path.relative_to(APP.parent)}:{line} imports {target}"


def goes_up(importer: str, imported: str) -> bool:
    if importer in COMPOSITION:
        return False
    return imported in COMPOSITION or rank(imported) > rank(importer)


def test_every_package_has_a_layer():
    packages = {p.parent.name for p in APP.glob("*/__init__.py")}
    assert packages - COMPOSITION <= set(LAYERS), "add the new package to LAYERS and to README, Layout"


def test_imports_run_down_the_layers():
    wrong = [where for importer, imported, where in cross_imports()
             if goes_up(importer, imported) and (importer, imported) not in PENDING]
    assert wrong == []


def test_pending_exceptions_are_still_needed():
    used = {(importer, imported) for importer, imported, _ in cross_imports()}
    assert PENDING <= used, "remove the exceptions no import needs any more"


def test_the_check_resolves_relative_and_local_imports():
    source = ("from . import services\n"
              "def f():\n    from ..dashboard.services import trend_series\n    from .. import formatting\n"
              "import app.auth.models\n")
    assert list(imports_in(source, "app.kpis.routes")) == [
        (1, "app.kpis"), (5, "app.auth.models"), (3, "app.dashboard.services"), (4, "app.formatting")]
    assert list(imports_in("from .models import Store\n", "app.auth", is_package=True)) == [(1, "app.auth.models")]
    assert goes_up("kpis", "dashboard") and goes_up("formatting", "auth") and not goes_up("meetings", "goals")

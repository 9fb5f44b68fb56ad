"""The layer rules of components/README.md: which package may import which."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPONENTS = Path(__file__).resolve().parents[2] / "components"

# components/README.md, "Layer rules"; the top-level modules may import anything.
MAY_IMPORT = {
    "core": set(),
    "spec": {"core"},
    "controlplane": {"core"},
    "config": {"core", "spec", "controlplane"},
    "providers": {"core", "spec", "controlplane"},
    "planning": {"core", "spec", "controlplane", "config", "providers"},
    "resources": {"core", "spec"},
    "cluster": {"core", "spec", "config", "planning", "resources"},
    # The component package wraps the program: it may import anything.
    "package": {
        "core",
        "spec",
        "controlplane",
        "config",
        "providers",
        "planning",
        "resources",
        "cluster",
        "program",
        "controlplane_resources",
    },
}
# The one exception, inside a function: the config package imports spec.
EXCEPTIONS = {("spec/revision.py", "config")}


def _imported_packages(path: Path) -> set[str]:
    package = ["components", *path.relative_to(COMPONENTS).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = [*base, *(node.module.split(".") if node.module else [])]
        elif isinstance(node, ast.ImportFrom) and node.module:
            target = node.module.split(".")
        elif isinstance(node, ast.Import):
            targets = [alias.name.split(".") for alias in node.names]
            found |= {t[1] for t in targets if t[0] == "components" and len(t) > 1}
            continue
        else:
            continue
        if target[0] == "components" and len(target) > 1:
            found.add(target[1])
    return found


def test_every_package_is_in_the_rules() -> None:
    packages = {p.name for p in COMPONENTS.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(MAY_IMPORT)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = {
        f"{path.relative_to(COMPONENTS)} imports {imported}"
        for path in sorted((COMPONENTS / package).glob("*.py"))
        for imported in _imported_packages(path) - MAY_IMPORT[package] - {package}
        if (str(path.relative_to(COMPONENTS)), imported) not in EXCEPTIONS
    }
    assert not wrong

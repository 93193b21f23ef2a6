"""The harness must work unchanged on a phone: outside harness/sim, only the farm launcher and the
sandbox client may be imported from it (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[2] / "harness"
ALLOWED = {"harness.sim.farm", "harness.sim.state", "harness.sim.sandbox.client"}


def sim_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            if node.module == "harness.sim" or node.module.startswith("harness.sim."):
                found.append(node.module if node.module != "harness.sim" else names[1])
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("harness.sim")]
    return found


def test_only_the_farm_launcher_and_sandbox_client_are_imported_from_the_sim() -> None:
    offenders = {
        f"{path.relative_to(HARNESS.parent)}: {module}"
        for path in HARNESS.rglob("*.py")
        if "sim" not in path.relative_to(HARNESS).parts[:1]
        for module in sim_imports(path)
        if module not in ALLOWED
    }
    assert not offenders, "imports from harness/sim outside the allowed doors:\n" + "\n".join(
        sorted(offenders)
    )

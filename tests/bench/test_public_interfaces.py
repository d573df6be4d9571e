"""The benchmarks drive the app through its public interfaces only: a private name they reached
for would tie them to how a service happens to be written today."""
import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def private_names_used(source: str) -> list[str]:
    """`name._private` for names imported from chalicelib, and private names imported from it."""
    tree = ast.parse(source)
    imported: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chalicelib"):
            for alias in node.names:
                imported.add(alias.asname or alias.name)
                if _private(alias.name):
                    found.append(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            imported.update(alias.asname or alias.name.split(".")[0] for alias in node.names
                            if alias.name.startswith("chalicelib"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in imported:
                found.append(f"{ast.unparse(node)}")
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_the_scan_sees_private_names_of_the_app():
    assert private_names_used("from chalicelib.adapters.dynamodb import models\nmodels._bound = None\n") == ["models._bound"]
    assert private_names_used("from chalicelib.services.tickets import TicketService\n"
                              "TicketService._entry(1)\n") == ["TicketService._entry"]
    assert private_names_used("from chalicelib.x import _y\n") == ["chalicelib.x._y"]
    assert private_names_used("import chalicelib.adapters.dynamodb.models\nchalicelib.adapters.dynamodb.models._bound\n") == [
        "chalicelib.adapters.dynamodb.models._bound"]
    assert private_names_used("class A:\n    def f(self):\n        return self._x\n") == []


def test_the_benchmarks_use_no_private_name_of_the_app():
    used = {path.name: names for path in sorted(BENCH.glob("*.py")) if (names := private_names_used(path.read_text()))}
    assert used == {}

"""The event handlers and the API are siblings on top of the services: each takes what it needs
from the registry, never through the other."""
import ast
from pathlib import Path

import pytest

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"


def chalicelib_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chalicelib"):
            found |= {f"{node.module}.{alias.name}" if node.module == "chalicelib" else node.module
                      for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("chalicelib")}
    return found


@pytest.mark.parametrize("package, sibling", [("events", "api"), ("api", "events")])
def test_a_handler_package_imports_nothing_from_its_sibling(package, sibling):
    reaching = {f"{path.name} -> {module}" for path in sorted((CHALICELIB / package).glob("*.py"))
                for module in chalicelib_imports(path)
                if module == f"chalicelib.{sibling}" or module.startswith(f"chalicelib.{sibling}.")}
    assert reaching == set()


# What the rules may build on: themselves, the schemas and the errors; never storage, the AWS SDK or
# the web framework, so that they run (and are tested) without any of them.
DOMAIN_MAY_IMPORT = ("chalicelib.domain", "chalicelib.schemas", "chalicelib.errors")
NOT_IN_THE_DOMAIN = ("boto3", "botocore", "pynamodb", "chalice", "moto", "requests")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_the_domain_is_pure():
    reaching = {f"{path.name} -> {module}" for path in sorted((CHALICELIB / "domain").glob("*.py"))
                for module in imported_modules(path)
                if (module.startswith("chalicelib") and not module.startswith(DOMAIN_MAY_IMPORT))
                or module.split(".")[0] in NOT_IN_THE_DOMAIN}
    assert reaching == set()

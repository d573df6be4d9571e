"""docs/openapi.json is the contract both clients' types are generated from: it must be the app's."""
from pathlib import Path

from chalicelib.cli import openapi_text

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_document_is_the_one_the_app_serves():
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is stale: run `make contract` and commit what it writes")

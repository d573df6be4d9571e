import pytest

from tests.api.conftest import admin_id, api, client  # noqa: F401  (the same fixtures as the API tests)
from tests.receiver import start_receiver


@pytest.fixture
def receiver(monkeypatch):
    """A webhook receiver on loopback, which the app may deliver to."""
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()

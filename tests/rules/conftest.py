"""The API tier's fixtures with every table in memory: the app's rules over HTTP (validation,
roles, workflow, views, SLA, people, keys), assertions as on DynamoDB Local, without it. Tests that
prove what DynamoDB itself does (transactions, conditions, indexes, paging over partitions, streams,
faults, concurrency, call counts) stay in tests/api and tests/events."""
import time

import pytest
from chalice.test import TestHTTPClient

from tests.api.conftest import admin_id, api, client  # noqa: F401  (fixtures, on the `aws` below)


@pytest.fixture
def aws(aws_on_memory):
    yield


@pytest.fixture(autouse=True)
def requests_in_different_milliseconds(monkeypatch):
    """History is ordered by its entries' millisecond, then by their random ids. A request to
    DynamoDB Local never ends within the millisecond it started; one in memory may, so each request
    here waits for the next millisecond as one over the network would."""
    request, last = TestHTTPClient.request, [0]

    def in_a_millisecond_of_its_own(self, *args, **kwargs):
        while time.time_ns() // 1_000_000 <= last[0]:
            time.sleep(0.0002)
        try:
            return request(self, *args, **kwargs)
        finally:
            last[0] = time.time_ns() // 1_000_000

    monkeypatch.setattr(TestHTTPClient, "request", in_a_millisecond_of_its_own)

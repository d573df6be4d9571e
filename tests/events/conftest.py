import pytest
from chalice.test import Client

from tests.api.conftest import Api, new_project
from tests.conftest import STAGE


@pytest.fixture
def client(aws):
    from app import app

    with Client(app, stage_name=STAGE) as test_client:
        yield test_client


@pytest.fixture
def api(client) -> Api:
    return new_project(client)[0]

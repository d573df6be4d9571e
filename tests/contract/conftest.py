"""Runs the repository contract against three backends: moto in-process, AWS's DynamoDB Local, and
the in-memory repositories that service tests run on."""
import os

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.dynamodb import models
from chalicelib.domain.clock import new_id
from chalicelib.local import provision
from chalicelib.services import registry
from tests.conftest import STAGE


@pytest.fixture(params=["moto", "dynamodb_local", "memory"])
def backend(request):
    if request.param == "memory":
        yield "memory"
        return
    if request.param == "moto":
        with mock_aws():
            provision.create_tables(boto3.client("dynamodb"), STAGE)
            models.rebind()
            yield "moto"
        models.rebind()
        return
    endpoint = request.getfixturevalue("dynamodb_local_endpoint")
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    models.rebind()
    try:
        yield "dynamodb_local"
    finally:
        del os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
        models.rebind()


@pytest.fixture
def storage(backend) -> registry.Storage:
    """The backend's repositories; in memory they share one store, as the DynamoDB ones share tables."""
    return registry.memory_storage() if backend == "memory" else registry.dynamodb_storage()


@pytest.fixture
def repo(storage):
    return storage.tickets


@pytest.fixture
def directory(storage):
    return storage.directory


@pytest.fixture
def project_id():
    return new_id()

"""Runs the repository contract against both backends: moto in-process and AWS's DynamoDB Local."""
import os

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters import models
from chalicelib.local import provision
from tests.conftest import STAGE


@pytest.fixture(params=["moto", "dynamodb_local"])
def backend(request):
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

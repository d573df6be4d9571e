"""Shared fixtures. The API tier runs the app in-process (chalice.test.Client) on moto, with the
tables built from infra/resources.json."""
import os

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
os.environ.setdefault("CURSOR_SIGNING_KEY", "test-cursor-key")
for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
    os.environ.pop(name, None)

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.local import provision  # noqa: E402

STAGE = "local"  # the chalice stage whose names the in-process tests use
os.environ.update(provision.environment(STAGE))


@pytest.fixture
def aws():
    with mock_aws():
        provision.create_tables(boto3.client("dynamodb"), STAGE)
        provision.create_buckets(boto3.client("s3"), STAGE)
        from chalicelib.adapters import models
        from chalicelib.api.routing import services
        models._bound = None
        services.cache_clear()
        yield

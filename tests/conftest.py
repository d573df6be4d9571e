"""Shared fixtures. The API tier runs the app in-process (chalice.test.Client) against AWS's
DynamoDB Local (one in-memory server per session; each test works in a project of its own) and
moto for the other AWS services. Tables come from infra/resources.json."""
import os

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
os.environ.setdefault("CURSOR_SIGNING_KEY", "test-cursor-key")
os.environ.setdefault("SIGN_IN_SECRET", "test-sign-in-key")
os.environ.setdefault("REPLY_TOKEN_SECRET", "test-reply-token-key")
# Wrong keys are part of many tests, all sent from chalice's test gateway (127.0.0.1) within the
# same minutes; the limits on them are tested with their defaults and sources of their own
# (tests/api/test_auth.py).
os.environ.setdefault("WRONG_KEYS_PER_SOURCE", "1000000")
os.environ.setdefault("WRONG_KEYS_PER_KEY", "1000000")
for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
    os.environ.pop(name, None)

from tests.aws_calls import RECORDER  # noqa: E402

RECORDER.install()  # before any client exists, so that every request of the session is seen

import contextlib  # noqa: E402
import functools  # noqa: E402

import botocore.loaders  # noqa: E402
import botocore.session  # noqa: E402

# The app's DynamoDB models share one loader themselves (chalicelib/adapters/dynamodb/sessions.py);
# every other client (moto's services', made again before each test, and the tests' own) opens a
# botocore session of its own: without this each session parses botocore's endpoint and service
# JSON again. The files never change while the tests run;
# sessions, clients and their requests are made as before.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.local import dynamodb_local, provision  # noqa: E402

STAGE = "local"  # the chalice stage whose names the in-process tests use
EMAIL_DOMAIN = "ticketry.local"
os.environ.update(provision.environment(STAGE))


@pytest.fixture(scope="session")
def dynamodb_local_endpoint():
    with dynamodb_local.running() as endpoint:
        provision.create_tables(boto3.client("dynamodb", endpoint_url=endpoint), STAGE)
        yield endpoint


def rebind():
    """Makes the app pick up endpoint changes made by a fixture, and start as a fresh Lambda would:
    new clients, the queue looked up again."""
    from chalicelib.adapters.dynamodb import models
    models.rebind()
    forget_services()


def forget_services():
    """The services and the clients of moto's services, made again on first use; the DynamoDB
    models stay bound to their tables while the settings are the same (models.bind() compares
    them), as in a warm Lambda: a fresh binding opens a botocore session per model class."""
    from chalicelib.adapters import mailer, queue
    from chalicelib.services.registry import services
    services.cache_clear()
    queue.reset()
    mailer.ses_client.cache_clear()


@functools.cache
def provisioning_clients():
    """The clients that set up each test's moto, made once: moto answers every client made after it
    was imported, in whichever mock_aws is active, and making three clients cost more than the
    set-up they do."""
    return boto3.client("s3"), boto3.client("sqs"), boto3.client("sesv2")


@contextlib.contextmanager
def moto_services():
    """moto's S3, SQS and SES, provisioned as the stage's, for the length of the block."""
    with mock_aws():
        s3, sqs, sesv2 = provisioning_clients()
        provision.create_buckets(s3, STAGE)
        provision.create_queues(sqs, STAGE)
        # The stream consumer mails from this domain, as on the local stack.
        sesv2.create_email_identity(EmailIdentity=EMAIL_DOMAIN)
        forget_services()
        yield
    forget_services()


@pytest.fixture
def aws(dynamodb_local_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local_endpoint)
    with moto_services():
        yield


@pytest.fixture
def aws_on_memory():
    """As `aws`, with every table in memory (a new store per test) instead of DynamoDB Local: for
    tests of the app's rules, which hold whatever the storage (tests/contract pins memory to
    DynamoDB's behaviour)."""
    from chalicelib.services import registry

    with moto_services(), registry.serving(registry.on(registry.memory_storage())):
        yield


def pytest_collection_modifyitems(config, items):
    """Tests marked after_suite judge what the rest of the session did, so they run last."""
    items.sort(key=lambda item: item.get_closest_marker("after_suite") is not None)

"""An OIDC provider's client secret: inline as given, or read from Secrets Manager (moto) by the
ARN the provider names, once per process."""
import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.client_secrets import ClientSecrets
from chalicelib.domain.oidc import Provider


@pytest.fixture
def secretsmanager():
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_an_inline_secret_is_used_as_given():
    provider = Provider(id="corp", name="Corp", issuer="https://login.example.com", client_id="c", client_secret="s")
    assert ClientSecrets(client=object()).secret_for(provider) == "s"


def test_a_secret_in_secrets_manager_is_read_by_its_arn_once(secretsmanager):
    arn = secretsmanager.create_secret(Name="ticketry/okta", SecretString="from-secrets-manager")["ARN"]
    provider = Provider(id="okta", name="Okta", issuer="https://corp.okta.com", client_id="c", client_secret_arn=arn)
    secrets = ClientSecrets()
    assert secrets.secret_for(provider) == "from-secrets-manager"
    secretsmanager.put_secret_value(SecretId=arn, SecretString="rotated")
    assert secrets.secret_for(provider) == "from-secrets-manager"  # kept for the process
    assert ClientSecrets().secret_for(provider) == "rotated"       # a new process reads it again

"""Each OIDC provider's client secret: given inline (local and test set-ups) or kept in Secrets
Manager under the ARN the provider names (deployed stages), read once per process."""
import threading

import boto3

from chalicelib import config
from chalicelib.domain.oidc import Provider


class ClientSecrets:
    def __init__(self, client=None):
        self._client = client
        self._read: dict[str, str] = {}
        self._lock = threading.Lock()

    def secret_for(self, provider: Provider) -> str:
        if provider.client_secret is not None:
            return provider.client_secret
        arn = provider.client_secret_arn
        with self._lock:
            if arn not in self._read:
                # The secret's value is the client secret itself, as plain text.
                self._read[arn] = self._secrets_manager().get_secret_value(SecretId=arn)["SecretString"]
            return self._read[arn]

    def _secrets_manager(self):
        if self._client is None:
            self._client = boto3.client("secretsmanager", region_name=config.region())
        return self._client

"""Received messages in the inbound bucket, where SES stores each one (`inbound/<SES message id>`)."""
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib import config

# The handler's role needs s3:GetObject and s3:DeleteObject on the bucket's objects (and
# s3:ListBucket, without which a missing object answers 403 rather than 404).
MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3RawMail:
    def __init__(self, bucket: str | None = None):
        self.bucket = bucket or config.inbound_bucket()
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = boto3.client("s3", region_name=config.region(),
                                        config=Config(s3={"addressing_style": "path"}))
        return self._client

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise
        return response["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

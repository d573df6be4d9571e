"""Attachment files in S3: presigned upload forms and download links, checks and deletes. Files
never pass through the API; clients talk to S3 with short-lived SigV4 links."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import config
from chalicelib.domain.attachments import StoredObject
from chalicelib.domain.clock import iso

# The functions' role needs, on the bucket's objects: s3:PutObject and s3:PutObjectTagging (a
# presigned form acts with the signer's rights), s3:GetObject (HeadObject), s3:GetObjectVersion
# (downloads of the confirmed version), s3:DeleteObjectVersionTagging and s3:DeleteObjectVersion;
# on the bucket: s3:ListBucket (without it HeadObject answers 403 for a missing file, not 404) and
# s3:ListBucketVersions.

# Uploads carry this tag until confirmed; the bucket's lifecycle rule (infra/resources.json)
# expires tagged objects after a day, so a file whose upload is never confirmed does not stay.
# A tag rather than a "pending/" prefix: confirming is then one tagging call on the object where it
# is, instead of a copy and a delete (and a second ObjectCreated event for the copy).
PENDING_TAG_KEY = "ticketry-upload"
PENDING_TAG_VALUE = "pending"
PENDING_TAGGING = (f"<Tagging><TagSet><Tag><Key>{PENDING_TAG_KEY}</Key><Value>{PENDING_TAG_VALUE}</Value>"
                   "</Tag></TagSet></Tagging>")
DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys


class StorageError(Exception):
    """S3 refused or failed a request we cannot do without."""


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]
    expires_at: str


class AttachmentStore:
    def __init__(self, bucket: str | None = None):
        self.bucket = bucket or config.attachments_bucket()
        self._client = None

    @property
    def client(self):
        # boto3 takes the endpoint from AWS_ENDPOINT_URL (the local stack's moto server). Path-style
        # addressing keeps links working there, where bucket host names do not resolve.
        if self._client is None:
            self._client = boto3.client("s3", region_name=config.region(), config=Config(
                signature_version="s3v4", s3={"addressing_style": "path"}))
        return self._client

    def upload_form(self, key: str, content_type: str, size: int, expires_in: int) -> UploadForm:
        """A POST form whose policy fixes the key, the content type, the pending tag and the exact
        size, so S3 itself refuses any other file."""
        fields = {"Content-Type": content_type, "tagging": PENDING_TAGGING}
        conditions = [{"Content-Type": content_type}, {"tagging": PENDING_TAGGING},
                      ["content-length-range", size, size]]
        expires_at = datetime.now(timezone.utc) + timedelta(seconds=expires_in)
        presigned = self.client.generate_presigned_post(self.bucket, key, Fields=fields, Conditions=conditions,
                                                        ExpiresIn=expires_in)
        return UploadForm(presigned["url"], presigned["fields"], iso(expires_at))

    def origin(self) -> str:
        """Where browsers send uploads and fetch downloads (scheme, host and port); presigning is
        computed locally, so this costs no request."""
        link = urlsplit(self.client.generate_presigned_url(
            "get_object", ExpiresIn=60, Params={"Bucket": self.bucket, "Key": "origin"}))
        return f"{link.scheme}://{link.netloc}"

    def download_url(self, key: str, version_id: str | None, content_type: str, content_disposition: str,
                     expires_in: int) -> str:
        """A link to that version of the object, served with the type and disposition given
        whatever the object's own metadata says."""
        params = {"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type,
                  "ResponseContentDisposition": content_disposition}
        if version_id is not None:
            params["VersionId"] = version_id
        return self.client.generate_presigned_url("get_object", ExpiresIn=expires_in, Params=params)

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Stores a file the app itself received (an email's attachment), without the pending tag:
        its record is confirmed as an upload's is, by `confirm` and the record's own write."""
        try:
            response = self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except (ClientError, BotoCoreError) as error:
            raise StorageError(f"could not store {key}") from error
        version = response.get("VersionId")
        return StoredObject(size=len(data), content_type=content_type,
                            version_id=version if version and version != "null" else None,
                            etag=response.get("ETag", "").strip('"') or None)

    def head(self, key: str) -> StoredObject | None:
        try:
            response = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise StorageError(f"could not read {key}") from error
        except BotoCoreError as error:
            raise StorageError(f"could not read {key}") from error
        version = response.get("VersionId")
        return StoredObject(size=int(response["ContentLength"]), content_type=response.get("ContentType", ""),
                            version_id=version if version and version != "null" else None,
                            etag=response.get("ETag", "").strip('"') or None)

    def confirm(self, key: str, version_id: str | None) -> None:
        """Takes the pending tag off that version, so the lifecycle rule keeps it."""
        params = {"Bucket": self.bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
        try:
            self.client.delete_object_tagging(**params)
        except (ClientError, BotoCoreError) as error:
            raise StorageError(f"could not confirm {key}") from error

    def delete(self, key: str) -> None:
        """Deletes every version of one object: the bucket is versioned, and a deleted attachment
        must not linger as an older version."""
        self._delete_versions(key, exact=True)

    def delete_other_versions(self, key: str, kept_version_id: str) -> int:
        """Deletes every version of one object but `kept_version_id` (delete markers included), so
        that the kept one is the current version again; returns how many were deleted."""
        return self._delete_versions(key, exact=True, keep=kept_version_id)

    def delete_prefix(self, prefix: str) -> int:
        """Deletes every version of every object under prefix; returns how many were deleted."""
        return self._delete_versions(prefix, exact=False)

    def _delete_versions(self, prefix: str, exact: bool, keep: str | None = None) -> int:
        deleted = 0
        batch: list[dict] = []
        try:
            for page in self.client.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=prefix):
                for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
                    if (exact and version["Key"] != prefix) or version["VersionId"] == keep:
                        continue
                    batch.append({"Key": version["Key"], "VersionId": version["VersionId"]})
                    if len(batch) == DELETE_BATCH:
                        deleted += self._delete_batch(batch)
                        batch = []
            if batch:
                deleted += self._delete_batch(batch)
        except (ClientError, BotoCoreError) as error:
            raise StorageError(f"could not delete {prefix}") from error
        return deleted

    def _delete_batch(self, batch: list[dict]) -> int:
        response = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        errors = response.get("Errors", [])
        if errors:
            raise StorageError(f"could not delete {len(errors)} object version(s), e.g. {errors[0].get('Key')}: "
                               f"{errors[0].get('Code')}")
        return len(batch)

"""moto server mode with S3 kept on disk: objects survive a restart, and syncs copy only changes."""
import time

import pytest

from chalicelib.local import aws_server
from chalicelib.local.aws_server import S3Mirror, s3_client
from chalicelib.local.dynamodb_local import free_port

OBJECTS = [
    ("attachments-bucket", "readme.txt", b"hello", "text/plain", {"uploaded-by": "ada"}),
    ("attachments-bucket", "tickets/42/sp\u00e4ce & name.bin", bytes(range(256)) * 64, "application/octet-stream", {}),
    ("attachments-bucket", "empty", b"", "application/x-empty", {"a": "1", "b": "2"}),
    ("other-bucket", "deep/ly/nested/key.json", b'{"x": 1}', "application/json", {}),
]


def put_all(s3) -> None:
    for bucket in sorted({o[0] for o in OBJECTS} | {"bucket-without-objects"}):
        s3.create_bucket(Bucket=bucket)
    for number, (bucket, key, body, content_type, metadata) in enumerate(OBJECTS):
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata,
                      ContentDisposition=f'attachment; filename="file-{number}"')


def everything(s3) -> dict:
    contents = {}
    for bucket in s3.list_buckets()["Buckets"]:
        contents[bucket["Name"]] = {}
        for listed in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            got = s3.get_object(Bucket=bucket["Name"], Key=listed["Key"])
            contents[bucket["Name"]][listed["Key"]] = (
                got["Body"].read(), got["ContentType"], got["Metadata"], got.get("ContentDisposition"))
    return contents


def test_objects_survive_a_restart(tmp_path):
    folder = tmp_path / "s3"
    with aws_server.running(free_port(), s3_folder=folder, sync_interval=3600) as endpoint:
        put_all(s3_client(endpoint))
        before = everything(s3_client(endpoint))
    # moto's state lives in this process; a new server without the folder starts empty
    with aws_server.running(free_port()) as endpoint:
        assert s3_client(endpoint).list_buckets()["Buckets"] == []
    with aws_server.running(free_port(), s3_folder=folder) as endpoint:
        after = everything(s3_client(endpoint))
    assert after == before
    assert after["attachments-bucket"]["readme.txt"] == (
        b"hello", "text/plain", {"uploaded-by": "ada"}, 'attachment; filename="file-0"')
    assert after["bucket-without-objects"] == {}


def test_a_restored_object_keeps_its_version_id(tmp_path):
    """Download links name the version an upload confirmed: it must still be there after a restart."""
    folder = tmp_path / "s3"
    with aws_server.running(free_port(), s3_folder=folder, sync_interval=3600) as endpoint:
        s3 = s3_client(endpoint)
        s3.create_bucket(Bucket="versioned")
        s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
        version = s3.put_object(Bucket="versioned", Key="p/t/a", Body=b"hello")["VersionId"]
    with aws_server.running(free_port(), s3_folder=folder) as endpoint:
        got = s3_client(endpoint).get_object(Bucket="versioned", Key="p/t/a", VersionId=version)
        assert got["Body"].read() == b"hello" and got["VersionId"] == version


def test_a_sync_copies_only_what_changed(tmp_path):
    with aws_server.running(free_port()) as endpoint:
        s3 = s3_client(endpoint)
        put_all(s3)
        mirror = S3Mirror(endpoint, tmp_path / "s3")
        time.sleep(1.1)  # stamps have whole seconds: a copy made in the write's second is checked again
        assert mirror.sync().fetched == len(OBJECTS)
        assert mirror.sync() == aws_server.SyncReport(fetched=0, removed=0)

        s3.put_object(Bucket="attachments-bucket", Key="readme.txt", Body=b"changed", ContentType="text/plain")
        s3.delete_object(Bucket="other-bucket", Key="deep/ly/nested/key.json")
        report = mirror.sync()
        assert (report.fetched, report.removed) == (1, 1)
        s3.delete_bucket(Bucket="other-bucket")
        mirror.sync()
    assert sorted(p.name for p in (tmp_path / "s3").iterdir()) == ["attachments-bucket", "bucket-without-objects"]


def test_a_busy_port_is_reported():
    port = free_port()
    with aws_server.running(port):
        with pytest.raises(aws_server.PortInUse):
            with aws_server.running(port):
                pass


def test_sqs_still_drops_messages_past_their_retention():
    """The stack replaces moto's retention check with a cheaper one; what it decides must not change."""
    import boto3
    from moto.sqs.models import sqs_backends

    with aws_server.running(free_port()) as endpoint:
        sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="local", aws_secret_access_key="local")
        url = sqs.create_queue(QueueName="retention", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="old")
        account_id = url.rstrip("/").split("/")[-2]
        [old] = sqs_backends[account_id]["us-east-1"].queues["retention"]._messages
        old.sent_timestamp -= 61_000
        expired = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        sqs.send_message(QueueUrl=url, MessageBody="new")
        fresh = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert expired == [] and [m["Body"] for m in fresh] == ["new"]

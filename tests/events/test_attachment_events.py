"""S3's "Object Created" event (through EventBridge) confirms an upload the client never confirmed,
and removes files no live attachment wants."""
import copy
import json
from pathlib import Path

import boto3
import pytest

from app import app
from chalicelib.adapters.attachment_store import PENDING_TAG_KEY, PENDING_TAG_VALUE
from chalicelib.domain.clock import new_id
from chalicelib.local import provision
from tests.conftest import STAGE

BUCKET = provision.resource_names(STAGE)["AttachmentsBucket"]
CANNED = json.loads((Path(__file__).parent / "s3_object_created.json").read_text())
HANDLER = "attachment_uploaded"


def object_created(key: str, size: int) -> dict:
    event = copy.deepcopy(CANNED)
    event["detail"]["object"].update(key=key, size=size)
    return event


@pytest.fixture
def s3(aws):
    return boto3.client("s3")


@pytest.fixture
def ticket(api):
    return api.create_ticket()


def start(api, ticket, size=5) -> dict:
    response = api.post(f"/tickets/{ticket['id']}/attachments",
                        {"file_name": "notes.txt", "content_type": "text/plain", "size": size})
    assert response.status_code == 201, response.body
    return response.json


def exists(s3, key: str) -> bool:
    return s3.list_objects_v2(Bucket=BUCKET, Prefix=key).get("KeyCount", 0) > 0


def test_the_rule_matches_object_created_events_of_our_bucket_only():
    [source] = [s for s in app.event_sources if s.name == HANDLER]
    pattern = source.event_pattern
    assert pattern["source"] == [CANNED["source"]]
    assert pattern["detail-type"] == [CANNED["detail-type"]]
    assert pattern["detail"]["bucket"]["name"] == [BUCKET]


def test_an_unconfirmed_upload_becomes_available_once(client, api, ticket, s3):
    started = start(api, ticket)
    key = started["upload"]["fields"]["key"]
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"hello", ContentType="text/plain")

    for _ in range(2):  # EventBridge delivers at least once
        client.lambda_.invoke(HANDLER, object_created(key, 5))

    [attachment] = api.get(f"/tickets/{ticket['id']}").json["attachments"]
    assert attachment["id"] == started["attachment"]["id"] and attachment["status"] == "available"
    added = api.get(f"/tickets/{ticket['id']}/history?event=ATTACHMENT_ADDED").json["data"]
    assert len(added) == 1 and added[0]["changed_by"] == started["attachment"]["uploaded_by"]
    late = api.post(f"/tickets/{ticket['id']}/attachments/{attachment['id']}/complete")
    assert late.status_code == 200 and late.json["uploaded_at"] == attachment["uploaded_at"]
    assert len(api.get(f"/tickets/{ticket['id']}/history?event=ATTACHMENT_ADDED").json["data"]) == 1


def test_a_file_breaking_the_announced_size_is_deleted(client, api, ticket, s3):
    started = start(api, ticket, size=5)
    key = started["upload"]["fields"]["key"]
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"hello, world", ContentType="text/plain")
    client.lambda_.invoke(HANDLER, object_created(key, 12))
    assert not exists(s3, key)
    assert api.get(f"/tickets/{ticket['id']}/attachments/{started['attachment']['id']}").json["status"] == "pending"


def test_a_file_without_an_attachment_record_is_deleted(client, api, ticket, s3):
    key = f"{api.project_id}/{ticket['id']}/{new_id()}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"hello")
    client.lambda_.invoke(HANDLER, object_created(key, 5))
    assert not exists(s3, key)


def test_a_file_arriving_after_its_ticket_was_deleted_is_deleted(client, api, ticket, s3):
    started = start(api, ticket)
    assert api.delete(f"/tickets/{ticket['id']}").status_code == 204
    key = started["upload"]["fields"]["key"]
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"hello", ContentType="text/plain")
    client.lambda_.invoke(HANDLER, object_created(key, 5))
    assert not exists(s3, key)


def test_a_key_under_another_project_is_not_confirmed(client, api, ticket, s3):
    started = start(api, ticket)
    real_key = started["upload"]["fields"]["key"]
    forged = "0" * 16 + real_key[real_key.index("/"):]
    s3.put_object(Bucket=BUCKET, Key=forged, Body=b"hello", ContentType="text/plain")
    client.lambda_.invoke(HANDLER, object_created(forged, 5))
    assert not exists(s3, forged)
    assert api.get(f"/tickets/{ticket['id']}/attachments/{started['attachment']['id']}").json["status"] == "pending"


def test_objects_we_did_not_name_are_left_alone(client, s3):
    s3.put_object(Bucket=BUCKET, Key="exports/2026/report.csv", Body=b"a,b")
    client.lambda_.invoke(HANDLER, object_created("exports/2026/report.csv", 3))
    assert exists(s3, "exports/2026/report.csv")


def test_a_confirmed_upload_posted_again_keeps_its_file(client, api, ticket, s3):
    started = start(api, ticket)
    key = started["upload"]["fields"]["key"]
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"hello", ContentType="text/plain")
    done = api.post(f"/tickets/{ticket['id']}/attachments/{started['attachment']['id']}/complete").json
    # The form is still valid: a second post makes a new version, tagged pending like every upload.
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"howdy", ContentType="text/plain", Tagging=f"{PENDING_TAG_KEY}={PENDING_TAG_VALUE}")
    for _ in range(2):  # EventBridge delivers at least once
        client.lambda_.invoke(HANDLER, object_created(key, 5))
    # The later version is gone: the confirmed one is current again, untagged, and still the one recorded.
    [kept] = s3.list_object_versions(Bucket=BUCKET, Prefix=key)["Versions"]
    assert kept["IsLatest"] and s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"hello"
    assert s3.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"] == []
    assert api.get(f"/tickets/{ticket['id']}/attachments/{done['id']}").json | {"download_url": None} == \
        done | {"download_url": None}
    assert len(api.get(f"/tickets/{ticket['id']}/history?event=ATTACHMENT_ADDED").json["data"]) == 1


def test_a_post_before_the_confirmation_is_dropped_once_its_event_comes(client, api, ticket, s3):
    """Two posts, then `complete`: the newest is confirmed; the older one's event deletes it."""
    started = start(api, ticket)
    key = started["upload"]["fields"]["key"]
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"first", ContentType="text/plain")
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"again", ContentType="text/plain")
    assert api.post(f"/tickets/{ticket['id']}/attachments/{started['attachment']['id']}/complete").status_code == 200
    client.lambda_.invoke(HANDLER, object_created(key, 5))
    assert [v["IsLatest"] for v in s3.list_object_versions(Bucket=BUCKET, Prefix=key)["Versions"]] == [True]
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"again"

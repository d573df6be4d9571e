"""Attachments: presigned uploads posted with plain `requests` to a real (moto) S3 server, confirmed,
downloaded, removed, and cleaned up with their ticket."""
import base64
import json
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import boto3
import pytest
import requests

from chalicelib import config
from chalicelib.adapters.attachment_store import PENDING_TAG_KEY, PENDING_TAG_VALUE
from chalicelib.adapters.dynamodb.attachment_records import AttachmentRepository
from chalicelib.local import aws_server, provision
from chalicelib.local.dynamodb_local import free_port
from chalicelib.services import attachments as attachment_service
from tests.api.conftest import new_project
from tests.conftest import STAGE, rebind

BUCKET = provision.resource_names(STAGE)["AttachmentsBucket"]


@pytest.fixture(scope="module")
def s3_endpoint():
    with aws_server.running(free_port()) as endpoint:
        yield endpoint


@pytest.fixture
def aws(dynamodb_local_endpoint, s3_endpoint, monkeypatch):
    """Overrides the in-process moto of tests/conftest.py: links must reach an S3 over HTTP."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    provision.create_buckets(aws_server.s3_client(s3_endpoint), STAGE)
    provision.create_queues(boto3.client("sqs", endpoint_url=s3_endpoint), STAGE)
    rebind()
    yield
    rebind()


@pytest.fixture
def s3(s3_endpoint):
    return aws_server.s3_client(s3_endpoint)


@pytest.fixture
def ticket(api):
    return api.create_ticket()


@pytest.fixture
def between_count_and_write(monkeypatch):
    """Runs `other` (another request, start to finish) while a start_upload holds its count of the
    ticket's records and has not written yet, the first `times` times one counts. Returns the live
    counts taken, in order, the other request's included."""
    def install(other, times: int = 1) -> list[int]:
        counted, counts, runs, inside = AttachmentRepository.for_ticket, [], [], []

        def count_then_let_the_other_through(repo, ticket_id):
            records = counted(repo, ticket_id)
            counts.append(sum(1 for a in records if a.is_live(time.time())))
            if len(runs) < times and not inside:
                runs.append(other)
                inside.append(True)
                try:
                    other()
                finally:
                    inside.pop()
            return records

        monkeypatch.setattr(AttachmentRepository, "for_ticket", count_then_let_the_other_through)
        return counts
    return install


def start(api, ticket, file_name="notes.txt", content_type="text/plain", size=5, expect=201):
    response = api.post(f"/tickets/{ticket['id']}/attachments",
                        {"file_name": file_name, "content_type": content_type, "size": size})
    assert response.status_code == expect, response.body
    return response.json


def upload(started, content: bytes, content_type: str | None = None) -> requests.Response:
    fields = dict(started["upload"]["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    response = requests.post(started["upload"]["url"], data=fields, files={"file": ("ignored-name", content)},
                             timeout=10)
    assert response.status_code in (200, 201, 204), response.text
    return response


def complete(api, ticket, attachment_id):
    return api.post(f"/tickets/{ticket['id']}/attachments/{attachment_id}/complete")


def attach(api, ticket, content: bytes = b"hello", **fields) -> dict:
    fields.setdefault("size", len(content))
    started = start(api, ticket, **fields)
    upload(started, content)
    response = complete(api, ticket, started["attachment"]["id"])
    assert response.status_code == 200, response.body
    return response.json


def key_of(api, ticket, attachment_id) -> str:
    return f"{api.project_id}/{ticket['id']}/{attachment_id}"


def versions(s3, prefix: str) -> list[dict]:
    listed = s3.list_object_versions(Bucket=BUCKET, Prefix=prefix)
    return listed.get("Versions", []) + listed.get("DeleteMarkers", [])


def history(api, ticket, event):
    return api.get(f"/tickets/{ticket['id']}/history?event={event}").json["data"]


def object_created(key: str, size: int) -> dict:
    """S3's Object Created event for `key`, as EventBridge delivers it."""
    event = json.loads((Path(__file__).parents[1] / "events" / "s3_object_created.json").read_text())
    event["detail"]["bucket"]["name"] = BUCKET
    event["detail"]["object"].update(key=key, size=size)
    return event


def policy_of(started) -> dict:
    return json.loads(base64.b64decode(started["upload"]["fields"]["policy"]))


class TestStartUpload:
    def test_returns_a_pending_record_and_a_form_for_the_embedded_s3(self, api, ticket, admin_id, s3_endpoint):
        started = start(api, ticket, size=5)
        attachment = started["attachment"]
        assert attachment | {"id": None} == {"id": None, "file_name": "notes.txt", "content_type": "text/plain",
                                             "size": 5, "status": "pending", "uploaded_by": admin_id,
                                             "uploaded_at": None, "download_url": None}
        assert started["upload"]["url"] == f"{s3_endpoint}/{BUCKET}"  # path-style, on 127.0.0.1
        fields = started["upload"]["fields"]
        assert fields["key"] == key_of(api, ticket, attachment["id"])
        assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4

    def test_policy_pins_key_type_size_and_pending_tag(self, api, ticket):
        started = start(api, ticket, content_type="Application/PDF", size=1234)
        policy = policy_of(started)
        conditions = policy["conditions"]
        key = key_of(api, ticket, started["attachment"]["id"])
        assert {"key": key} in conditions and {"bucket": BUCKET} in conditions
        assert {"Content-Type": "application/pdf"} in conditions
        assert ["content-length-range", 1234, 1234] in conditions
        assert {"tagging": started["upload"]["fields"]["tagging"]} in conditions
        assert "<Value>pending</Value>" in started["upload"]["fields"]["tagging"]
        assert started["upload"]["fields"]["Content-Type"] == "application/pdf"
        expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        assert timedelta(minutes=14) < expiration - datetime.now(timezone.utc) <= timedelta(minutes=15)
        assert started["upload"]["expires_at"][:16] == policy["expiration"][:16]

    def test_oversized_file_is_413_before_any_link(self, api, ticket, monkeypatch):
        monkeypatch.setenv(config.MAX_ATTACHMENT_BYTES, "100")
        refused = start(api, ticket, size=101, expect=413)
        assert refused["error"]["code"] == "attachment_too_large"
        assert start(api, ticket, size=100)["attachment"]["size"] == 100
        assert len(api.get(f"/tickets/{ticket['id']}/attachments").json["data"]) == 1

    def test_default_limit_is_25_mib(self, api, ticket):
        start(api, ticket, size=25 * 1024 * 1024)
        start(api, ticket, size=25 * 1024 * 1024 + 1, expect=413)

    @pytest.mark.parametrize("content_type", [
        "", " ", "text", "text/", "/plain", "text/plain/extra", "text/plain\r\nX-Evil: 1", 'text/plain; charset="utf-8"',
    ])
    def test_malformed_content_type_is_400(self, api, ticket, content_type):
        refused = start(api, ticket, content_type=content_type, expect=400)
        assert refused["error"]["code"] == "validation_error"
        assert refused["error"]["details"][0]["field"] == "content_type"

    @pytest.mark.parametrize("body,field", [
        ({"file_name": "", "content_type": "text/plain", "size": 1}, "file_name"),
        ({"file_name": "a", "content_type": "text/plain", "size": -1}, "size"),
        ({"file_name": "a", "content_type": "text/plain"}, "size"),
        ({"file_name": "a", "content_type": "text/plain", "size": 1, "key": "x"}, "key"),
    ])
    def test_invalid_body_is_400(self, api, ticket, body, field):
        response = api.post(f"/tickets/{ticket['id']}/attachments", body)
        assert response.status_code == 400 and response.json["error"]["details"][0]["field"] == field

    def test_at_most_50_per_ticket_pending_ones_included(self, api, ticket):
        started = [start(api, ticket, size=1) for _ in range(50)]
        refused = start(api, ticket, size=1, expect=409)
        assert refused["error"]["code"] == "attachment_limit"
        assert api.delete(f"/tickets/{ticket['id']}/attachments/{started[0]['attachment']['id']}").status_code == 204
        start(api, ticket, size=1)

    def test_two_requests_counting_at_once_take_the_last_place_once(self, api, ticket, monkeypatch,
                                                                     between_count_and_write):
        monkeypatch.setenv(config.MAX_ATTACHMENTS_PER_TICKET, "3")
        start(api, ticket, size=1)
        start(api, ticket, size=1)
        other = []
        counts = between_count_and_write(lambda: other.append(start(api, ticket, size=1)))

        refused = start(api, ticket, size=1, expect=409)

        assert refused["error"]["code"] == "attachment_limit"
        assert counts == [2, 2, 3]  # both counted 2 before either wrote; the loser counted again
        listed = api.get(f"/tickets/{ticket['id']}/attachments").json["data"]
        assert [a["id"] for a in listed][-1] == other[0]["attachment"]["id"] and len(listed) == 3

    def test_an_upload_added_meanwhile_makes_the_request_count_again(self, api, ticket, between_count_and_write):
        counts = between_count_and_write(lambda: start(api, ticket, size=1))
        start(api, ticket, size=1)
        assert counts == [0, 0, 1]
        assert len(api.get(f"/tickets/{ticket['id']}/attachments").json["data"]) == 2

    def test_a_ticket_change_meanwhile_costs_only_a_second_count(self, api, ticket, between_count_and_write):
        path = f"/tickets/{ticket['id']}"
        counts = between_count_and_write(lambda: api.patch(path, {"title": "renamed"}))
        start(api, ticket, size=1)
        assert counts == [0, 0]
        assert api.get(path).json["title"] == "renamed"
        assert len(api.get(f"{path}/attachments").json["data"]) == 1

    def test_a_ticket_deleted_meanwhile_is_404(self, api, ticket, between_count_and_write):
        between_count_and_write(lambda: api.delete(f"/tickets/{ticket['id']}"))
        assert start(api, ticket, size=1, expect=404)["error"]["code"] == "not_found"

    def test_gives_up_with_409_when_others_keep_adding(self, api, ticket, between_count_and_write):
        counts = between_count_and_write(lambda: start(api, ticket, size=1), times=attachment_service.WRITE_ATTEMPTS)
        refused = start(api, ticket, size=1, expect=409)
        assert refused["error"]["code"] == "conflict"
        assert "try again" in refused["error"]["message"]
        assert len(counts) == 2 * attachment_service.WRITE_ATTEMPTS
        assert len(api.get(f"/tickets/{ticket['id']}/attachments").json["data"]) == attachment_service.WRITE_ATTEMPTS

    def test_pending_uploads_leave_the_ticket_its_etag_and_history(self, api, ticket):
        path = f"/tickets/{ticket['id']}"
        before = api.get(path)
        for _ in range(3):
            start(api, ticket, size=1)
        after = api.get(path)
        assert after.headers["ETag"] == before.headers["ETag"]
        assert after.json == before.json  # version, updated_at, history and available attachments
        assert api.patch(path, {"title": "renamed"}, headers={"If-Match": before.headers["ETag"]}).status_code == 200

    def test_expired_pending_uploads_free_their_place(self, api, ticket, monkeypatch):
        monkeypatch.setenv(config.MAX_ATTACHMENTS_PER_TICKET, "1")
        lasting = attachment_service.PENDING_RECORD_SECONDS
        monkeypatch.setattr(attachment_service, "PENDING_RECORD_SECONDS", -1)
        stale = start(api, ticket, size=5)
        upload(stale, b"hello")
        monkeypatch.setattr(attachment_service, "PENDING_RECORD_SECONDS", lasting)
        fresh = start(api, ticket, size=1)
        start(api, ticket, size=1, expect=409)
        aid = stale["attachment"]["id"]
        assert api.get(f"/tickets/{ticket['id']}/attachments/{aid}").status_code == 404
        assert complete(api, ticket, aid).status_code == 404
        listed = api.get(f"/tickets/{ticket['id']}/attachments").json["data"]
        assert [a["id"] for a in listed] == [fresh["attachment"]["id"]]


class TestTypesOutsideTheList:
    """Only listed types keep their type; any other is stored, pinned in the form, checked and served
    as application/octet-stream, and downloaded as an attachment."""

    @pytest.mark.parametrize("declared", [
        "text/x-javascript", "text/jscript", "application/x-ecmascript", "text/livescript", "text/x-html",
        "text/html", "TEXT/HTML; charset=utf-8", "image/svg+xml", "application/xhtml+xml", "text/javascript",
        "multipart/form-data",
    ])
    def test_are_stored_and_served_as_octet_stream(self, api, ticket, declared):
        started = start(api, ticket, file_name="page.html", content_type=declared, size=20)
        assert started["attachment"]["content_type"] == "application/octet-stream"
        assert started["upload"]["fields"]["Content-Type"] == "application/octet-stream"
        assert {"Content-Type": "application/octet-stream"} in policy_of(started)["conditions"]
        upload(started, b"<script>1</script>\n\n")
        done = complete(api, ticket, started["attachment"]["id"])
        assert done.status_code == 200 and done.json["content_type"] == "application/octet-stream"
        download = requests.get(done.json["download_url"], timeout=10)
        assert download.headers["Content-Type"] == "application/octet-stream"
        assert download.headers["Content-Disposition"].startswith("attachment;")

    def test_a_file_sent_as_the_type_it_claimed_is_refused_and_deleted(self, api, ticket, s3):
        started = start(api, ticket, content_type="text/x-javascript", size=5)
        upload(started, b"alert", content_type="text/x-javascript")  # the embedded S3 ignores the policy
        response = complete(api, ticket, started["attachment"]["id"])
        assert response.status_code == 409 and response.json["error"]["code"] == "upload_rejected"
        assert versions(s3, started["upload"]["fields"]["key"]) == []

    def test_a_charset_that_could_spell_markup_is_dropped(self, api, ticket):
        assert start(api, ticket, content_type="text/plain; charset=UTF-7")["attachment"]["content_type"] == \
            "text/plain"


class TestComplete:
    def test_upload_complete_download(self, api, ticket, admin_id):
        content = "Grüße, world\n".encode() * 100
        started = start(api, ticket, file_name="greeting.txt", size=len(content))
        upload(started, content)
        response = complete(api, ticket, started["attachment"]["id"])
        assert response.status_code == 200
        done = response.json
        assert done["status"] == "available" and done["uploaded_at"] is not None
        download = requests.get(done["download_url"], timeout=10)
        assert download.status_code == 200 and download.content == content
        assert download.headers["Content-Disposition"] == \
            "attachment; filename=\"greeting.txt\"; filename*=UTF-8''greeting.txt"
        assert parse_qs(urlparse(done["download_url"]).query)["X-Amz-Expires"] == ["300"]

        [added] = history(api, ticket, "ATTACHMENT_ADDED")
        assert added["changed_by"] == admin_id
        assert added["changes"] == {"attachment": {"old": None, "new": {
            "id": done["id"], "file_name": "greeting.txt", "content_type": "text/plain", "size": len(content)}}}
        detail = api.get(f"/tickets/{ticket['id']}").json
        assert [a["id"] for a in detail["attachments"]] == [done["id"]]
        assert detail["history"][0]["event"] == "ATTACHMENT_ADDED"
        listed = api.get(f"/tickets/{ticket['id']}/attachments").json["data"]
        assert [(a["id"], a["status"]) for a in listed] == [(done["id"], "available")]
        one = api.get(f"/tickets/{ticket['id']}/attachments/{done['id']}").json
        assert requests.get(one["download_url"], timeout=10).content == content

    def test_confirmed_file_loses_its_pending_tag(self, api, ticket, s3):
        started = start(api, ticket)
        upload(started, b"hello")
        key = started["upload"]["fields"]["key"]
        # S3 tags the object from the form's `tagging` field; the embedded S3 ignores that field.
        s3.put_object_tagging(Bucket=BUCKET, Key=key, Tagging={"TagSet": [
            {"Key": PENDING_TAG_KEY, "Value": PENDING_TAG_VALUE}]})
        assert complete(api, ticket, started["attachment"]["id"]).status_code == 200
        assert s3.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"] == []

    def test_completing_twice_is_harmless(self, api, ticket):
        first = attach(api, ticket)
        again = complete(api, ticket, first["id"])
        assert again.status_code == 200
        assert again.json["uploaded_at"] == first["uploaded_at"]
        assert len(history(api, ticket, "ATTACHMENT_ADDED")) == 1

    def test_completing_before_the_upload_is_409(self, api, ticket):
        started = start(api, ticket)
        response = complete(api, ticket, started["attachment"]["id"])
        assert response.status_code == 409 and response.json["error"]["code"] == "upload_missing"
        assert api.get(f"/tickets/{ticket['id']}/attachments/{started['attachment']['id']}").json["status"] == "pending"
        assert history(api, ticket, "ATTACHMENT_ADDED") == []
        upload(started, b"hello")
        assert complete(api, ticket, started["attachment"]["id"]).status_code == 200

    def test_object_over_the_limit_is_refused_and_deleted(self, api, ticket, s3, monkeypatch):
        monkeypatch.setenv(config.MAX_ATTACHMENT_BYTES, "100")
        started = start(api, ticket, size=100)
        upload(started, b"x" * 101)  # the embedded S3 does not enforce the policy's size range
        key = started["upload"]["fields"]["key"]
        assert versions(s3, key)
        response = complete(api, ticket, started["attachment"]["id"])
        assert response.status_code == 413 and response.json["error"]["code"] == "attachment_too_large"
        assert versions(s3, key) == []
        assert api.get(f"/tickets/{ticket['id']}").json["attachments"] == []
        assert history(api, ticket, "ATTACHMENT_ADDED") == []

    def test_object_of_another_size_is_refused_and_deleted(self, api, ticket, s3):
        started = start(api, ticket, size=10)
        upload(started, b"x" * 11)
        response = complete(api, ticket, started["attachment"]["id"])
        assert response.status_code == 409 and response.json["error"]["code"] == "upload_rejected"
        assert versions(s3, started["upload"]["fields"]["key"]) == []

    @pytest.mark.parametrize("sent_type", ["image/png", "text/html", None])
    def test_object_of_another_type_is_refused_and_deleted(self, api, ticket, s3, sent_type):
        started = start(api, ticket, content_type="text/plain", size=5)
        fields = {k: v for k, v in started["upload"]["fields"].items() if sent_type or k != "Content-Type"}
        if sent_type:
            fields["Content-Type"] = sent_type
        requests.post(started["upload"]["url"], data=fields, files={"file": ("x", b"hello")}, timeout=10)
        response = complete(api, ticket, started["attachment"]["id"])
        assert response.status_code == 409 and response.json["error"]["code"] == "upload_rejected"
        assert versions(s3, started["upload"]["fields"]["key"]) == []

    def test_charset_parameter_survives_the_round_trip(self, api, ticket):
        done = attach(api, ticket, content_type="text/plain; charset=UTF-8")
        assert done["content_type"] == "text/plain; charset=utf-8"
        assert requests.get(done["download_url"], timeout=10).headers["Content-Type"] == "text/plain; charset=utf-8"


class TestAFormIsUsedOnce:
    """The upload form stays valid for 15 minutes after `complete`, and S3 cannot make it single use
    (nor does the embedded S3 enforce its policy): posting it again must change nothing that the
    attachment is or serves."""

    def test_a_repost_after_complete_changes_neither_the_record_nor_the_download(self, client, api, ticket, s3):
        started = start(api, ticket, file_name="notes.txt", content_type="text/plain", size=5)
        upload(started, b"hello")
        done = complete(api, ticket, started["attachment"]["id"]).json
        key = started["upload"]["fields"]["key"]
        path = f"/tickets/{ticket['id']}/attachments/{done['id']}"

        upload(started, b"HACKD")                                                    # same size, same type
        upload(started, b"<script>alert(1)</script>", content_type="text/html")     # what S3 itself would refuse
        served = api.get(path).json
        assert {k: served[k] for k in ("size", "content_type", "status", "uploaded_at")} == \
            {k: done[k] for k in ("size", "content_type", "status", "uploaded_at")}
        download = requests.get(served["download_url"], timeout=10)
        assert download.content == b"hello" and download.headers["Content-Type"] == "text/plain"

        for _ in range(2):  # S3's events for the two posts
            client.lambda_.invoke("attachment_uploaded", object_created(key, 5))
        assert api.get(path).json | {"download_url": None} == served | {"download_url": None}
        assert requests.get(api.get(path).json["download_url"], timeout=10).content == b"hello"
        assert [v["IsLatest"] for v in versions(s3, key)] == [True]  # the later posts are gone
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"hello"
        assert len(history(api, ticket, "ATTACHMENT_ADDED")) == 1
        assert complete(api, ticket, done["id"]).json["size"] == 5

    def test_a_post_racing_the_confirmation_is_not_what_is_served(self, client, api, ticket, s3, monkeypatch):
        """The object is read, then confirmed: a post landing in between is a newer version, never
        the one confirmed."""
        started = start(api, ticket, size=5)
        upload(started, b"hello")
        key = started["upload"]["fields"]["key"]
        confirm, reposted = attachment_service.AttachmentStore.confirm, []

        def repost_then_confirm(store, *args, **kwargs):
            if not reposted:
                reposted.append(upload(started, b"HACKD"))
            return confirm(store, *args, **kwargs)
        monkeypatch.setattr(attachment_service.AttachmentStore, "confirm", repost_then_confirm)
        done = complete(api, ticket, started["attachment"]["id"]).json
        assert reposted
        assert requests.get(done["download_url"], timeout=10).content == b"hello"
        client.lambda_.invoke("attachment_uploaded", object_created(key, 5))
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"hello"
        assert len(versions(s3, key)) == 1


class TestRemove:
    def test_delete_removes_the_file_and_records_history(self, api, ticket, s3):
        done = attach(api, ticket, file_name="report.csv", content_type="text/csv")
        key = key_of(api, ticket, done["id"])
        path = f"/tickets/{ticket['id']}/attachments/{done['id']}"
        assert api.delete(path).status_code == 204
        assert versions(s3, key) == []
        assert requests.get(done["download_url"], timeout=10).status_code in (403, 404)
        assert api.get(path).status_code == 404
        assert api.delete(path).status_code == 404
        [removed] = history(api, ticket, "ATTACHMENT_REMOVED")
        assert removed["changes"] == {"attachment": {"old": {"id": done["id"], "file_name": "report.csv",
                                                             "content_type": "text/csv", "size": 5}, "new": None}}
        assert api.get(f"/tickets/{ticket['id']}").json["attachments"] == []

    def test_removing_a_pending_upload_writes_no_history(self, api, ticket, s3):
        started = start(api, ticket)
        upload(started, b"hello")
        assert api.delete(f"/tickets/{ticket['id']}/attachments/{started['attachment']['id']}").status_code == 204
        assert versions(s3, started["upload"]["fields"]["key"]) == []
        assert history(api, ticket, "ATTACHMENT_REMOVED") == []

    def test_ticket_delete_removes_every_file(self, api, ticket, s3):
        other = api.create_ticket()
        kept = attach(api, other)
        for _ in range(2):
            attach(api, ticket)
        unconfirmed = start(api, ticket)
        upload(unconfirmed, b"hello")
        prefix = f"{api.project_id}/{ticket['id']}/"
        assert len(versions(s3, prefix)) == 3
        assert api.delete(f"/tickets/{ticket['id']}").status_code == 204
        assert versions(s3, prefix) == []
        assert api.get(f"/tickets/{ticket['id']}/attachments").status_code == 404
        assert requests.get(kept["download_url"], timeout=10).status_code == 200


HOSTILE_NAMES = [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
    ("report\r\nSet-Cookie: evil=1.txt", "reportSet-Cookie_ evil=1.txt"),
    ("tab\there\x00\x1b[31m.txt", "tabhere[31m.txt"),
    ("\u202egnp.exe", "gnp.exe"),
    ('quote"d.txt', "quote_d.txt"),
    ("..", "attachment"),
    ("r\u00e9sum\u00e9 \U0001f4c4.pdf", "r\u00e9sum\u00e9 \U0001f4c4.pdf"),
    ("a" * 996 + ".pdf", "a" * 251 + ".pdf"),
]


@pytest.mark.parametrize("raw,expected", HOSTILE_NAMES)
def test_hostile_file_names_are_cleaned_and_safe_in_headers(api, ticket, raw, expected):
    done = attach(api, ticket, file_name=raw)
    assert done["file_name"] == expected and len(expected) <= 255
    response = requests.get(done["download_url"], timeout=10)
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    match = re.fullmatch(r'attachment; filename="([ -~]*)"; filename\*=UTF-8\'\'([A-Za-z0-9!#$&+\-.^_`|~%]+)',
                         disposition)
    assert match, disposition
    assert '"' not in match.group(1) and "\\" not in match.group(1)
    assert unquote(match.group(2), encoding="utf-8") == expected
    assert response.content == b"hello"


def test_keys_come_from_ids_never_from_the_name(api, ticket):
    started = start(api, ticket, file_name="../../other-project/secret")
    assert re.fullmatch(rf"{api.project_id}/{ticket['id']}/[0-9a-z]{{16}}", started["upload"]["fields"]["key"])


def test_pending_uploads_are_listed_as_pending_only(api, ticket):
    done = attach(api, ticket)
    pending = start(api, ticket)
    upload(pending, b"hello")
    listed = {a["id"]: a for a in api.get(f"/tickets/{ticket['id']}/attachments").json["data"]}
    assert listed[pending["attachment"]["id"]]["status"] == "pending"
    assert listed[pending["attachment"]["id"]]["download_url"] is None
    assert [a["id"] for a in api.get(f"/tickets/{ticket['id']}").json["attachments"]] == [done["id"]]


def test_viewer_reads_but_cannot_write(api, ticket):
    done = attach(api, ticket)
    pending = start(api, ticket)
    viewer = api.as_key(api.key_for(api.add_member("viewer")["user_id"]))
    base = f"/tickets/{ticket['id']}/attachments"
    assert viewer.post(base, {"file_name": "a", "content_type": "text/plain", "size": 1}).status_code == 403
    assert viewer.post(f"{base}/{pending['attachment']['id']}/complete").status_code == 403
    assert viewer.delete(f"{base}/{done['id']}").status_code == 403
    assert viewer.get(base).status_code == 200
    assert viewer.get(f"{base}/{done['id']}").json["download_url"]


def test_another_projects_ticket_is_404(client, api, ticket):
    done = attach(api, ticket)
    other, _ = new_project(client, "OTH")
    base = f"/tickets/{ticket['id']}/attachments"
    assert other.post(base, {"file_name": "a", "content_type": "text/plain", "size": 1}).status_code == 404
    assert other.get(base).status_code == 404
    assert other.get(f"{base}/{done['id']}").status_code == 404
    assert other.post(f"{base}/{done['id']}/complete").status_code == 404
    assert other.delete(f"{base}/{done['id']}").status_code == 404
    assert api.get(f"{base}/{done['id']}").status_code == 200


def test_unknown_attachment_and_deleted_ticket_are_404(api, ticket):
    base = f"/tickets/{ticket['id']}/attachments"
    assert api.get(f"{base}/doesnotexist").status_code == 404
    assert complete(api, ticket, "doesnotexist").status_code == 404
    assert api.delete(f"/tickets/{ticket['id']}").status_code == 204
    assert api.post(base, {"file_name": "a", "content_type": "text/plain", "size": 1}).status_code == 404


def test_attachment_events_reach_webhooks(api, ticket, monkeypatch):
    from tests.receiver import start_receiver
    from tests.streams import pump_tickets_stream, pump_webhook_queue

    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    receiver = start_receiver()
    try:
        api.post("/webhooks", {"name": "files", "event_type": "*", "url": receiver.url})
        attached = attach(api, ticket, b"evidence", file_name="trace.txt")
        assert api.delete(f"/tickets/{ticket['id']}/attachments/{attached['id']}").status_code == 204
        pump_tickets_stream()
        pump_webhook_queue()
        payloads = [json.loads(r.body) for r in receiver.requests]
        events = {p["type"]: p["data"] for p in payloads}
        assert events["ATTACHMENT_ADDED"]["attachment"]["id"] == attached["id"]
        assert events["ATTACHMENT_ADDED"]["attachment"]["file_name"] == "trace.txt"
        assert events["ATTACHMENT_REMOVED"]["attachment"]["id"] == attached["id"]
        assert events["ATTACHMENT_ADDED"]["ticket"]["id"] == ticket["id"]
    finally:
        receiver.server.shutdown()

"""A project's email settings, mail log and contacts over HTTP: admins only, and bad input named;
and the S3 event that hands a received message to the app."""
import copy
import json
from email.message import EmailMessage
from pathlib import Path

import boto3
import pytest

from chalicelib import config
from chalicelib.domain.clock import new_id
from chalicelib.domain.mailbox import FAILED, IGNORED, QUARANTINED, MailLogEntry, log_entry_id
from chalicelib.services.registry import services
from tests.api.conftest import new_project

CANNED = json.loads((Path(__file__).resolve().parents[1] / "events" / "s3_object_created.json").read_text())


def _fields(response) -> list[str]:
    return [detail["field"] for detail in response.json["error"]["details"]]


def test_a_project_has_its_own_address_and_default_settings(api):
    email = api.get("").json["email"]
    assert email == {"address": f"ops@{config.inbound_domain()}", "aliases": [], "reply_to_closed": "reopen",
                     "acknowledge": False,
                     "acknowledgement": "We received your request {key}: {title}. Reply to this email to add to it."}


def test_admins_change_the_email_settings(api):
    changed = api.patch("", {"email": {"aliases": ["Support@Example.com", "help@example.com", "support@example.com"],
                                       "reply_to_closed": "follow_up", "acknowledge": True,
                                       "acknowledgement": "Thanks! {key} is {title}."}})
    assert changed.status_code == 200, changed.body
    email = changed.json["email"]
    assert email["aliases"] == ["support@example.com", "help@example.com"]
    assert (email["reply_to_closed"], email["acknowledge"], email["acknowledgement"]) == (
        "follow_up", True, "Thanks! {key} is {title}.")
    assert api.get("").json["email"] == email
    kept = api.patch("", {"email": {"acknowledge": False}}).json["email"]
    assert kept == email | {"acknowledge": False}
    assert api.patch("", {"email": {"aliases": []}}).json["email"]["aliases"] == []


def test_only_admins_change_them(api):
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert member.get("").json["email"]["address"] == f"ops@{config.inbound_domain()}"
    refused = member.patch("", {"email": {"acknowledge": True}})
    assert refused.status_code == 403
    assert api.get("").json["email"]["acknowledge"] is False


@pytest.mark.parametrize("email, field", [
    ({"aliases": ["not an address"]}, "email.aliases.0"),
    ({"aliases": [f"ops@{config.inbound_domain()}"]}, "email.aliases"),
    ({"aliases": [f"ops+x@{config.inbound_domain()}"]}, "email.aliases"),
    ({"aliases": [f"a{n}@example.com" for n in range(11)]}, "email.aliases"),
    ({"aliases": None}, "email.aliases"),
    ({"reply_to_closed": "ignore"}, "email.reply_to_closed"),
    ({"acknowledge": "yes"}, "email.acknowledge"),
    ({"acknowledgement": "   "}, "email.acknowledgement"),
    ({"acknowledgement": "x" * 2001}, "email.acknowledgement"),
    ({"signature": "x"}, "email.signature"),
])
def test_bad_settings_are_named_and_change_nothing(api, email, field):
    response = api.patch("", {"name": "Renamed", "email": email})
    assert response.status_code == 400, response.body
    assert field in _fields(response)
    project = api.get("").json
    assert project["name"] == "Operations" and project["email"]["aliases"] == []


def test_an_alias_of_another_project_is_refused(client, api):
    other, _ = new_project(client, "SUP")
    assert other.patch("", {"email": {"aliases": ["help@example.com"]}}).status_code == 200
    taken = api.patch("", {"name": "Renamed", "email": {"aliases": ["mine@example.com", "help@example.com"]}})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "address_taken"
    assert _fields(taken) == ["email.aliases"] and "help@example.com" in taken.json["error"]["details"][0]["message"]
    assert api.get("").json["name"] == "Operations"
    assert api.patch("", {"email": {"aliases": ["mine@example.com"]}}).status_code == 200
    assert other.patch("", {"email": {"aliases": []}}).status_code == 200
    assert api.patch("", {"email": {"aliases": ["help@example.com"]}}).json["email"]["aliases"] == ["help@example.com"]
    assert other.patch("", {"email": {"aliases": ["mine@example.com"]}}).status_code == 200


def test_a_second_project_with_the_same_key_has_no_address_of_its_own(client, api):
    twin, _ = new_project(client, "OPS")
    assert twin.get("").json["email"]["address"] is None
    assert api.get("").json["email"]["address"] == f"ops@{config.inbound_domain()}"


# ---- the mail log --------------------------------------------------------------------------

def _logged(api, n: int, status: str, stored: bytes | None = None) -> MailLogEntry:
    received_at = f"2026-03-01T10:00:{n:02d}.000Z"
    key = f"inbound/{new_id()}"
    entry = MailLogEntry(id=log_entry_id(received_at, key), project_id=api.project_id, key=key,
                         sender=f"s{n}@example.com", subject=f"Subject {n}", status=status,
                         reasons=("spam: FAIL",) if status == QUARANTINED else ("bulk",), received_at=received_at)
    services().directory.log_mail(entry)
    if stored is not None:
        s3 = boto3.client("s3")
        try:
            s3.create_bucket(Bucket=config.inbound_bucket())
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        s3.put_object(Bucket=config.inbound_bucket(), Key=key, Body=stored)
    return entry


def test_the_mail_log_lists_newest_first_by_status(api):
    for n, status in enumerate([QUARANTINED, IGNORED, FAILED, QUARANTINED, IGNORED], start=1):
        _logged(api, n, status)
    everything = api.get("/mail-log").json
    assert [e["subject"] for e in everything["data"]] == [f"Subject {n}" for n in (5, 4, 3, 2, 1)]
    assert everything["cursor"] is None
    first = everything["data"][0]
    assert set(first) == {"id", "sender", "subject", "status", "reasons", "received_at", "ticket_id"}
    assert (first["status"], first["reasons"], first["ticket_id"]) == ("ignored", ["bulk"], None)
    page = api.get("/mail-log?status=quarantined&limit=1").json
    assert [e["subject"] for e in page["data"]] == ["Subject 4"] and page["cursor"]
    rest = api.get(f"/mail-log?status=quarantined&limit=1&cursor={page['cursor']}").json
    assert [e["subject"] for e in rest["data"]] == ["Subject 1"] and rest["cursor"] is None
    assert api.get(f"/mail-log?status=ignored&cursor={page['cursor']}").status_code == 400


@pytest.mark.parametrize("query, field", [("status=spam", "status"), ("limit=0", "limit"), ("limit=101", "limit"),
                                          ("cursor=nonsense", "cursor"), ("sort=asc", "sort")])
def test_bad_mail_log_queries_are_named(api, query, field):
    response = api.get(f"/mail-log?{query}")
    assert response.status_code == 400 and field in _fields(response)


def test_the_mail_log_is_for_admins(api):
    entry = _logged(api, 1, QUARANTINED, b"Subject: x\r\n\r\nx")
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert member.get("/mail-log").status_code == 403
    assert member.delete(f"/mail-log/{entry.id}").status_code == 403
    assert member.post(f"/mail-log/{entry.id}/release").status_code == 403
    assert api.get("/mail-log").json["data"][0]["id"] == entry.id


def _quarantined(api) -> bytes:
    mail = EmailMessage()
    mail["X-SES-Spam-Verdict"] = "FAIL"
    mail["From"] = "Ana <ana@example.com>"
    mail["To"] = f"ops@{config.inbound_domain()}"
    mail["Subject"] = "Looks like spam, is not"
    mail["Message-ID"] = f"<{new_id()}@example.com>"
    mail.set_content("Please call me back.")
    return bytes(mail)


def test_a_quarantined_message_is_released_into_a_ticket(api):
    entry = _logged(api, 1, QUARANTINED, _quarantined(api))
    released = api.post(f"/mail-log/{entry.id}/release")
    assert released.status_code == 200, released.body
    assert released.json["status"] == "released" and released.json["ticket_id"]
    ticket = api.get(f"/tickets/{released.json['ticket_id']}").json
    assert (ticket["title"], ticket["requester"], ticket["source"]) == ("Looks like spam, is not", "ana@example.com",
                                                                        "email")
    assert api.get("/mail-log?status=released").json["data"][0]["ticket_id"] == ticket["id"]
    again = api.post(f"/mail-log/{entry.id}/release")
    assert again.status_code == 409 and again.json["error"]["code"] == "not_quarantined"
    assert _fields(again) == ["status"]
    ignored = _logged(api, 2, IGNORED, b"Subject: y\r\n\r\ny")
    assert api.post(f"/mail-log/{ignored.id}/release").status_code == 409
    assert api.post("/mail-log/20260301100001000aaaaaaaaaa/release").status_code == 404


def test_a_message_stored_in_the_inbound_bucket_is_received(client, api):
    _logged(api, 1, IGNORED, b"")  # makes the bucket
    mail = EmailMessage()
    mail["From"] = "Ana <ana@example.com>"
    mail["To"] = f"ops@{config.inbound_domain()}"
    mail["Subject"] = "Looks like spam, is not"
    mail.set_content("The log is attached.")
    mail.add_attachment(b"line one\nline two\n", maintype="text", subtype="plain", filename="app.log")
    raw = bytes(mail)
    key = f"inbound/{new_id()}"
    boto3.client("s3").put_object(Bucket=config.inbound_bucket(), Key=key, Body=raw)
    event = copy.deepcopy(CANNED)
    event["resources"] = [f"arn:aws:s3:::{config.inbound_bucket()}"]
    event["detail"]["bucket"]["name"] = config.inbound_bucket()
    event["detail"]["object"].update(key=key, size=len(raw))
    client.lambda_.invoke("mail_received", event)
    [ticket] = api.get("/tickets").json["data"]
    assert ticket["title"] == "Looks like spam, is not" and ticket["requester"] == "ana@example.com"
    [attachment] = api.get(f"/tickets/{ticket['id']}/attachments").json["data"]
    assert (attachment["file_name"], attachment["status"], attachment["size"]) == ("app.log", "available", 18)
    stored = boto3.client("s3").get_object(Bucket=config.attachments_bucket(),
                                           Key=f"{api.project_id}/{ticket['id']}/{attachment['id']}")
    assert stored["Body"].read() == b"line one\nline two\n"
    assert boto3.client("s3").list_objects_v2(Bucket=config.inbound_bucket(), Prefix=key).get("KeyCount") == 0
    client.lambda_.invoke("mail_received", event)  # delivered again: the message is gone, nothing more happens
    assert len(api.get("/tickets").json["data"]) == 1


def test_deleting_an_entry_deletes_the_message_it_kept(api):
    entry = _logged(api, 1, QUARANTINED, b"Subject: x\r\n\r\nx")
    other = _logged(api, 2, IGNORED, b"Subject: y\r\n\r\ny")
    assert api.delete(f"/mail-log/{entry.id}").status_code == 204
    assert [e["id"] for e in api.get("/mail-log").json["data"]] == [other.id]
    s3 = boto3.client("s3")
    assert s3.list_objects_v2(Bucket=config.inbound_bucket(), Prefix=entry.key).get("KeyCount") == 0
    assert s3.get_object(Bucket=config.inbound_bucket(), Key=other.key)["Body"].read() == b"Subject: y\r\n\r\ny"
    assert api.delete(f"/mail-log/{entry.id}").status_code == 404
    assert api.delete("/mail-log/nonsense").status_code == 404


def test_another_projects_log_is_not_found(client, api):
    entry = _logged(api, 1, QUARANTINED)
    other, _ = new_project(client, "SUP")
    assert other.get("/mail-log").json["data"] == []
    assert other.delete(f"/mail-log/{entry.id}").status_code == 404
    assert other.post(f"/mail-log/{entry.id}/release").status_code == 404


# ---- contacts ------------------------------------------------------------------------------

def test_contacts_are_listed_and_read_by_admins(api):
    directory = services().directory
    for n, email in enumerate(["cy@example.com", "ana@example.com", "bo@example.com"]):
        directory.save_contact_message(api.project_id, email, email.split("@")[0].title(),
                                       f"2026-03-01T10:00:0{n}.000Z")
    page = api.get("/contacts?limit=2").json
    assert [c["email"] for c in page["data"]] == ["ana@example.com", "bo@example.com"]
    rest = api.get(f"/contacts?limit=2&cursor={page['cursor']}").json
    assert [c["email"] for c in rest["data"]] == ["cy@example.com"] and rest["cursor"] is None
    ana = api.get("/contacts/Ana@Example.com")
    assert ana.status_code == 200
    assert ana.json == {"email": "ana@example.com", "name": "Ana", "created_at": "2026-03-01T10:00:01.000Z",
                        "last_message_at": "2026-03-01T10:00:01.000Z", "bounced_at": None, "bounce_reason": None}
    assert api.get("/contacts/nobody@example.com").status_code == 404
    assert api.get("/contacts/not-an-address").status_code == 404
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert member.get("/contacts").status_code == 403
    assert member.get("/contacts/ana@example.com").status_code == 403
    assert api.get("/contacts?limit=500").status_code == 400 and "limit" in _fields(api.get("/contacts?limit=500"))

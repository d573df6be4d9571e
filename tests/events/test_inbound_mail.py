"""A message SES stored in the inbound bucket, handed to the app by its S3 event, on DynamoDB Local:
a ticket with its file, once however often the event comes, and a reply on it."""
import copy
import json
from email.message import EmailMessage
from pathlib import Path

import boto3

from chalicelib import config
from chalicelib.domain.clock import new_id
from tests.api.conftest import new_project

CANNED = json.loads((Path(__file__).parent / "s3_object_created.json").read_text())


def _stored(raw: bytes) -> dict:
    s3 = boto3.client("s3")
    try:
        s3.create_bucket(Bucket=config.inbound_bucket())
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    key = f"inbound/{new_id()}"
    s3.put_object(Bucket=config.inbound_bucket(), Key=key, Body=raw)
    event = copy.deepcopy(CANNED)
    event["detail"]["bucket"]["name"] = config.inbound_bucket()
    event["detail"]["object"].update(key=key, size=len(raw))
    return event


def _message(to: str, body: str, message_id: str, attachment: bytes | None = None) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Ana Lima <ana@example.com>"
    mail["To"] = to
    mail["Subject"] = "The VPN drops every hour"
    mail["Message-ID"] = f"<{message_id}>"
    mail.set_content(body)
    if attachment is not None:
        mail.add_attachment(attachment, maintype="text", subtype="plain", filename="vpn.log")
    return bytes(mail)


def test_a_received_message_is_ticketed_once_and_answered_on_its_ticket(client):
    # A key of its own: the tables outlive the test, and an address belongs to one project.
    key = "M" + new_id(9).upper()
    api, _ = new_project(client, key)
    first = _message(f"{key.lower()}@{config.inbound_domain()}", "Every hour, on the hour.",
                     f"{new_id()}@example.com", b"12:00 drop\n13:00 drop\n")
    client.lambda_.invoke("mail_received", _stored(first))
    [ticket] = api.get("/tickets").json["data"]
    assert (ticket["requester"], ticket["reporter"], ticket["source"]) == ("ana@example.com", "contact:ana@example.com",
                                                                          "email")
    [attachment] = api.get(f"/tickets/{ticket['id']}/attachments").json["data"]
    assert attachment["status"] == "available" and attachment["file_name"] == "vpn.log"
    again = _stored(first)  # the same message stored again, as a second delivery would
    client.lambda_.invoke("mail_received", again)
    assert [t["id"] for t in api.get("/tickets").json["data"]] == [ticket["id"]]
    thread = api.get(f"/tickets/{ticket['id']}/mail-thread").json
    reply = _message(thread["reply_address"], "Still dropping.", f"{new_id()}@example.com")
    client.lambda_.invoke("mail_received", _stored(reply))
    comments = api.get(f"/tickets/{ticket['id']}/comments").json["data"]
    assert [(c["body"], c["visibility"], c["via"]) for c in comments] == [("Still dropping.", "public", "email")]

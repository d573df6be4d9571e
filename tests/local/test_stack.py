"""`python -m chalicelib.local.stack` as a developer runs it: data survives a restart, --reset empties it."""
import json
import signal
import time

import boto3
import requests

from tests.local.conftest import api

BUCKET = "ticketry-local-attachments-000000000000"


def s3(info: dict):
    return boto3.client("s3", endpoint_url=info["aws_endpoint_url"], region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


def test_data_survives_a_restart_and_reset_starts_empty(stack):
    first = stack.start()
    assert first["api_url"] == f"http://127.0.0.1:{stack.ports['PORT']}"
    assert first["aws_endpoint_url"] == f"http://127.0.0.1:{stack.ports['AWS_PORT']}"
    created = api(first, "POST", "/tickets", json={"title": "Printer on fire", "description": "again",
                                                    "severity": "high"})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    s3(first).put_object(Bucket=BUCKET, Key=f"{ticket_id}/note.txt", Body=b"smoke", ContentType="text/plain")
    assert stack.stop(signal.SIGINT) == 0

    second = stack.start()
    assert (second["project_id"], second["api_key"]) == (first["project_id"], first["api_key"])
    again = api(second, "GET", f"/tickets/{ticket_id}")
    assert again.status_code == 200, again.text
    assert again.json()["title"] == "Printer on fire"
    assert s3(second).get_object(Bucket=BUCKET, Key=f"{ticket_id}/note.txt")["Body"].read() == b"smoke"
    assert stack.stop(signal.SIGTERM) == 0

    fresh = stack.start("--reset")
    assert fresh["project_id"] != first["project_id"]
    listed = api(fresh, "GET", "/tickets")
    assert listed.status_code == 200 and listed.json()["data"] == []  # SEED=0, as StackProcess starts it
    assert api(first, "GET", f"/tickets/{ticket_id}").status_code == 401  # the old project is gone
    assert s3(fresh).list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert stack.stop() == 0
    assert "Ticketry is running" in stack.output.read_text()


def test_a_new_ticket_reaches_a_local_webhook_receiver(stack):
    """The pump carries the event from the stream through the queue to the receiver (how fast is
    measured by bench/webhooks.py)."""
    from tests.receiver import start_receiver

    receiver = start_receiver()
    try:
        info = stack.start()
        hook = api(info, "POST", "/webhooks", json={"name": "local flow", "event_type": "TICKET_CREATED",
                                                    "url": receiver.url})
        assert hook.status_code == 201, hook.text
        started = time.monotonic()
        created = api(info, "POST", "/tickets", json={"title": "Ping me", "description": "", "severity": "low"})
        assert created.status_code == 201
        while not receiver.requests and time.monotonic() - started < 10:
            time.sleep(0.05)
        assert receiver.requests, "no delivery within 10 s"
        assert json.loads(receiver.requests[0].body)["data"]["ticket"]["id"] == created.json()["id"]
        assert stack.stop() == 0
    finally:
        receiver.server.shutdown()


def test_sent_email_lands_in_the_outbox_and_the_log(stack):
    info = stack.start()
    bob = api(info, "POST", "/members", json={"email": "bob@example.com", "name": "Bob", "role": "member"})
    assert bob.status_code == 201, bob.text
    created = api(info, "POST", "/tickets", json={"title": "Printer on fire", "description": "",
                                                  "severity": "high", "assignee": bob.json()["user_id"]})
    assert created.status_code == 201, created.text
    outbox = stack.state_dir / "outbox"
    deadline = time.monotonic() + 30
    # Bob's invitation, sent as he is added, then the ticket's notification (named by time, so in order).
    while len(list(outbox.glob("*.eml"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    invitation, saved = sorted(outbox.glob("*.eml"))
    assert b"To: Bob <bob@example.com>" in invitation.read_bytes()
    assert b"To: Bob <bob@example.com>" in saved.read_bytes()
    assert stack.stop() == 0
    key = created.json()["key"]
    assert f"email to=bob@example.com subject=[{key}] Printer on fire file={saved.name}" in stack.output.read_text()


def test_attachment_upload_and_download_through_presigned_links(stack):
    info = stack.start()
    ticket = api(info, "POST", "/tickets", json={"title": "Crash report", "description": "", "severity": "low"}).json()
    content = b"Traceback (most recent call last):\n" * 50
    started = api(info, "POST", f"/tickets/{ticket['id']}/attachments",
                  json={"file_name": "crash.log", "content_type": "text/plain", "size": len(content)})
    assert started.status_code == 201, started.text
    form = started.json()["upload"]
    assert form["url"].startswith(info["aws_endpoint_url"] + "/")  # the embedded S3, path-style

    # What `curl -F` does: every field of the form, then the file.
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("crash.log", content)}, timeout=10)
    assert posted.status_code == 204, posted.text
    attachment_id = started.json()["attachment"]["id"]
    done = api(info, "POST", f"/tickets/{ticket['id']}/attachments/{attachment_id}/complete")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "available"

    download = requests.get(done.json()["download_url"], timeout=10)
    assert download.status_code == 200 and download.content == content
    assert 'filename="crash.log"' in download.headers["Content-Disposition"]
    assert [a["id"] for a in api(info, "GET", f"/tickets/{ticket['id']}").json()["attachments"]] == [attachment_id]

    assert api(info, "DELETE", f"/tickets/{ticket['id']}").status_code == 204
    assert s3(info).list_objects_v2(Bucket=BUCKET, Prefix=f"{info['project_id']}/").get("KeyCount") == 0
    assert stack.stop() == 0


def test_an_upload_never_completed_is_confirmed_by_s3s_object_created_event(stack):
    """As on AWS: S3 → EventBridge → the app's handler, with no `complete` from the client."""
    info = stack.start()
    ticket = api(info, "POST", "/tickets", json={"title": "Screenshot", "description": "", "severity": "low"}).json()
    content = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500
    started = api(info, "POST", f"/tickets/{ticket['id']}/attachments",
                  json={"file_name": "screen.png", "content_type": "image/png", "size": len(content)})
    assert started.status_code == 201, started.text
    form, attachment_id = started.json()["upload"], started.json()["attachment"]["id"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("screen.png", content)}, timeout=10)
    assert posted.status_code == 204, posted.text

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        attachment = api(info, "GET", f"/tickets/{ticket['id']}/attachments/{attachment_id}").json()
        if attachment["status"] == "available":
            break
        time.sleep(0.2)
    assert attachment["status"] == "available", attachment
    assert requests.get(attachment["download_url"], timeout=10).content == content
    time.sleep(1)  # room for a second confirmation to show up
    added = api(info, "GET", f"/tickets/{ticket['id']}/history?event=ATTACHMENT_ADDED").json()["data"]
    assert [entry["changes"]["attachment"]["new"]["id"] for entry in added] == [attachment_id]
    assert stack.stop() == 0


def test_a_new_demo_project_gets_its_backlog_once_even_when_the_first_seeding_is_killed(tmp_path):
    """`make run` on fresh data: teammates, their team, an SLA policy and a backlog made through the
    API. The first start is killed part-way through the backlog (the teammates' keys made, a few
    tickets too): the next start finishes the same project's seeding, making nothing twice and
    revoking the keys the killed start made; a restart after that makes none of it again."""
    from chalicelib.domain.tickets import SEVERITIES, STATUSES
    from chalicelib.local import demo_backlog as demo
    from chalicelib.local.stack_process import StackProcess
    from tests.local.test_stack_sign_in import link_token, session_of, sign_in

    stack = StackProcess(tmp_path, seed=True)
    try:
        stack.spawn()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and stored_tickets(stack) < 3:
            assert stack.process.poll() is None, stack.output.read_text()
            time.sleep(0.05)
        stack.signal_group(signal.SIGKILL)  # a crash: nothing of the stack gets to tidy up
        stack.wait()
        assert "seeding the demo project" in stack.output.read_text()
        assert "the demo project got its backlog" not in stack.output.read_text()

        info = stack.start()
        tickets = api(info, "GET", "/tickets", params={"limit": 100}).json()["data"]
        assert len(tickets) == len(demo.BACKLOG) == 20
        assert {t["status"] for t in tickets} == set(STATUSES)
        assert {t["severity"] for t in tickets} == set(SEVERITIES)
        assert len({tag for t in tickets for tag in t["tags"]}) >= 10
        assert all(t["sla"] is not None for t in tickets)  # every ticket started under the policy
        overdue = api(info, "GET", "/tickets", params={"overdue": "true"}).json()["data"]
        assert len(overdue) == 3

        members = {m["email"]: m for m in api(info, "GET", "/members").json()["data"]}
        assert set(members) == {"admin@demo.local", "ana@example.com", "ben@example.com"}
        assert members["ana@example.com"]["name"] == "Ana Lima"
        (team,) = api(info, "GET", "/teams").json()["data"]
        assert (team["name"], set(team["members"])) == (
            "Infrastructure", {members["ana@example.com"]["user_id"], members["ben@example.com"]["user_id"]})
        sla_policy = api(info, "GET", "/sla-policy").json()
        assert (sla_policy["version"], sla_policy["targets"]["critical"]["acknowledge"]["minutes"]) == (1, 15)
        # The teammates' keys served the seeding only, those of the killed start too.
        assert [key["name"] for key in api(info, "GET", "/api-keys").json()["data"]] == ["bootstrap"]

        comments = {t["key"]: api(info, "GET", f"/tickets/{t['id']}/comments").json()["data"] for t in tickets}
        expected = sum(isinstance(step, demo.Comment) for ticket in demo.BACKLOG for step in ticket.then)
        assert sum(map(len, comments.values())) == expected == 19
        authors = {c["author"] for found in comments.values() for c in found}
        assert authors == {m["user_id"] for m in members.values()}  # each said something, as themselves

        vpn = next(t for t in tickets if t["title"].startswith("VPN drops"))
        moves = api(info, "GET", f"/tickets/{vpn['id']}/history", params={"event": "TICKET_UPDATED"}).json()["data"]
        assert [entry["changes"]["status"]["new"] for entry in moves][::-1] == ["acknowledged", "in_progress"]
        assert {entry["changed_by"] for entry in moves} == {members["ana@example.com"]["user_id"]}
        deadline = time.monotonic() + 30  # the search index follows the tickets stream
        while time.monotonic() < deadline:
            found = api(info, "GET", "/tickets", params={"q": "rekey"}).json()["data"]
            if found:
                break
            time.sleep(0.2)
        assert [t["id"] for t in found] == [vpn["id"]]
        signed_in = sign_in(info, "link", {"token": link_token(info)})
        assert signed_in.status_code == 200, signed_in.text
        assert [p["id"] for p in session_of(info, signed_in)["projects"]] == [info["project_id"]]
        assert stack.stop() == 0
        assert "finishing the seeding of the demo project" in stack.output.read_text()

        again = stack.start()
        assert (again["project_id"], again["api_key"]) == (info["project_id"], info["api_key"])
        assert len(api(again, "GET", "/tickets", params={"limit": 100}).json()["data"]) == len(demo.BACKLOG)
        assert len(api(again, "GET", "/members").json()["data"]) == 3
        assert len(api(again, "GET", "/teams").json()["data"]) == 1
        assert api(again, "GET", "/sla-policy").json()["version"] == 1
        assert stack.stop() == 0
        assert stack.output.read_text().count("the demo project got its backlog") == 1
    finally:
        stack.kill()


def stored_tickets(stack) -> int:
    """Tickets in DynamoDB Local, read past the API (whose key the test does not know yet)."""
    from chalicelib.local import provision

    dynamodb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{stack.ports['DYNAMODB_PORT']}",
                            region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")
    table = provision.resource_names("local")["TicketsTable"]
    try:
        pages = dynamodb.get_paginator("scan").paginate(
            TableName=table, Select="COUNT", FilterExpression="kind = :ticket",
            ExpressionAttributeValues={":ticket": {"S": "ticket"}})
        return sum(page["Count"] for page in pages)
    except Exception:  # DynamoDB Local or the table not there yet
        return 0


def test_a_port_taken_before_the_start_is_chosen_again(tmp_path):
    """Stacks started side by side (as the tests start them) may find a port they chose taken."""
    import socket

    from chalicelib.local.stack_process import StackProcess

    stack = StackProcess(tmp_path)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", stack.ports["AWS_PORT"]))
        holder.listen()
        taken = stack.ports["AWS_PORT"]
        try:
            info = stack.start()
            assert stack.ports["AWS_PORT"] != taken
            assert info["aws_endpoint_url"] == f"http://127.0.0.1:{stack.ports['AWS_PORT']}"
            assert "is already in use" in stack.output.read_text()
            assert stack.stop() == 0
        finally:
            stack.kill()

"""`python -m chalicelib.local.stack` as a developer runs it: data survives a restart, --reset empties it."""
import json
import signal
import time

import boto3
import pytest
import requests

from chalicelib.local.stack_process import StackProcess

BUCKET = "ticketry-local-attachments-000000000000"


@pytest.fixture
def stack(tmp_path):
    stack = StackProcess(tmp_path)
    yield stack
    stack.kill()


def api(info: dict, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{info['api_url']}/v1/ce/projects/{info['project_id']}{path}",
                            headers={"Authorization": f"Bearer {info['api_key']}"}, timeout=10, **kwargs)


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
    assert listed.status_code == 200 and listed.json()["data"] == []
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

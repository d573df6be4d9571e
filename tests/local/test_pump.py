"""The event pump against a real DynamoDB Local and moto server, with small apps defined here."""
import logging
import threading
import time
import uuid

import boto3
import pytest
import requests
from chalice import Chalice, Rate

from chalicelib.local import aws_server, dynamodb_local
from chalicelib.local.pump import Checkpoints, Pump, Settings, failed_positions

FAST = Settings(region="us-east-1", account_id="000000000000", poll_interval=0.05, schedule_interval=0.2,
                first_backoff=0.05, max_backoff=0.2)


def wait_for(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


@pytest.fixture(scope="module")
def dynamodb_endpoint():
    with dynamodb_local.running(jvm_options=dynamodb_local.QUICK_START) as endpoint:
        yield endpoint


@pytest.fixture
def table(dynamodb_endpoint):
    """A fresh streamed table: (client, name, stream ARN)."""
    return make_table(boto3.client("dynamodb", endpoint_url=dynamodb_endpoint))


def make_table(client):
    name = f"pump-{uuid.uuid4().hex[:8]}"
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    return client, name, arn


class Recorder:
    """A one-handler app that keeps every event it gets; `answer` decides what the handler returns."""

    def __init__(self, stream_arn: str, batch_size: int, answer=None):
        self.app = Chalice(app_name="pumptest")
        self.batches: list[list[dict]] = []
        self.contexts = []
        self.answer = answer or (lambda records: None)

        @self.app.on_dynamodb_record(stream_arn=stream_arn, batch_size=batch_size)
        def on_change(event):
            records = event.to_dict()["Records"]
            assert [r.sequence_number for r in event] == [r["dynamodb"]["SequenceNumber"] for r in records]
            self.batches.append(records)
            self.contexts.append(event.context)
            return self.answer(records)

    @property
    def keys(self) -> list[str]:
        return [r["dynamodb"]["Keys"]["pk"]["S"] for batch in self.batches for r in batch]

    def pump(self, dynamodb_endpoint: str, checkpoints: Checkpoints) -> Pump:
        return Pump(self.app, FAST, checkpoints,
                    streams_client=boto3.client("dynamodbstreams", endpoint_url=dynamodb_endpoint))


@pytest.fixture
def checkpoints(tmp_path):
    return Checkpoints(tmp_path / "pump.json")


def put(client, table: str, *keys: str, **extra) -> None:
    for key in keys:
        client.put_item(TableName=table, Item={"pk": {"S": key}, **extra})


def test_delivers_each_change_in_order_with_every_lambda_field(dynamodb_endpoint, table, checkpoints):
    client, name, arn = table
    recorder = Recorder(arn, batch_size=2)
    pump = recorder.pump(dynamodb_endpoint, checkpoints)
    pump.start()
    try:
        put(client, name, "a", "b", "c", blob={"B": b"\x00\xff"})
        client.update_item(TableName=name, Key={"pk": {"S": "b"}}, UpdateExpression="SET n = :n",
                           ExpressionAttributeValues={":n": {"N": "7"}})
        client.delete_item(TableName=name, Key={"pk": {"S": "c"}})
        wait_for(lambda: len(recorder.keys) == 5)
    finally:
        pump.stop()

    assert all(len(batch) <= 2 for batch in recorder.batches)
    records = [r for batch in recorder.batches for r in batch]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "a"), ("INSERT", "b"), ("INSERT", "c"), ("MODIFY", "b"), ("REMOVE", "c")]
    sequence_numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequence_numbers == sorted(set(sequence_numbers))
    for record in records:
        assert record["eventVersion"] == "1.1"
        assert record["eventSource"] == "aws:dynamodb"
        assert record["awsRegion"] == "us-east-1"
        assert record["eventSourceARN"] == arn
        assert record["eventID"]
        change = record["dynamodb"]
        assert isinstance(change["ApproximateCreationDateTime"], (int, float))
        assert change["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert change["SizeBytes"] > 0
    modify, remove = records[3]["dynamodb"], records[4]["dynamodb"]
    assert modify["OldImage"]["blob"] == {"B": "AP8="}  # base64, as Lambda delivers binaries
    assert modify["NewImage"]["n"] == {"N": "7"}
    assert "NewImage" not in remove and remove["OldImage"]["pk"] == {"S": "c"}
    context = recorder.contexts[0]
    assert context.function_name == "pumptest-local-on_change"
    assert context.aws_request_id and context.get_remaining_time_in_millis() > 0
    saved = checkpoints.load("on_change", arn)
    assert [position["after"] for position in saved.values()] == [records[-1]["dynamodb"]["SequenceNumber"]]


def test_a_stream_read_while_other_tables_are_written_loses_nothing(dynamodb_endpoint, table, checkpoints, caplog):
    client, name, arn = table
    _, other_table, _ = make_table(client)
    recorder = Recorder(arn, batch_size=10)
    pump = recorder.pump(dynamodb_endpoint, checkpoints)
    pump.start()
    try:
        time.sleep(0.2)  # the pump holds an iterator on the empty shard
        put(client, other_table, "x", "y", "z")
        put(client, name, "a")
        wait_for(lambda: recorder.keys == ["a"])
    finally:
        pump.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("chalicelib")]


def test_a_restart_resumes_after_the_last_handled_record(dynamodb_endpoint, table, tmp_path):
    client, name, arn = table
    first = Recorder(arn, batch_size=10)
    pump = first.pump(dynamodb_endpoint, Checkpoints(tmp_path / "pump.json"))
    pump.start()
    put(client, name, "a", "b")
    wait_for(lambda: first.keys == ["a", "b"])
    pump.stop()

    put(client, name, "c")
    second = Recorder(arn, batch_size=10)
    pump = second.pump(dynamodb_endpoint, Checkpoints(tmp_path / "pump.json"))
    pump.start()
    try:
        put(client, name, "d")
        wait_for(lambda: len(second.keys) >= 2)
        time.sleep(0.3)  # room for a wrong replay to show up
    finally:
        pump.stop()
    assert second.keys == ["c", "d"]


def test_reported_item_failures_are_retried_from_the_first_failed_record(dynamodb_endpoint, table, checkpoints):
    client, name, arn = table
    failed_once = set()

    def fail_b_once(records):
        for record in records:
            if record["dynamodb"]["Keys"]["pk"]["S"] == "b" and "b" not in failed_once:
                failed_once.add("b")
                return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    recorder = Recorder(arn, batch_size=3, answer=fail_b_once)
    put(client, name, "a", "b", "c")
    pump = recorder.pump(dynamodb_endpoint, checkpoints)
    pump.start()
    try:
        wait_for(lambda: len(recorder.batches) == 2)
        time.sleep(0.3)
    finally:
        pump.stop()
    assert [[r["dynamodb"]["Keys"]["pk"]["S"] for r in batch] for batch in recorder.batches] == [
        ["a", "b", "c"], ["b", "c"]]


def test_a_raising_handler_gets_the_same_batch_again(dynamodb_endpoint, table, checkpoints):
    client, name, arn = table
    calls = []

    def raise_first_time(records):
        calls.append(len(records))
        if len(calls) == 1:
            raise RuntimeError("downstream is down")

    recorder = Recorder(arn, batch_size=5, answer=raise_first_time)
    put(client, name, "a", "b")
    pump = recorder.pump(dynamodb_endpoint, checkpoints)
    pump.start()
    try:
        wait_for(lambda: len(recorder.batches) == 2)
        time.sleep(0.3)
    finally:
        pump.stop()
    assert recorder.keys == ["a", "b", "a", "b"]


def test_an_app_without_handlers_starts_no_thread(checkpoints):
    threads_before = threading.active_count()
    pump = Pump(Chalice(app_name="quiet"), FAST, checkpoints)
    pump.start()
    assert pump.workers == [] and threading.active_count() == threads_before
    pump.stop()


def test_an_unknown_failed_item_fails_the_whole_batch():
    assert failed_positions(None, ["1", "2"]) == []
    assert failed_positions({"batchItemFailures": []}, ["1", "2"]) == []
    assert failed_positions({"batchItemFailures": [{"itemIdentifier": "2"}]}, ["1", "2"]) == [1]
    assert failed_positions({"batchItemFailures": [{"itemIdentifier": "9"}]}, ["1", "2"]) == [0, 1]


def test_queue_messages_and_schedule_ticks_reach_their_handlers(checkpoints):
    app = Chalice(app_name="pumptest")
    messages, ticks = [], []

    @app.on_sqs_message(queue="work-queue", batch_size=2)
    def on_message(event):
        records = event.to_dict()["Records"]
        messages.append(records)
        failed = [r["messageId"] for r in records if r["body"] == "fail"]
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}

    @app.schedule(Rate(1, unit=Rate.MINUTES))
    def every_minute(event):
        ticks.append(event.to_dict())

    with aws_server.running(dynamodb_local.free_port()) as endpoint:
        sqs = boto3.client("sqs", endpoint_url=endpoint)
        queue_url = sqs.create_queue(QueueName="work-queue", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        for body in ("one", "two", "fail"):
            sqs.send_message(QueueUrl=queue_url, MessageBody=body,
                             MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}})
        pump = Pump(app, FAST, checkpoints, sqs_client=sqs)
        pump.start()
        try:
            wait_for(lambda: sum(len(batch) for batch in messages) == 3 and len(ticks) >= 2)
        finally:
            pump.stop()
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]

    assert all(len(batch) <= 2 for batch in messages)
    record = messages[0][0]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"].endswith(":work-queue")
    assert record["messageAttributes"]["kind"]["stringValue"] == "test"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    # the reported failure stays on the queue (in flight), the rest is deleted
    in_flight = (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"])
    assert in_flight == ("0", "1")
    assert ticks[0]["detail-type"] == "Scheduled Event" and ticks[0]["source"] == "aws.events"


class EventRecorder:
    """A one-handler app whose rule matches S3's "Object Created" events of one bucket."""

    def __init__(self, bucket: str, answer=None):
        self.app = Chalice(app_name="pumptest")
        self.events: list[dict] = []
        self.answer = answer or (lambda event: None)

        @self.app.on_cw_event({"source": ["aws.s3"], "detail-type": ["Object Created"],
                               "detail": {"bucket": {"name": [bucket]}}})
        def on_object(event):
            self.events.append({**event.to_dict(), "function_name": event.context.function_name})
            return self.answer(event)

    @property
    def keys(self) -> list[str]:
        return [event["detail"]["object"]["key"] for event in self.events]


@pytest.fixture
def aws_endpoint():
    with aws_server.running(dynamodb_local.free_port()) as endpoint:
        yield endpoint


def eventbridge_bucket(s3, name: str) -> None:
    s3.create_bucket(Bucket=name)
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}})


def started_event_pump(recorder: EventRecorder, endpoint: str, checkpoints: Checkpoints) -> Pump:
    """Starts it once its rule is in place: S3 sends no event to a rule made after the upload."""
    events = boto3.client("events", endpoint_url=endpoint)
    pump = Pump(recorder.app, FAST, checkpoints, sqs_client=boto3.client("sqs", endpoint_url=endpoint),
                events_client=events)
    pump.start()
    wait_for(lambda: events.list_rules(NamePrefix="pumptest-local-on_object-event")["Rules"])
    return pump


def test_s3_object_created_events_reach_the_handler_whose_pattern_matches(aws_endpoint, checkpoints):
    s3 = aws_server.s3_client(aws_endpoint)
    eventbridge_bucket(s3, "watched-bucket")
    eventbridge_bucket(s3, "other-bucket")
    recorder = EventRecorder("watched-bucket")
    pump = started_event_pump(recorder, aws_endpoint, checkpoints)
    try:
        s3.put_object(Bucket="other-bucket", Key="ignored", Body=b"x")
        s3.put_object(Bucket="watched-bucket", Key="put/one", Body=b"one")
        form = s3.generate_presigned_post("watched-bucket", "posted/two")
        assert requests.post(form["url"], data=form["fields"], files={"file": ("two", b"two")},
                             timeout=10).status_code == 204
        s3.put_object_tagging(Bucket="watched-bucket", Key="put/one",
                              Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})  # "Object Tags Added"
        wait_for(lambda: len(recorder.events) == 2)
        time.sleep(0.3)  # room for a wrong delivery to show up
    finally:
        pump.stop()

    assert sorted(recorder.keys) == ["posted/two", "put/one"]
    event = recorder.events[0]
    assert event["source"] == "aws.s3" and event["detail-type"] == "Object Created"
    assert event["detail"]["bucket"]["name"] == "watched-bucket"
    assert len(event["account"]) == 12 and event["region"] == "us-east-1"
    assert event["resources"] == ["arn:aws:s3:::watched-bucket"]
    assert event["time"].endswith("Z") and event["id"]
    assert event["function_name"] == "pumptest-local-on_object"
    sqs = boto3.client("sqs", endpoint_url=aws_endpoint)
    queue_url = sqs.get_queue_url(QueueName="pumptest-local-events-on_object")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    waiting = (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"])
    assert waiting == ("0", "0")  # each handled event was deleted


def test_a_failing_event_handler_is_retried_then_the_event_is_dropped_as_lambda_does(aws_endpoint, checkpoints,
                                                                                      caplog):
    def fail_on_broken(event):
        if event.detail["object"]["key"] == "broken":
            raise RuntimeError("cannot handle it")
        if event.detail["object"]["key"] == "flaky" and recorder.keys.count("flaky") == 1:
            raise RuntimeError("not yet")

    s3 = aws_server.s3_client(aws_endpoint)
    eventbridge_bucket(s3, "watched-bucket")
    recorder = EventRecorder("watched-bucket", answer=fail_on_broken)
    pump = started_event_pump(recorder, aws_endpoint, checkpoints)
    try:
        s3.put_object(Bucket="watched-bucket", Key="broken", Body=b"x")
        s3.put_object(Bucket="watched-bucket", Key="flaky", Body=b"x")
        s3.put_object(Bucket="watched-bucket", Key="fine", Body=b"x")
        wait_for(lambda: recorder.keys.count("broken") == 3 and recorder.keys.count("flaky") == 2)
        time.sleep(2.5)  # longer than a retry's backoff: a fourth attempt would show up
    finally:
        pump.stop()

    assert sorted(recorder.keys) == ["broken"] * 3 + ["fine"] + ["flaky"] * 2
    assert recorder.keys.index("fine") < recorder.keys.index("broken", 1)  # a failure holds up no other event
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "dropping" in r.getMessage()] == [
        "on_object failed 3 times on an event; dropping it, as Lambda would"]

"""The app's event handlers (stream, queue, schedule, S3 via EventBridge) come out of `make package`
wired to the stack's resources, with the settings Chalice cannot express."""
import json

import pytest

from chalicelib.events import deliveries
from infra import package as packaging
from infra import permissions
from tests.infra.conftest import Packaged

HANDLERS = ["AttachmentUploaded", "EveryMinute", "MailReceived", "TicketsStream", "WebhookDeliveries"]


@pytest.fixture
def package(packaged, stage) -> Packaged:
    return packaged(stage)


def events(template: dict, function: str) -> dict:
    (event,) = template["Resources"][function]["Properties"]["Events"].values()
    return event


def test_every_handler_becomes_a_function_with_its_log_group_and_alarms(package):
    template = package.template
    names = sorted(["APIHandler", *HANDLERS])
    assert packaging.functions(template) == names
    for name in names:
        for suffix in ("LogGroup", "ErrorsAlarm", "ThrottlesAlarm"):
            assert f"{name}{suffix}" in template["Resources"]
    assert "TicketsStreamIteratorAgeAlarm" in template["Resources"]


def test_the_stream_handler_reads_the_tickets_stream_and_reports_failed_items(package):
    properties = events(package.template, "TicketsStream")["Properties"]
    assert properties["Stream"] == {"Fn::GetAtt": ["TicketsTable", "StreamArn"]}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["MaximumRetryAttempts"] == packaging.STREAM_EVENT_SETTINGS["MaximumRetryAttempts"]
    assert properties["MaximumRecordAgeInSeconds"] == packaging.STREAM_EVENT_SETTINGS["MaximumRecordAgeInSeconds"]
    assert properties["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}
    assert properties["BatchSize"] == 100  # what the decorator chose is kept


def test_the_queue_handler_consumes_the_delivery_queue_and_reports_failed_messages(package):
    properties = events(package.template, "WebhookDeliveries")["Properties"]
    resolver = package.resolver()
    assert resolver.resolve(properties["Queue"]) == resolver.attribute("WebhookDeliveryQueue", "Arn")
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["ScalingConfig"] == {"MaximumConcurrency": deliveries.MAXIMUM_CONCURRENCY}


def test_the_upload_rule_matches_the_stacks_bucket(package):
    pattern = events(package.template, "AttachmentUploaded")["Properties"]["Pattern"]
    assert pattern["detail"]["bucket"]["name"] == [{"Ref": "AttachmentsBucket"}]


def test_the_mail_rule_matches_the_stacks_inbound_bucket(package):
    pattern = events(package.template, "MailReceived")["Properties"]["Pattern"]
    assert pattern["detail"]["bucket"]["name"] == [{"Ref": "InboundMailBucket"}]


def test_no_package_time_value_is_left(package):
    text = json.dumps(package.template)
    assert packaging.PACKAGE_ACCOUNT_ID not in text
    assert "set-by-the-stack" not in text


FEEDING = ("dynamodb:GetRecords", "sqs:ReceiveMessage", "sqs:SendMessage")


def test_the_policy_check_asks_for_what_lambda_needs_to_feed_the_handlers(package):
    """Lambda reads the stream and the queue, and parks failed batches, with the functions' role:
    a policy without those grants fails the IAM check."""
    template, resolver = package.template, package.resolver()
    needs = permissions.from_template(template, resolver)
    policy = template["Resources"]["TicketsStreamRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert permissions.compare(needs, permissions.grants(policy, resolver))["missing"] == []

    stripped = dict(policy, Statement=[
        dict(statement, Action=[a for a in as_list(statement["Action"]) if a not in FEEDING])
        for statement in policy["Statement"]])
    stripped["Statement"] = [s for s in stripped["Statement"] if s["Action"]]
    missing = permissions.compare(needs, permissions.grants(stripped, resolver))["missing"]
    stream = resolver.attribute("TicketsTable", "StreamArn")
    assert f"dynamodb:GetRecords on {stream}  (TicketsStream.TicketsStreamDynamodbEventSource)" in missing
    assert any(m.startswith("sqs:ReceiveMessage on " + resolver.attribute("WebhookDeliveryQueue", "Arn"))
               for m in missing)
    assert any(m.startswith("sqs:SendMessage on " + resolver.attribute("StreamFailureQueue", "Arn")) for m in missing)


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]

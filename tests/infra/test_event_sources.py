"""Event handlers as the app declares them (stream, queue, schedule, S3 via EventBridge) come out of
`make package` wired to the stack's resources, with the settings Chalice cannot express.

The app has none of these handlers yet, so a small app with one of each is packaged with the
project's stages, policies and infra templates."""
import json
import shutil

import pytest

from chalicelib.local.provision import Resolver
from infra import package as packaging
from infra import permissions
from tests.infra.conftest import ACCOUNT_ID, REGION, ROOT, Packaged, short_visibility_timeouts
from tests.infra.test_package import cfn_lint, unexpected

EVENTS_APP = '''
import os

from chalice import Chalice

app = Chalice(app_name="ticketry")


@app.route("/")
def index():
    return {}


@app.on_dynamodb_record(stream_arn=os.environ["TICKETS_STREAM_ARN"], batch_size=50)
def on_ticket_change(event):
    return {"batchItemFailures": []}


@app.on_sqs_message(queue=os.environ["WEBHOOK_QUEUE_NAME"], batch_size=10)
def deliver_webhooks(event):
    return {"batchItemFailures": []}


@app.schedule("rate(1 minute)")
def retry_deliveries(event):
    pass


@app.on_cw_event({"source": ["aws.s3"], "detail-type": ["Object Created"],
                  "detail": {"bucket": {"name": [os.environ["ATTACHMENTS_BUCKET"]]}}})
def on_upload(event):
    pass
'''
STAGE = "prod"


@pytest.fixture(scope="module")
def events_package(tmp_path_factory) -> Packaged:
    project = tmp_path_factory.mktemp("events-app")
    (project / "app.py").write_text(EVENTS_APP)
    shutil.copytree(ROOT / ".chalice", project / ".chalice",
                    ignore=shutil.ignore_patterns("deployments", "wheelhouse", "venv"))
    packaging.package(STAGE, project / "out", project_dir=project)
    return Packaged(STAGE, project / "out")


@pytest.fixture(scope="module")
def events_template(events_package) -> dict:
    return events_package.template


def events(template: dict, function: str) -> dict:
    (event,) = template["Resources"][function]["Properties"]["Events"].values()
    return event


def test_every_handler_becomes_a_function_with_its_log_group_and_alarms(events_template):
    names = ["APIHandler", "DeliverWebhooks", "OnTicketChange", "OnUpload", "RetryDeliveries"]
    assert packaging.functions(events_template) == names
    for name in names:
        for suffix in ("LogGroup", "ErrorsAlarm", "ThrottlesAlarm"):
            assert f"{name}{suffix}" in events_template["Resources"]
    assert "OnTicketChangeIteratorAgeAlarm" in events_template["Resources"]


def test_the_stream_handler_reads_the_tickets_stream_and_reports_failed_items(events_template):
    properties = events(events_template, "OnTicketChange")["Properties"]
    assert properties["Stream"] == {"Fn::GetAtt": ["TicketsTable", "StreamArn"]}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["MaximumRetryAttempts"] == packaging.STREAM_EVENT_SETTINGS["MaximumRetryAttempts"]
    assert properties["MaximumRecordAgeInSeconds"] == packaging.STREAM_EVENT_SETTINGS["MaximumRecordAgeInSeconds"]
    assert properties["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}
    assert properties["BatchSize"] == 50  # what the decorator chose is kept


def test_the_queue_handler_consumes_the_delivery_queue_and_reports_failed_messages(events_template):
    properties = events(events_template, "DeliverWebhooks")["Properties"]
    resolver = Resolver(events_template, STAGE, ACCOUNT_ID, REGION)
    assert resolver.resolve(properties["Queue"]) == resolver.attribute("WebhookDeliveryQueue", "Arn")
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_queues_outlast_their_consumers_timeouts(events_template):
    assert "DeliverWebhooks" in packaging.functions(events_template)
    assert short_visibility_timeouts(events_template, STAGE) == []


def test_the_upload_rule_matches_the_stacks_bucket(events_template):
    pattern = events(events_template, "OnUpload")["Properties"]["Pattern"]
    assert pattern["detail"]["bucket"]["name"] == [{"Ref": "AttachmentsBucket"}]


def test_no_package_time_value_is_left(events_template):
    text = json.dumps(events_template)
    assert packaging.PACKAGE_ACCOUNT_ID not in text
    assert "set-by-the-stack" not in text


def test_cfn_lint_accepts_it(events_package):
    assert unexpected(cfn_lint(events_package.out / "sam.json")) == []


def test_the_policy_check_asks_for_what_lambda_needs_to_feed_the_handlers(events_template):
    """Until the policy grants them, the IAM check fails on these."""
    resolver = Resolver(events_template, STAGE, ACCOUNT_ID, REGION)
    needs = permissions.from_template(events_template, resolver)
    policy = events_template["Resources"]["OnTicketChangeRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    missing = permissions.compare(needs, permissions.grants(policy, resolver))["missing"]
    stream = resolver.attribute("TicketsTable", "StreamArn")
    assert f"dynamodb:GetRecords on {stream}  (OnTicketChange.OnTicketChangeDynamodbEventSource)" in missing
    assert any(m.startswith("sqs:ReceiveMessage on " + resolver.attribute("WebhookDeliveryQueue", "Arn"))
               for m in missing)
    assert any(m.startswith("sqs:SendMessage on " + resolver.attribute("StreamFailureQueue", "Arn")) for m in missing)

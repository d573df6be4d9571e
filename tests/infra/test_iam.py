"""The functions' IAM policy (.chalice/policy-<stage>.json) grants exactly what the code and its
triggers use: every AWS request the deployed code made during this test session (tests/aws_calls.py)
plus what Lambda does with the role (logs, stream and queue reads, failure destinations), as
(action, resource) pairs resolved for each stage. A new call in the code fails this test until the
policy grants it; a grant nothing uses fails it too."""
from email.utils import parseaddr
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from chalicelib import config
from chalicelib.local import provision
from infra import package as packaging
from infra import permissions
from infra.permissions import Permission
from tests.aws_calls import RECORDER, Call
from tests.infra.conftest import ACCOUNT_ID, REGION, ROOT

LOCAL = provision.resource_names("local")
TICKETS, DIRECTORY = LOCAL["TicketsTable"], LOCAL["DirectoryTable"]
BUCKET, QUEUE = LOCAL["AttachmentsBucket"], LOCAL["WebhookDeliveryQueue"]


def sender_domain(stage: str) -> str:
    address = parseaddr(packaging.stage_settings(ROOT, stage)[config.EMAIL_SENDER])[1]
    return address.rsplit("@", 1)[1]


def roles(template: dict) -> dict[str, dict]:
    return {logical_id: resource["Properties"]["Policies"][0]["PolicyDocument"]
            for logical_id, resource in template["Resources"].items() if resource["Type"] == "AWS::IAM::Role"}


def whole_suite_ran(session) -> bool:
    """Only then are all the code's calls recorded, and a grant nothing used is really unused."""
    files = {Path(str(item.fspath)) for item in session.items}
    return len(session.items) == session.testscollected and files >= set((ROOT / "tests").rglob("test_*.py"))


@pytest.mark.after_suite
def test_each_stage_grants_exactly_what_the_code_and_its_triggers_use(packaged, stage, request):
    calls = list(RECORDER.calls)
    if not calls:
        pytest.skip("no AWS request of the app was recorded in this session: run the whole suite (make test)")
    built = packaged(stage)
    resolver = built.resolver()
    needs_from_calls = permissions.Needs(resolver, sender_domain(stage),
                                         packaging.secret_arns(packaging.stage_settings(ROOT, stage)))
    needs = needs_from_calls.from_calls(calls) | permissions.from_template(built.template, resolver)
    assert needs_from_calls.unmapped == [], "extend infra/permissions.py for these"
    policies = roles(built.template)
    assert policies, "no role in the template"
    policy_file = f".chalice/policy-{stage}.json"
    for role, policy in policies.items():
        result = permissions.compare(needs, permissions.grants(policy, resolver))
        assert result["missing"] == [], f"{role}: grant these in {policy_file}: {result['missing']}"
        assert result["too broad"] == [], f"{role}: narrow these in {policy_file}: {result['too broad']}"
        if whole_suite_ran(request.session):
            assert result["excess"] == [], f"{role}: nothing uses these grants of {policy_file}: {result['excess']}"


# ---- turning calls into permissions -------------------------------------------------------------------

@pytest.fixture
def needs():
    template = packaging.full_template()
    return permissions.Needs(provision.Resolver(template, "prod", ACCOUNT_ID, REGION), "ticketry.example.com")


TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/ticketry-prod-tickets"


def call(service: str, operation: str, **params) -> Call:
    signing = {"sesv2": "ses"}.get(service, service)
    return Call(service, signing, operation, params)


def test_a_transaction_needs_each_write_it_makes(needs):
    items = [{"Put": {"TableName": TICKETS}}, {"Update": {"TableName": TICKETS}},
             {"Delete": {"TableName": TICKETS}}, {"ConditionCheck": {"TableName": DIRECTORY}}]
    assert {(p.action, p.resource) for p in needs.from_calls([call("dynamodb", "TransactWriteItems",
                                                                    TransactItems=items)])} == {
        ("dynamodb:PutItem", TABLE), ("dynamodb:UpdateItem", TABLE), ("dynamodb:DeleteItem", TABLE),
        ("dynamodb:ConditionCheckItem", TABLE.replace("tickets", "directory"))}


def test_a_query_on_an_index_needs_the_index(needs):
    (need,) = needs.from_calls([call("dynamodb", "Query", TableName=TICKETS, IndexName="by_tag")])
    assert (need.action, need.resource) == ("dynamodb:Query", f"{TABLE}/index/by_tag")


def test_a_batch_read_needs_every_table_it_reads(needs):
    found = needs.from_calls([call("dynamodb", "BatchGetItem", RequestItems={TICKETS: {}, DIRECTORY: {}})])
    assert {p.resource for p in found} == {TABLE, TABLE.replace("tickets", "directory")}


def test_object_operations_need_what_iam_checks_for_them(needs):
    """HeadObject needs s3:ListBucket too: without it a missing key answers 403, not 404."""
    bucket = "arn:aws:s3:::ticketry-prod-attachments-123456789012"
    found = needs.from_calls([
        call("s3", "HeadObject", Bucket=BUCKET, Key="t/1/a.png"),
        call("s3", "PutObject", Bucket=BUCKET, Key="t/1/b.png", Fields={"tagging": "<Tagging/>"}),
        call("s3", "DeleteObject", Bucket=BUCKET, Key="t/1/a.png"),
        call("s3", "DeleteObjects", Bucket=BUCKET, Delete={"Objects": [{"Key": "t/1/c.png"},
                                                                    {"Key": "t/1/d.png", "VersionId": "v1"}]}),
        call("s3", "DeleteObject", Bucket=BUCKET, Key="t/1/e.png", VersionId="v2"),
    ])
    assert {(p.action, p.resource) for p in found} == {
        ("s3:GetObject", f"{bucket}/t/1/a.png"), ("s3:PutObject", f"{bucket}/t/1/b.png"),
        ("s3:PutObjectTagging", f"{bucket}/t/1/b.png"), ("s3:DeleteObject", f"{bucket}/t/1/a.png"),
        ("s3:ListBucket", bucket), ("s3:DeleteObject", f"{bucket}/t/1/c.png"),
        ("s3:DeleteObjectVersion", f"{bucket}/t/1/d.png"), ("s3:DeleteObjectVersion", f"{bucket}/t/1/e.png")}


def test_operations_on_one_version_of_an_object_need_the_version_actions(needs):
    """Downloads and confirmations name the version confirmed; IAM checks those as other actions."""
    bucket = "arn:aws:s3:::ticketry-prod-attachments-123456789012"
    found = needs.from_calls([
        call("s3", "GetObject", Bucket=BUCKET, Key="t/1/a.png", VersionId="v1"),
        call("s3", "HeadObject", Bucket=BUCKET, Key="t/1/b.png", VersionId="v1"),
        call("s3", "DeleteObjectTagging", Bucket=BUCKET, Key="t/1/c.png", VersionId="v1"),
        call("s3", "DeleteObjectTagging", Bucket=BUCKET, Key="t/1/d.png"),
    ])
    assert {(p.action, p.resource) for p in found} == {
        ("s3:GetObjectVersion", f"{bucket}/t/1/a.png"), ("s3:GetObjectVersion", f"{bucket}/t/1/b.png"),
        ("s3:ListBucket", bucket), ("s3:DeleteObjectVersionTagging", f"{bucket}/t/1/c.png"),
        ("s3:DeleteObjectTagging", f"{bucket}/t/1/d.png")}


def test_batch_queue_operations_need_their_single_message_actions(needs):
    url = f"http://127.0.0.1:4566/000000000000/{QUEUE}"
    found = needs.from_calls([call("sqs", "SendMessageBatch", QueueUrl=url), call("sqs", "SendMessage", QueueUrl=url)])
    assert {(p.action, p.resource) for p in found} == {
        ("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:ticketry-prod-webhook-deliveries")}


def test_sending_email_needs_the_stages_identity_and_configuration_set(needs):
    found = needs.from_calls([call("sesv2", "SendEmail", FromEmailAddress="Ticketry <notifications@ticketry.local>",
                                   ConfigurationSetName=LOCAL["EmailConfigurationSet"])])
    assert {(p.action, p.resource) for p in found} == {
        ("ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/ticketry.example.com"),
        ("ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:configuration-set/ticketry-prod")}


def test_calls_made_in_any_stage_count_for_the_stage_checked(needs):
    found = needs.from_calls([call("dynamodb", "GetItem", TableName="ticketry-bench-tickets"),
                              call("sqs", "SendMessage", QueueUrl="https://sqs/1/ticketry-qa-webhook-deliveries-dlq")])
    assert {p.resource for p in found} == {
        TABLE, f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:ticketry-prod-webhook-deliveries-dlq"}


def test_a_resource_the_template_lacks_is_an_error(needs):
    with pytest.raises(permissions.UnknownResource):
        needs.from_calls([call("dynamodb", "GetItem", TableName="somebody-elses-table")])
    with pytest.raises(permissions.UnknownResource):
        needs.from_calls([call("s3", "GetObject", Bucket="ticketry-local-tickets", Key="k")])


def test_a_service_without_a_mapping_is_reported(needs):
    assert needs.from_calls([call("events", "PutEvents", Entries=[])]) == set()
    assert needs.unmapped == ["events.PutEvents: no IAM mapping for events yet"]


def test_compare_finds_missing_excess_and_broad_grants():
    needs = {Permission("dynamodb:GetItem", TABLE), Permission("s3:GetObject", "arn:aws:s3:::b/k")}
    grants = [Permission("dynamodb:GetItem", TABLE), Permission("dynamodb:PutItem", TABLE),
              Permission("s3:*", "arn:aws:s3:::b/*"), Permission("sqs:SendMessage", "*")]
    result = permissions.compare(needs, grants)
    assert result["missing"] == [f"s3:GetObject on arn:aws:s3:::b/k"]
    assert result["excess"] == sorted([f"dynamodb:PutItem on {TABLE}", "s3:* on arn:aws:s3:::b/*",
                                       "sqs:SendMessage on *"])
    assert result["too broad"] == ["s3:* on arn:aws:s3:::b/*", "sqs:SendMessage on *"]


# ---- the recorder -------------------------------------------------------------------------------------

def test_the_recorder_sees_requests_and_presigned_uploads_of_deployed_code_only(monkeypatch):
    """A function compiled as if it lived in chalicelib stands for deployed code; the calls it
    makes are taken out again so that the policy check does not see them."""
    deployed = {}
    exec(compile("def run(s3, bucket):\n"
                 "    s3.head_bucket(Bucket=bucket)\n"
                 "    s3.generate_presigned_post(bucket, 'k', Fields={'tagging': '<Tagging/>'})\n"
                 "    s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'k'})\n",
                 str(ROOT / "chalicelib" / "deployed_code.py"), "exec"), deployed)
    before = len(RECORDER.calls)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)  # from the test: not recorded
        deployed["run"](s3, BUCKET)
    recorded = RECORDER.calls[before:]
    del RECORDER.calls[before:]
    assert [(c.service, c.operation, c.presigned) for c in recorded] == [
        ("s3", "HeadBucket", False), ("s3", "PutObject", True), ("s3", "GetObject", True)]
    assert recorded[1].params["Fields"] == {"tagging": "<Tagging/>"}


# ---- OIDC client secrets ------------------------------------------------------------------------------

OKTA_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:ticketry/okta-AbCdEf"


def oidc_settings(*providers) -> dict[str, str]:
    import json

    return {config.OIDC_PROVIDERS: json.dumps(list(providers))}


def test_reading_a_client_secret_needs_the_secrets_the_stage_names():
    template = packaging.full_template()
    resolver = provision.Resolver(template, "prod", ACCOUNT_ID, REGION)
    with_secret = permissions.Needs(resolver, "ticketry.example.com", [OKTA_SECRET])
    found = with_secret.from_calls([call("secretsmanager", "GetSecretValue", SecretId="arn:aws:secretsmanager:x")])
    assert {(p.action, p.resource) for p in found} == {("secretsmanager:GetSecretValue", OKTA_SECRET)}
    assert with_secret.unmapped == []


def test_a_stage_whose_providers_keep_secrets_in_secrets_manager_may_read_those_only():
    settings = oidc_settings(
        {"id": "okta", "name": "Okta", "issuer": "https://corp.okta.com", "client_id": "c",
         "client_secret_arn": OKTA_SECRET},
        {"id": "local", "name": "Local", "issuer": "http://localhost:9400", "client_id": "c", "client_secret": "s"})
    assert packaging.secret_arns(settings) == [OKTA_SECRET]
    assert packaging.secret_arns({}) == []
    generated = {"Resources": {"DefaultRole": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [
        {"PolicyName": "DefaultRolePolicy", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Logs", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}}]}},
        "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {}}}}
    patch = packaging.secret_grants(generated, [OKTA_SECRET])
    statements = patch["DefaultRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[-1] == {"Sid": "OidcClientSecrets", "Effect": "Allow",
                              "Action": "secretsmanager:GetSecretValue", "Resource": [OKTA_SECRET]}
    assert statements[0]["Sid"] == "Logs" and list(patch) == ["DefaultRole"]
    assert packaging.secret_grants(generated, []) == {}


def test_provider_settings_that_cannot_work_stop_the_package():
    with pytest.raises(packaging.PackageError, match=r"OIDC_PROVIDERS\[0\] needs exactly one of"):
        packaging.secret_arns(oidc_settings({"id": "okta", "name": "Okta", "issuer": "https://corp.okta.com",
                                             "client_id": "c"}))

"""The template declares every table, index, queue, bucket and configuration set the code uses, as
the code describes them (names from the stages' settings, keys and indexes from the PynamoDB
models), and the local stack creates exactly what the template declares."""
import json

import boto3
import pytest
from moto import mock_aws
from pynamodb.models import Model

from chalicelib import config
from chalicelib.adapters.dynamodb import models
from chalicelib.local import provision
from chalicelib.local.provision import Resolver
from infra import package as packaging
from tests.infra.conftest import chalice_config

ALL_STAGES = sorted(chalice_config()["stages"])


def stage_settings(stage: str) -> dict[str, str]:
    return packaging.stage_settings(packaging.ROOT, stage)


def account_for(stage: str) -> str:
    return provision.LOCAL_ACCOUNT_ID if stage == "local" else "123456789012"


def table_models() -> list[type[Model]]:
    """The models that own a table (the others share their parent's)."""
    return [cls for cls in Model.__subclasses__() if cls.__module__ == models.__name__]


def tables_in(template: dict, resolver: Resolver) -> dict[str, dict]:
    return {resolver.name(logical_id): resource["Properties"] for logical_id, resource in template["Resources"].items()
            if resource.get("Type") == "AWS::DynamoDB::Table"}


def index_shapes(indexes: list[dict]) -> dict[str, tuple]:
    def shape(index):
        keys = frozenset((key["AttributeName"], key["KeyType"]) for key in index["key_schema" if "key_schema" in index
                                                                                 else "KeySchema"])
        projection = index.get("projection") or index["Projection"]
        return keys, projection["ProjectionType"], tuple(sorted(projection.get("NonKeyAttributes", [])))
    return {index.get("index_name") or index["IndexName"]: shape(index) for index in indexes}


@pytest.fixture
def bound_to(monkeypatch):
    """Binds the models to a stage's tables, as the stage's functions would."""
    def bind(stage: str):
        for name, value in stage_settings(stage).items():
            monkeypatch.setenv(name, value)
        models.rebind()
    yield bind
    monkeypatch.undo()
    models.rebind()


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_each_stage_names_resources_of_the_template(stage):
    """A stage names a resource only with the name the template gives it in that stage; names that
    depend on the account are left to the stack."""
    template = packaging.full_template()
    resolver = Resolver(template, stage, account_for(stage))
    elsewhere = Resolver(template, stage, "210987654321")
    settings = stage_settings(stage)
    named = {setting: expression for setting, expression in provision.settings().items() if setting in settings}
    assert named, "the stage names none of its resources"
    for setting, expression in named.items():
        assert settings[setting] == resolver.resolve(expression), setting
        if stage != "local":
            assert resolver.resolve(expression) == elsewhere.resolve(expression), f"{setting} depends on the account"


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_every_table_the_models_use_is_in_the_template_with_their_keys_and_indexes(stage, bound_to):
    bound_to(stage)
    template = packaging.full_template()
    tables = tables_in(template, Resolver(template, stage, account_for(stage)))
    used = set()
    for model in table_models():
        name = model.Meta.table_name
        used.add(name)
        assert name in tables, f"{model.__name__} uses {name}, which the template lacks"
        schema, props = model._get_schema(), tables[name]
        assert {(k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]} == {
            (k["AttributeName"], k["KeyType"]) for k in props["KeySchema"]}
        assert index_shapes(schema["global_secondary_indexes"]) == index_shapes(props.get("GlobalSecondaryIndexes", []))
        types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
        for attribute in schema["attribute_definitions"]:
            assert types[attribute["AttributeName"]] == attribute["AttributeType"], attribute
    assert used == set(tables), "the template has tables no model uses"


def test_ttl_attributes_are_numbers_the_models_write(bound_to):
    bound_to("local")
    template = packaging.full_template()
    tables = tables_in(template, Resolver(template, "local"))
    for model in table_models():
        ttl = tables[model.Meta.table_name].get("TimeToLiveSpecification")
        if not ttl:
            continue
        carriers = [sub for sub in (model, *models._subclasses(model)) if ttl["AttributeName"] in sub.get_attributes()]
        assert carriers, f"no model writes {ttl['AttributeName']}"
        assert all(sub.get_attributes()[ttl["AttributeName"]].attr_type == "N" for sub in carriers)


def test_settings_that_read_a_stream_point_at_a_streamed_table():
    template = packaging.full_template()
    for setting, expression in provision.settings().items():
        if "Fn::GetAtt" in expression and expression["Fn::GetAtt"][1] == "StreamArn":
            props = template["Resources"][expression["Fn::GetAtt"][0]]["Properties"]
            assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES", setting


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_the_delivery_queue_hands_what_it_cannot_deliver_to_its_dead_letter_queue(stage):
    template = packaging.full_template()
    resolver = Resolver(template, stage, account_for(stage))
    queue_id = provision.settings()[config.WEBHOOK_QUEUE_NAME]["Fn::GetAtt"][0]
    name = resolver.name(queue_id)
    assert name == f"ticketry-{stage}-webhook-deliveries"
    redrive = template["Resources"][queue_id]["Properties"]["RedrivePolicy"]
    dead_letter_id = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert resolver.name(dead_letter_id) == f"{name}-dlq"
    # A message keeps its first enqueue time in the dead-letter queue: it must outlive the source.
    retention = {logical_id: template["Resources"][logical_id]["Properties"]["MessageRetentionPeriod"]
                 for logical_id in (queue_id, dead_letter_id)}
    assert retention[dead_letter_id] > retention[queue_id]


def test_the_attachments_bucket_expires_uploads_the_app_never_accepted():
    template = packaging.full_template()
    bucket = template["Resources"][provision.settings()[config.ATTACHMENTS_BUCKET]["Ref"]]["Properties"]
    from chalicelib.adapters.attachment_store import PENDING_TAG_KEY as key, PENDING_TAG_VALUE as value
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(rule.get("TagFilters") == [{"Key": key, "Value": value}] and rule["Status"] == "Enabled"
               for rule in rules)
    assert bucket["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"] is True
    assert bucket["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"] == [{"Ref": "PublicOrigin"}]
    assert "POST" in bucket["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"]


def test_the_local_stage_names_what_the_local_stack_creates():
    local = stage_settings("local")
    created = provision.environment("local")
    assert {name: local.get(name) for name in created} == created


def test_the_local_stack_creates_exactly_what_the_template_declares():
    template = provision.load_template()
    resolver = Resolver(template, "local")
    declared = {resource["Type"]: set() for resource in template["Resources"].values()}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] in provision.NAME_PROPERTIES:
            declared[resource["Type"]].add(resolver.name(logical_id))
    with mock_aws():
        dynamodb, s3, sqs, ses = (boto3.client(service) for service in ("dynamodb", "s3", "sqs", "sesv2"))
        provision.create_tables(dynamodb, "local")
        provision.create_buckets(s3, "local")
        urls = provision.create_queues(sqs, "local")
        provision.create_configuration_sets(ses, "local")

        assert set(dynamodb.list_tables()["TableNames"]) == declared["AWS::DynamoDB::Table"]
        assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == declared["AWS::S3::Bucket"]
        assert {url.rsplit("/", 1)[1] for url in sqs.list_queues()["QueueUrls"]} == declared["AWS::SQS::Queue"]
        assert set(ses.list_configuration_sets()["ConfigurationSets"]) == declared["AWS::SES::ConfigurationSet"]

        for name, props in tables_in(template, resolver).items():
            table = dynamodb.describe_table(TableName=name)["Table"]
            assert index_shapes(table.get("GlobalSecondaryIndexes", [])) == index_shapes(
                props.get("GlobalSecondaryIndexes", []))
            assert table.get("StreamSpecification", {}).get("StreamViewType") == \
                props.get("StreamSpecification", {}).get("StreamViewType")
            ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            assert ttl.get("AttributeName") == props.get("TimeToLiveSpecification", {}).get("AttributeName")

        for logical_id, url in urls.items():
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            props = template["Resources"][logical_id]["Properties"]
            for name in ("VisibilityTimeout", "MessageRetentionPeriod"):
                if name in props:
                    assert attributes[name] == str(props[name]), (logical_id, name)
            if "RedrivePolicy" in props:
                target = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
                assert resolver.name(target) in attributes["RedrivePolicy"]


def test_the_local_buckets_send_object_events_to_eventbridge_as_the_template_says():
    template = provision.load_template()
    resolver = Resolver(template, "local")
    with mock_aws():
        s3, sqs, events = (boto3.client(service) for service in ("s3", "sqs", "events"))
        provision.create_buckets(s3, "local")
        queue_url = sqs.create_queue(QueueName="seen-events")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="objects-created",
                        EventPattern=json.dumps({"source": ["aws.s3"], "detail-type": ["Object Created"]}))
        events.put_targets(Rule="objects-created", Targets=[{"Id": "queue", "Arn": queue_arn}])
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] != "AWS::S3::Bucket":
                continue
            name = resolver.name(logical_id)
            s3.put_object(Bucket=name, Key="probe", Body=b"x")
            received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            enabled = resource["Properties"].get("NotificationConfiguration", {}).get(
                "EventBridgeConfiguration", {}).get("EventBridgeEnabled", False)
            assert [json.loads(m["Body"])["detail"]["bucket"]["name"] for m in received] == ([name] if enabled else [])
            for message in received:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

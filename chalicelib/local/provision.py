"""Creates the tables and bucket that infra/resources.json declares, on any DynamoDB/S3 endpoint.

The local stack and the tests build their stores from the same template that deploys them, so
the two cannot drift apart.
"""
import json
import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "resources.json"
LOCAL_ACCOUNT_ID = "000000000000"


def load_template() -> dict:
    return json.loads(TEMPLATE.read_text())


def resolve(value, stage: str, account_id: str = LOCAL_ACCOUNT_ID):
    """Resolves the few intrinsic functions the template uses for names."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        names = {"Stage": stage, "AWS::AccountId": account_id}
        return re.sub(r"\$\{([^}]+)\}", lambda m: names[m.group(1)], value["Fn::Sub"])
    return value


def resource_names(stage: str, account_id: str = LOCAL_ACCOUNT_ID) -> dict[str, str]:
    """Logical id -> physical name, e.g. TicketsTable -> ticketry-local-tickets."""
    names = {}
    for logical_id, resource in load_template()["Resources"].items():
        props = resource.get("Properties", {})
        name = props.get("TableName") or props.get("BucketName") or props.get("QueueName")
        if name is not None:
            names[logical_id] = resolve(name, stage, account_id)
    return names


def table_definitions(stage: str) -> list[dict]:
    """CreateTable arguments for every AWS::DynamoDB::Table in the template."""
    tables = []
    for resource in load_template()["Resources"].values():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        args = {
            "TableName": resolve(props["TableName"], stage),
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        for indexes in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(indexes):
                args[indexes] = props[indexes]
        if props.get("StreamSpecification"):
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        tables.append({"create": args, "ttl": props.get("TimeToLiveSpecification")})
    return tables


def create_tables(dynamodb, stage: str) -> None:
    """Creates any missing table (existing ones are left as they are, with their data)."""
    existing = set(dynamodb.list_tables()["TableNames"])
    for table in table_definitions(stage):
        name = table["create"]["TableName"]
        if name in existing:
            continue
        dynamodb.create_table(**table["create"])
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        if table["ttl"]:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=table["ttl"])


def create_buckets(s3, stage: str) -> None:
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for resource in load_template()["Resources"].values():
        if resource["Type"] != "AWS::S3::Bucket":
            continue
        props = resource["Properties"]
        name = resolve(props["BucketName"], stage)
        if name not in existing:
            s3.create_bucket(Bucket=name)
        # Deletes behave differently on a versioned bucket; local ones must behave as deployed.
        if props.get("VersioningConfiguration"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])


# Queue properties that CreateQueue takes as attributes under the same names.
QUEUE_ATTRIBUTES = ("ContentBasedDeduplication", "DelaySeconds", "FifoQueue", "MaximumMessageSize",
                    "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout")


def create_queues(sqs, stage: str) -> None:
    """Creates every AWS::SQS::Queue (CreateQueue keeps an existing queue with the same attributes)."""
    for resource in load_template()["Resources"].values():
        if resource["Type"] != "AWS::SQS::Queue":
            continue
        props = resource["Properties"]
        attributes = {name: str(props[name]).lower() if isinstance(props[name], bool) else str(props[name])
                      for name in QUEUE_ATTRIBUTES if name in props}
        sqs.create_queue(QueueName=resolve(props["QueueName"], stage), Attributes=attributes)


def environment(stage: str) -> dict[str, str]:
    """The app's settings that name these resources."""
    from chalicelib import config

    names = resource_names(stage)
    return {
        config.TICKETS_TABLE: names["TicketsTable"],
        config.DIRECTORY_TABLE: names["DirectoryTable"],
        config.ATTACHMENTS_BUCKET: names["AttachmentsBucket"],
        config.DELIVERIES_TABLE: names["DeliveriesTable"],
        config.WEBHOOK_QUEUE_NAME: names["WebhookDeliveriesQueue"],
    }

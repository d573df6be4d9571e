"""Creates the tables, bucket, queues and email configuration set that infra/resources.json declares,
on any DynamoDB/S3/SQS/SES endpoint, and resolves the template's names for any stage.

The local stack and the tests build their stores from the same template that deploys them, so
the two cannot drift apart.
"""
import json
import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "resources.json"
LOCAL_ACCOUNT_ID = "000000000000"
LOCAL_REGION = "us-east-1"
# DynamoDB adds a creation timestamp to a stream's ARN; a fixed one stands in for it offline.
STREAM_LABEL = "1970-01-01T00:00:00.000"

# The property that carries each named resource type's physical name.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SES::ConfigurationSet": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
}


def load_template() -> dict:
    return json.loads(TEMPLATE.read_text())


class Resolver:
    """Evaluates the intrinsic functions the templates use (Ref, Fn::GetAtt, Fn::Sub, Fn::Join) as
    CloudFormation would for one stage, account and region, without calling AWS."""

    def __init__(self, template: dict, stage: str, account_id: str = LOCAL_ACCOUNT_ID,
                 region: str = LOCAL_REGION, partition: str = "aws", stack_name: str | None = None):
        self.template = template
        self.resources = template.get("Resources", {})
        self.stage = stage
        self.pseudo = {
            "AWS::AccountId": account_id,
            "AWS::Region": region,
            "AWS::Partition": partition,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack_name or f"ticketry-{stage}",
        }

    def resolve(self, value):
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (function, argument), = value.items()
            if function == "Ref":
                return self.ref(argument)
            if function == "Fn::GetAtt":
                logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.attribute(logical_id, attribute)
            if function == "Fn::Sub":
                return self._sub(argument)
            if function == "Fn::Join":
                separator, parts = argument
                return separator.join(str(self.resolve(part)) for part in parts)
        return {key: self.resolve(item) for key, item in value.items()}

    def ref(self, name: str) -> str:
        if name in self.pseudo:
            return self.pseudo[name]
        if name == "Stage":
            return self.stage
        if name in self.template.get("Parameters", {}):
            return self.template["Parameters"][name].get("Default", "")
        resource_type = self._type(name)
        if resource_type == "AWS::SQS::Queue":
            return f"https://sqs.{self.pseudo['AWS::Region']}.amazonaws.com/{self.pseudo['AWS::AccountId']}/{self.name(name)}"
        if resource_type in ("AWS::SNS::Topic", "AWS::SecretsManager::Secret"):
            return self.attribute(name, "Arn")
        return self.name(name)

    def name(self, logical_id: str) -> str:
        """The physical name: the one the template sets, else what CloudFormation would generate."""
        props = self.resources[logical_id].get("Properties", {})
        name_property = NAME_PROPERTIES.get(self._type(logical_id))
        if name_property and name_property in props:
            return self.resolve(props[name_property])
        return f"{self.pseudo['AWS::StackName']}-{logical_id}"

    def attribute(self, logical_id: str, attribute: str) -> str:
        resource_type = self._type(logical_id)
        region, account, partition = (self.pseudo["AWS::Region"], self.pseudo["AWS::AccountId"],
                                      self.pseudo["AWS::Partition"])
        name = self.name(logical_id)
        arns = {
            "AWS::DynamoDB::Table": f"arn:{partition}:dynamodb:{region}:{account}:table/{name}",
            "AWS::S3::Bucket": f"arn:{partition}:s3:::{name}",
            "AWS::SQS::Queue": f"arn:{partition}:sqs:{region}:{account}:{name}",
            "AWS::SNS::Topic": f"arn:{partition}:sns:{region}:{account}:{name}",
            "AWS::SecretsManager::Secret": f"arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
            "AWS::Serverless::Function": f"arn:{partition}:lambda:{region}:{account}:function:{name}",
            "AWS::Lambda::Function": f"arn:{partition}:lambda:{region}:{account}:function:{name}",
        }
        if attribute == "Arn" and resource_type in arns:
            return arns[resource_type]
        if attribute == "StreamArn" and resource_type == "AWS::DynamoDB::Table":
            return f"{arns[resource_type]}/stream/{STREAM_LABEL}"
        if attribute == "QueueName" and resource_type == "AWS::SQS::Queue":
            return name
        if attribute == "QueueUrl" and resource_type == "AWS::SQS::Queue":
            return self.ref(logical_id)
        raise ValueError(f"cannot resolve {logical_id}.{attribute} ({resource_type})")

    def _type(self, logical_id: str) -> str:
        if logical_id not in self.resources:
            raise KeyError(f"{logical_id} is not a resource of the template")
        return self.resources[logical_id]["Type"]

    def _sub(self, argument) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument

        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.attribute(logical_id, attribute)
            return str(self.ref(name))

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)


def resolve(value, stage: str, account_id: str = LOCAL_ACCOUNT_ID):
    """Resolves a value of infra/resources.json for a stage, e.g. a resource name."""
    return Resolver(load_template(), stage, account_id).resolve(value)


def resource_names(stage: str, account_id: str = LOCAL_ACCOUNT_ID) -> dict[str, str]:
    """Logical id -> physical name, e.g. TicketsTable -> ticketry-local-tickets."""
    template = load_template()
    resolver = Resolver(template, stage, account_id)
    return {logical_id: resolver.name(logical_id) for logical_id, resource in template["Resources"].items()
            if NAME_PROPERTIES.get(resource["Type"]) in resource.get("Properties", {})}


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
    """Creates any missing table, and adds to an existing one (kept with its data) the global
    secondary indexes and the time-to-live attribute it lacks."""
    existing = set(dynamodb.list_tables()["TableNames"])
    for table in table_definitions(stage):
        name = table["create"]["TableName"]
        if name in existing:
            add_missing_indexes(dynamodb, table["create"])
            if table["ttl"] and not _ttl_enabled(dynamodb, name):
                dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=table["ttl"])
            continue
        dynamodb.create_table(**table["create"])
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        if table["ttl"]:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=table["ttl"])


def _ttl_enabled(dynamodb, table_name: str) -> bool:
    status = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]["TimeToLiveStatus"]
    return status in ("ENABLED", "ENABLING")


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
        # S3 then sends its object events to EventBridge, where the app's event rules pick them up.
        if props.get("NotificationConfiguration", {}).get("EventBridgeConfiguration", {}).get("EventBridgeEnabled"):
            s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}})


# Queue properties that CreateQueue takes as attributes under the same names.
QUEUE_ATTRIBUTES = ("ContentBasedDeduplication", "DelaySeconds", "FifoQueue", "MaximumMessageSize",
                    "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout",
                    "SqsManagedSseEnabled")


def create_queues(sqs, stage: str) -> dict[str, str]:
    """Creates every AWS::SQS::Queue, dead-letter queues before the queues that name them (CreateQueue
    keeps an existing queue with the same attributes); returns logical id -> queue URL."""
    template = load_template()
    resolver = Resolver(template, stage)
    queues = {logical_id: resource["Properties"] for logical_id, resource in template["Resources"].items()
              if resource["Type"] == "AWS::SQS::Queue"}
    urls: dict[str, str] = {}
    for logical_id in sorted(queues, key=lambda queue: "RedrivePolicy" in queues[queue]):
        props = queues[logical_id]
        attributes = {name: str(props[name]).lower() if isinstance(props[name], bool) else str(props[name])
                      for name in QUEUE_ATTRIBUTES if name in props}
        if "RedrivePolicy" in props:
            redrive = props["RedrivePolicy"]
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            arn = sqs.get_queue_attributes(QueueUrl=urls[target], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": arn,
                                                      "maxReceiveCount": redrive["maxReceiveCount"]})
        urls[logical_id] = sqs.create_queue(QueueName=resolver.name(logical_id), Attributes=attributes)["QueueUrl"]
    return urls


def create_configuration_sets(sesv2, stage: str) -> None:
    """Creates each SES configuration set by name (its sending options matter only on AWS)."""
    for resource in load_template()["Resources"].values():
        if resource["Type"] != "AWS::SES::ConfigurationSet":
            continue
        name = resolve(resource["Properties"]["Name"], stage)
        try:
            sesv2.get_configuration_set(ConfigurationSetName=name)
        except sesv2.exceptions.NotFoundException:
            sesv2.create_configuration_set(ConfigurationSetName=name)


def settings() -> dict[str, dict]:
    """The app's settings that name a resource of the template, each with the template expression
    that yields its value (what a deployed function's environment is given)."""
    from chalicelib import config

    return {
        config.TICKETS_TABLE: {"Ref": "TicketsTable"},
        config.DIRECTORY_TABLE: {"Ref": "DirectoryTable"},
        config.DELIVERIES_TABLE: {"Ref": "DeliveriesTable"},
        config.ATTACHMENTS_BUCKET: {"Ref": "AttachmentsBucket"},
        config.INBOUND_BUCKET: {"Ref": "InboundMailBucket"},
        config.TICKETS_STREAM_ARN: {"Fn::GetAtt": ["TicketsTable", "StreamArn"]},
        config.WEBHOOK_QUEUE_NAME: {"Fn::GetAtt": ["WebhookDeliveryQueue", "QueueName"]},
        config.WEBHOOK_QUEUE_URL: {"Ref": "WebhookDeliveryQueue"},
        config.SES_CONFIGURATION_SET: {"Ref": "EmailConfigurationSet"},
    }


def assigned_by_service(expression: dict) -> bool:
    """True for values the service makes up when it creates the resource (a stream's ARN, a queue's
    URL): locally they are read back from the service, not computed."""
    if "Fn::GetAtt" in expression:
        return expression["Fn::GetAtt"][1] == "StreamArn"
    return load_template()["Resources"][expression["Ref"]]["Type"] == "AWS::SQS::Queue"


def environment(stage: str) -> dict[str, str]:
    """The settings that name these resources, as far as names alone decide them."""
    resolver = Resolver(load_template(), stage)
    return {setting: resolver.resolve(expression) for setting, expression in settings().items()
            if not assigned_by_service(expression)}


def add_missing_indexes(dynamodb, create: dict) -> None:
    """One index per UpdateTable, as DynamoDB allows; it backfills each from the table's items."""
    present = {index["IndexName"] for index in
               dynamodb.describe_table(TableName=create["TableName"])["Table"].get("GlobalSecondaryIndexes", [])}
    for index in create.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in present:
            continue
        dynamodb.update_table(TableName=create["TableName"], AttributeDefinitions=create["AttributeDefinitions"],
                              GlobalSecondaryIndexUpdates=[{"Create": index}])
        dynamodb.get_waiter("table_exists").wait(TableName=create["TableName"])

"""What the functions need from IAM, and what a policy grants, as (action, resource ARN) pairs.

Needs come from two places: the AWS requests the code makes (recorded while the test suite runs,
see tests/aws_calls.py) and the template (Lambda reads streams and queues, writes logs and sends
stream failures on the functions' behalf, with the functions' role). Both are resolved for one
stage with the packaged template, so a need and a grant name the same ARN.
"""
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Iterable
from urllib.parse import urlparse

from chalicelib.local.provision import NAME_PROPERTIES, Resolver

# IAM checks these operations as other actions (or as several).
S3_OBJECT_ACTIONS = {
    "HeadObject": ("s3:GetObject",),
    "GetObject": ("s3:GetObject",),
    "PutObject": ("s3:PutObject",),
    "CopyObject": ("s3:PutObject",),
    "DeleteObject": ("s3:DeleteObject",),
    "CreateMultipartUpload": ("s3:PutObject",),
    "UploadPart": ("s3:PutObject",),
    "CompleteMultipartUpload": ("s3:PutObject",),
    "AbortMultipartUpload": ("s3:AbortMultipartUpload",),
    "GetObjectTagging": ("s3:GetObjectTagging",),
    "PutObjectTagging": ("s3:PutObjectTagging",),
    "DeleteObjectTagging": ("s3:DeleteObjectTagging",),
}
# The same operations on one version of an object (VersionId given) are other actions again.
S3_OBJECT_VERSION_ACTIONS = {
    "HeadObject": ("s3:GetObjectVersion",),
    "GetObject": ("s3:GetObjectVersion",),
    "GetObjectTagging": ("s3:GetObjectVersionTagging",),
    "PutObjectTagging": ("s3:PutObjectVersionTagging",),
    "DeleteObjectTagging": ("s3:DeleteObjectVersionTagging",),
}
# The code tells a missing object by its 404; S3 answers 403 instead unless the caller may list
# the bucket.
S3_READS_OF_MAYBE_MISSING_OBJECTS = frozenset({"HeadObject", "GetObject"})
S3_BUCKET_ACTIONS = {
    "ListObjectsV2": ("s3:ListBucket",),
    "ListObjects": ("s3:ListBucket",),
    "HeadBucket": ("s3:ListBucket",),
    "ListObjectVersions": ("s3:ListBucketVersions",),
}
SQS_BATCH_ACTIONS = {
    "SendMessageBatch": "sqs:SendMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}
TRANSACTION_ACTIONS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                       "ConditionCheck": "dynamodb:ConditionCheckItem", "Get": "dynamodb:GetItem"}
# Actions that have no resource-level permissions: AWS only accepts "*" for them.
STAR_ONLY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"}
# What Lambda does with the function's role for each kind of event source.
STREAM_READ_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
QUEUE_CONSUME_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


@dataclass(frozen=True, order=True)
class Permission:
    action: str
    resource: str
    reason: str = field(default="", compare=False)  # the first call or trigger that needed it

    def __str__(self):
        return f"{self.action} on {self.resource}" + (f"  ({self.reason})" if self.reason else "")


class UnknownResource(Exception):
    """The code addressed a resource that the template does not declare."""


def deletion(target: dict) -> str:
    """Deleting one version of an object (a delete marker included) is its own IAM action."""
    return "s3:DeleteObjectVersion" if target.get("VersionId") else "s3:DeleteObject"


class Needs:
    """Turns recorded calls (made against whichever stage the tests ran: local, bench, ...) into the
    permissions the given stage needs, by way of the template's logical ids."""

    def __init__(self, stage_resolver: Resolver, sender_domain: str, secret_arns: Iterable[str] = ()):
        self.resolver = stage_resolver
        self.secret_arns = tuple(secret_arns)
        self.name_patterns = name_patterns(stage_resolver.template)
        self.sender_domain = sender_domain
        self.unmapped: list[str] = []

    def from_calls(self, calls: Iterable) -> set[Permission]:
        needs: set[Permission] = set()
        for call in calls:
            handler = getattr(self, f"_{call.service}", None)
            if handler is None:
                self.unmapped.append(f"{call.service}.{call.operation}: no IAM mapping for {call.service} yet")
                continue
            for action, resource in handler(call.operation, call.params):
                needs.add(Permission(action, resource, f"{call.service}.{call.operation}"))
        return needs

    # ---- per service -------------------------------------------------------------------------------

    def _dynamodb(self, operation: str, params: dict):
        if operation in ("BatchGetItem", "BatchWriteItem"):
            for table in params["RequestItems"]:
                yield f"dynamodb:{operation}", self._arn(table, TABLE)
        elif operation in ("TransactWriteItems", "TransactGetItems"):
            for item in params["TransactItems"]:
                (kind, request), = item.items()
                yield TRANSACTION_ACTIONS[kind], self._arn(request["TableName"], TABLE)
        elif "TableName" in params:
            resource = self._arn(params["TableName"], TABLE)
            if params.get("IndexName"):
                resource += f"/index/{params['IndexName']}"
            yield f"dynamodb:{operation}", resource
        else:
            self.unmapped.append(f"dynamodb.{operation}: names no table")

    def _s3(self, operation: str, params: dict):
        bucket = self._arn(params["Bucket"], BUCKET)
        if operation == "DeleteObjects":
            for item in params["Delete"]["Objects"]:
                yield deletion(item), f"{bucket}/{item['Key']}"
        elif operation == "DeleteObject" and "Key" in params:
            yield deletion(params), f"{bucket}/{params['Key']}"
        elif "Key" in params:
            actions = (S3_OBJECT_VERSION_ACTIONS if params.get("VersionId") else S3_OBJECT_ACTIONS).get(operation)
            if actions is None:
                self.unmapped.append(f"s3.{operation}: add it to S3_OBJECT_ACTIONS")
                return
            resource = f"{bucket}/{params['Key']}"
            for action in actions:
                yield action, resource
            if operation in S3_READS_OF_MAYBE_MISSING_OBJECTS:
                yield "s3:ListBucket", bucket
            # Tags given with an upload are authorised separately.
            if operation == "PutObject" and (params.get("Tagging") or "tagging" in (params.get("Fields") or {})):
                yield "s3:PutObjectTagging", resource
            if operation == "CopyObject":
                source = params["CopySource"]
                source = f"{source['Bucket']}/{source['Key']}" if isinstance(source, dict) else source.lstrip("/")
                source_bucket, _, source_key = source.partition("/")
                yield "s3:GetObject", f"{self._arn(source_bucket, BUCKET)}/{source_key}"
        else:
            for action in S3_BUCKET_ACTIONS.get(operation, (f"s3:{operation}",)):
                yield action, bucket

    def _sqs(self, operation: str, params: dict):
        name = params.get("QueueName") or urlparse(params["QueueUrl"]).path.rstrip("/").rsplit("/", 1)[-1]
        yield SQS_BATCH_ACTIONS.get(operation, f"sqs:{operation}"), self._arn(name, QUEUE)

    def _sesv2(self, operation: str, params: dict):
        region, account = self.resolver.pseudo["AWS::Region"], self.resolver.pseudo["AWS::AccountId"]
        # Locally mail goes out from the local domain; the stage sends from its own.
        yield f"ses:{operation}", f"arn:aws:ses:{region}:{account}:identity/{self.sender_domain}"
        if params.get("ConfigurationSetName"):
            configuration_set = self.resolver.name(self._logical_id(params["ConfigurationSetName"], CONFIGURATION_SET))
            yield f"ses:{operation}", f"arn:aws:ses:{region}:{account}:configuration-set/{configuration_set}"

    def _secretsmanager(self, operation: str, params: dict):
        # The code reads only the secrets the stage's settings name (OIDC client secrets), whichever
        # secret the tests' own stage named.
        for arn in self.secret_arns:
            yield f"secretsmanager:{operation}", arn

    # ---- names -------------------------------------------------------------------------------------

    def _logical_id(self, name: str, resource_type: str) -> str:
        found = [logical_id for logical_id, pattern in self.name_patterns.get(resource_type, [])
                 if pattern.fullmatch(name)]
        if len(found) != 1:
            raise UnknownResource(f"{name} matches {len(found) or 'no'} {resource_type} names of the template")
        return found[0]

    def _arn(self, name: str, resource_type: str) -> str:
        return self.resolver.attribute(self._logical_id(name, resource_type), "Arn")


TABLE, BUCKET, QUEUE, CONFIGURATION_SET = ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SQS::Queue",
                                           "AWS::SES::ConfigurationSet")
# What each pseudo parameter in a name can stand for; template parameters by their AllowedPattern.
NAME_VARIABLES = {"AWS::AccountId": r"\d{12}", "AWS::Region": "[a-z0-9-]+", "AWS::StackName": "[A-Za-z][A-Za-z0-9-]*"}


def name_patterns(template: dict) -> dict[str, list[tuple[str, re.Pattern]]]:
    """resource type -> (logical id, pattern of its names in any stage and account)."""
    variables = {**NAME_VARIABLES, **{name: parameter["AllowedPattern"] for name, parameter
                                       in template.get("Parameters", {}).items() if "AllowedPattern" in parameter}}
    patterns: dict[str, list[tuple[str, re.Pattern]]] = {}
    for logical_id, resource in template["Resources"].items():
        name = resource.get("Properties", {}).get(NAME_PROPERTIES.get(resource.get("Type"), ""))
        if name is None:
            continue
        text = name["Fn::Sub"] if isinstance(name, dict) else name
        parts = re.split(r"\$\{([^}]+)\}", text)
        regex = "".join(re.escape(part) if index % 2 == 0 else f"(?:{variables[part]})"
                        for index, part in enumerate(parts))
        patterns.setdefault(resource["Type"], []).append((logical_id, re.compile(regex)))
    return patterns


def from_template(template: dict, resolver: Resolver) -> set[Permission]:
    """What Lambda does with each function's role: write its logs, read its stream or queue, send
    stream batches that keep failing to the failure destination."""
    needs: set[Permission] = set()
    region, account = resolver.pseudo["AWS::Region"], resolver.pseudo["AWS::AccountId"]
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        group = properties.get("LoggingConfig", {}).get("LogGroup")
        group_name = resolver.resolve(group) if group else f"/aws/lambda/{resolver.name(logical_id)}"
        log_group = f"arn:aws:logs:{region}:{account}:log-group:{group_name}:*"
        needs.update(Permission(action, log_group, f"{logical_id} logs") for action in LOG_ACTIONS)
        for event_id, event in properties.get("Events", {}).items():
            props = event["Properties"]
            reason = f"{logical_id}.{event_id}"
            if event["Type"] == "DynamoDB":
                stream = resolver.resolve(props["Stream"])
                needs.update(Permission(action, stream, reason) for action in STREAM_READ_ACTIONS)
                needs.add(Permission("dynamodb:ListStreams", stream.rsplit("/", 1)[0] + "/*", reason))
            elif event["Type"] == "SQS":
                queue = resolver.resolve(props["Queue"])
                needs.update(Permission(action, queue, reason) for action in QUEUE_CONSUME_ACTIONS)
            destination = props.get("DestinationConfig", {}).get("OnFailure")
            if destination:
                target = resolver.resolve(destination["Destination"])
                action = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}[destination["Type"]]
                needs.add(Permission(action, target, f"{reason} failures"))
    return needs


def grants(document: dict, resolver: Resolver) -> list[Permission]:
    """Every (action, resource pattern) an Allow statement gives."""
    granted = []
    for statement in document["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        actions = _as_list(statement["Action"])
        resources = [resolver.resolve(resource) for resource in _as_list(statement["Resource"])]
        granted += [Permission(action, resource, statement.get("Sid", "")) for action in actions
                    for resource in resources]
    return granted


def compare(needs: set[Permission], granted: list[Permission]) -> dict[str, list[str]]:
    """missing: needs no grant covers; excess: grants that cover no need; too broad: wildcard actions,
    or "*" resources where AWS would accept something narrower."""
    missing = sorted(str(need) for need in needs
                     if not any(_covers(grant, need) for grant in granted))
    excess = sorted(str(grant) for grant in granted if not any(_covers(grant, need) for need in needs))
    too_broad = sorted(str(grant) for grant in granted
                       if "*" in grant.action or (grant.resource == "*" and grant.action not in STAR_ONLY_ACTIONS))
    return {"missing": missing, "excess": excess, "too broad": too_broad}


def _covers(grant: Permission, need: Permission) -> bool:
    # IAM's wildcards in resources match across "/" and ":", as fnmatch's do.
    return grant.action == need.action and fnmatchcase(need.resource, grant.resource)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]

"""The whole directory table (but views and webhooks) behind one object, for operator commands,
the local stack, benchmarks and tests. Services receive each concern's repository
(adapters/dynamodb/) through their ports instead."""
from chalicelib.adapters.dynamodb.api_keys import DynamoApiKeys
from chalicelib.adapters.dynamodb.counts import DynamoCounts
from chalicelib.adapters.dynamodb.keys import partition_count_sk, report_sk, sla_policy_sk
from chalicelib.adapters.dynamodb.members import DynamoMembers
from chalicelib.adapters.dynamodb.projects import DynamoProjects
from chalicelib.adapters.dynamodb.teams import DynamoTeams

__all__ = ["DirectoryRepository", "partition_count_sk", "report_sk", "sla_policy_sk"]


class DirectoryRepository(DynamoProjects, DynamoMembers, DynamoTeams, DynamoApiKeys, DynamoCounts):
    """Every repository of the directory's projects, people and counts at once."""

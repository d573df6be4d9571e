"""Reads the tickets table's stream from DynamoDB Local and hands records to the app's stream
handler, as Lambda would, for tests that need the stream consumers' effects."""
import os

import boto3

from chalicelib import config
from chalicelib.local.pump import stream_record

_delivered: set[str] = set()
# The last record handed out per (stream, shard): later reads start after it, not from the start
# of a stream the whole session keeps growing.
_positions: dict[tuple[str, str], str] = {}


def new_records() -> list[dict]:
    """Every stream record not handed out before (the stream is shared by the test session)."""
    endpoint = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
    streams = boto3.client("dynamodbstreams", endpoint_url=endpoint)
    arn = dynamodb.describe_table(TableName=config.tickets_table())["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        position = _positions.get((arn, shard["ShardId"]))
        start = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position} if position \
            else {"ShardIteratorType": "TRIM_HORIZON"}
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], **start)["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            if not page["Records"]:
                break
            records += page["Records"]
            _positions[(arn, shard["ShardId"])] = page["Records"][-1]["dynamodb"]["SequenceNumber"]
            iterator = page.get("NextShardIterator")
    fresh = [r for r in records if r["eventID"] not in _delivered]
    _delivered.update(r["eventID"] for r in fresh)
    return [stream_record(r, arn, config.region()) for r in fresh]


def pump_tickets_stream() -> dict:
    """Runs the app's tickets stream handler over the new records, in batches of its size."""
    return handle_records(new_records())


def handle_records(records: list[dict]) -> dict:
    """Hands records (new, or seen before to replay them) to the tickets stream handler."""
    from chalicelib.events.stream import tickets_stream

    result = {"batchItemFailures": []}
    for start in range(0, len(records), 100):
        answer = tickets_stream({"Records": records[start:start + 100]}, None)
        result["batchItemFailures"] += answer["batchItemFailures"]
    return result


def pump_webhook_queue(rounds: int = 10) -> int:
    """Hands queued delivery messages to the app's queue handler until the queue is empty (or
    `rounds` batches); messages the handler reports as failed stay queued. Returns how many ran."""
    from chalicelib.events.deliveries import webhook_deliveries

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=config.webhook_queue_name())["QueueUrl"]
    handled = 0
    for _ in range(rounds):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if not messages:
            break
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                    "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:{config.region()}:123456789012:queue",
                    "awsRegion": config.region()} for m in messages]
        result = webhook_deliveries({"Records": records}, None)
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        handled += len(messages)
    return handled


class MemoryStream:
    """The tickets stream of a MemoryStore: its history entries not handed out before, in the order
    they were written, as INSERT records (for the stream consumers on the in-memory ports)."""

    def __init__(self, store):
        self.store = store
        self.seen: set[tuple[str, str]] = set()

    def new_records(self) -> list[dict]:
        from chalicelib.adapters.dynamodb.history import to_history_item

        fresh = sorted(((entry.timestamp, sk, entry) for ticket_id, entries in self.store.history.items()
                        for sk, entry in entries.items() if (ticket_id, sk) not in self.seen), key=lambda t: t[:2])
        records = []
        for timestamp, sk, entry in fresh:
            self.seen.add((entry.ticket_id, sk))
            records.append({"eventID": f"{entry.ticket_id}:{sk}", "eventName": "INSERT",
                            "dynamodb": {"SequenceNumber": f"{len(self.seen):021d}",
                                         "NewImage": to_history_item(entry).serialize()}})
        return records

    def pump(self) -> list[dict]:
        """Hands the new records to the app's stream consumers; returns them (to replay)."""
        from chalicelib.events.stream import consume
        from chalicelib.services.registry import services

        records = self.new_records()
        assert consume(records, services()) == []
        return records

"""DynamoDB Local as the stack and the tests start it: the time to its first answer, and how many
single-item writes and reads it serves a second.

    python -m bench.dynamodb_local --runs 5 --seconds 5

Each run starts `chalicelib.local.dynamodb_local.running()` twice, as the pytest session does (in
memory, default JVM options) and as `make run` does (on disk in a temporary folder, QUICK_START),
and times the call from its start until it yields: the endpoint has answered its first HTTP
request. On each, one table (a string hash key) gets PutItem of a 200-byte item, then GetItem of
items written, for `--seconds` each, from 1 thread and then from 10 (one boto3 client, a
connection per thread). Figures go to stdout as a table; `--json` also writes the raw ones.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import boto3
from botocore.config import Config

from chalicelib.local import dynamodb_local

TABLE = "bench-items"
PAYLOAD = "x" * 200
THREADS = (1, 10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dynamodb_local", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput figure")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

    figures: dict[str, dict[str, list[float]]] = {"in memory": {}, "on disk": {}}
    for run in range(args.runs):
        for mode in figures:
            with tempfile.TemporaryDirectory(prefix="ticketry-bench-ddb-") as scratch:
                measured = measure(mode, Path(scratch), args.seconds)
            for name, value in measured.items():
                figures[mode].setdefault(name, []).append(value)
            print(f"run {run + 1} {mode}: " + ", ".join(f"{k} {v:.1f}" for k, v in measured.items()),
                  f"(load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
    print(render(figures, args.runs))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def measure(mode: str, scratch: Path, seconds: float) -> dict[str, float]:
    durable = mode == "on disk"
    started = time.monotonic()
    with dynamodb_local.running(db_path=scratch / "db" if durable else None,
                                jvm_options=dynamodb_local.QUICK_START if durable else ()) as endpoint:
        figures = {"start s": time.monotonic() - started}
        client = boto3.client("dynamodb", endpoint_url=endpoint,
                              config=Config(max_pool_connections=max(THREADS), retries={"max_attempts": 1}))
        client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        written: list[str] = []
        for threads in THREADS:
            figures[f"PutItem/s x{threads}"] = rate(threads, seconds, lambda: put(client, written))
        for threads in THREADS:
            figures[f"GetItem/s x{threads}"] = rate(threads, seconds, lambda: get(client, written))
    return figures


def put(client, written: list[str]) -> None:
    key = uuid.uuid4().hex
    client.put_item(TableName=TABLE, Item={"id": {"S": key}, "body": {"S": PAYLOAD}})
    written.append(key)


def get(client, written: list[str]) -> None:
    key = written[int(time.monotonic_ns()) % len(written)]
    assert "Item" in client.get_item(TableName=TABLE, Key={"id": {"S": key}})


def rate(threads: int, seconds: float, call) -> float:
    """Calls per second made by `threads` threads, each calling back to back until the time is up."""
    counts = [0] * threads
    begin = threading.Barrier(threads + 1)
    deadline = 0.0

    def work(index: int) -> None:
        begin.wait()
        while time.monotonic() < deadline:
            call()
            counts[index] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + seconds
    begin.wait()
    started = time.monotonic()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.monotonic() - started)


def render(figures: dict[str, dict[str, list[float]]], runs: int) -> str:
    names = list(next(iter(figures.values())))
    lines = [f"| DynamoDB Local ({runs} runs: median, min–max) | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(names)]
    for mode, measured in figures.items():
        cells = [f"{statistics.median(measured[n]):.1f} ({min(measured[n]):.1f}–{max(measured[n]):.1f})"
                 for n in names]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

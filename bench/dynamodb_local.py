"""DynamoDB Local as the stack and the tests start it: the time to its first answer, and how many
single-item writes and reads it serves a second.

    python -m bench.dynamodb_local --runs 6 --seconds 5 --compare-exposed

Each run starts `chalicelib.local.dynamodb_local.running()` as the pytest session does (in memory,
default JVM options) and as `make run` does (on disk in a temporary folder, QUICK_START), and times
the call from its start until it yields: the endpoint has answered its first HTTP request. On each,
one table (a string hash key) gets PutItem of a 200-byte item, then GetItem of items written, for
`--seconds` each, from 1 thread and then from 10 (one boto3 client, a connection per thread); and
the CPU time this process spent per call (the client, and the forwarder into DynamoDB Local's
network namespace, which runs here). With --compare-exposed each start is paired with one listening
directly on every interface (DYNAMODB_LOCAL_EXPOSED=1, as before the namespace), right before or
after it, so that both see the same load on a shared machine. Figures go to stdout as a table; `--json` also
writes the raw ones.
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
    parser.add_argument("--compare-exposed", action="store_true",
                        help="pair each start with one listening on every interface")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

    networks = ["namespace", "exposed"] if args.compare_exposed else ["namespace"]
    figures: dict[str, dict[str, list[float]]] = {}
    for run in range(args.runs):
        for storage in ("in memory", "on disk"):
            # Which of a pair starts first alternates: the second start of a pair was faster here.
            for network in networks if run % 2 == 0 else networks[::-1]:
                with tempfile.TemporaryDirectory(prefix="ticketry-bench-ddb-") as scratch:
                    measured = measure(storage, network == "exposed", Path(scratch), args.seconds)
                row = figures.setdefault(f"{storage}, {network}", {})
                for name, value in measured.items():
                    row.setdefault(name, []).append(value)
                print(f"run {run + 1} {storage}, {network}: " + ", ".join(f"{k} {v:.1f}" for k, v in measured.items()),
                      f"(load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
    print(render(figures, args.runs))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def measure(storage: str, exposed: bool, scratch: Path, seconds: float) -> dict[str, float]:
    durable = storage == "on disk"
    if exposed:
        os.environ[dynamodb_local.EXPOSED] = "1"
    try:
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
            for name, call in (("PutItem", lambda: put(client, written)), ("GetItem", lambda: get(client, written))):
                for threads in THREADS:
                    calls, elapsed, cpu = rate(threads, seconds, call)
                    figures[f"{name}/s x{threads}"] = calls / elapsed
                    figures[f"{name} CPU ms x{threads}"] = cpu * 1000 / calls
    finally:
        os.environ.pop(dynamodb_local.EXPOSED, None)
    return figures


def put(client, written: list[str]) -> None:
    key = uuid.uuid4().hex
    client.put_item(TableName=TABLE, Item={"id": {"S": key}, "body": {"S": PAYLOAD}})
    written.append(key)


def get(client, written: list[str]) -> None:
    key = written[int(time.monotonic_ns()) % len(written)]
    assert "Item" in client.get_item(TableName=TABLE, Key={"id": {"S": key}})


def rate(threads: int, seconds: float, call) -> tuple[int, float, float]:
    """Calls made by `threads` threads, each calling back to back until the time is up; the time
    they took and the CPU time this process spent meanwhile."""
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
    started, cpu = time.monotonic(), time.process_time()
    for worker in workers:
        worker.join()
    return sum(counts), time.monotonic() - started, time.process_time() - cpu


def render(figures: dict[str, dict[str, list[float]]], runs: int) -> str:
    names = list(next(iter(figures.values())))
    lines = [f"| DynamoDB Local ({runs} runs: median, min–max) | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(names)]
    for mode, measured in figures.items():
        cells = [f"{statistics.median(measured[n]):.{2 if 'CPU' in n else 1}f} "
                 f"({min(measured[n]):.{2 if 'CPU' in n else 1}f}–{max(measured[n]):.{2 if 'CPU' in n else 1}f})"
                 for n in names]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

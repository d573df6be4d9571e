"""The first request of a cold process: the CPU time of the DynamoDB calls it makes through five
model classes (and one transaction on the shared connection), and how many times botocore parses
DynamoDB's service model on the way.

    .venv/bin/python -m bench.first_request --runs 15

Each run is a fresh Python process with the app's settings for the `local` stage and DynamoDB
played by moto in that process. The tables are created first, by a boto3 client of its own (not
timed, not counted); then the models are bound and the five reads and one transaction run, timed
with `time.process_time` (CPU time: a busy machine distorts wall time, and Lambda hands out CPU by
memory size). The request itself is cheap in moto, so the figure is mostly what opening clients
costs: botocore sessions, endpoint rules, and parsing the service model.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FIRST_REQUEST = """
import json, os, time
from chalicelib.local import provision
os.environ.update(provision.environment("local"))
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)

import boto3
import botocore.loaders
from moto import mock_aws
from chalicelib.adapters.dynamodb import models

parses = 0
load_file = botocore.loaders.JSONFileLoader.load_file

def counting_load_file(self, file_path):
    global parses
    data = load_file(self, file_path)
    if data is not None and os.path.join("dynamodb", "") in file_path and os.path.basename(file_path) == "service-2":
        parses += 1
    return data

with mock_aws():
    provision.create_tables(boto3.client("dynamodb"), "local")
    botocore.loaders.JSONFileLoader.load_file = counting_load_file
    start = time.process_time()
    models.bind()
    for model in (models.TicketItem, models.HistoryItem, models.ProjectItem, models.MemberItem, models.DeliveryItem):
        model.count("absent", limit=1)
    with models.Transaction(conflict=RuntimeError("conflict")) as transaction:
        transaction.condition_check(models.NumberGuardItem, "N#absent", "NUMBER",
                                    condition=models.NumberGuardItem.pk.does_not_exist())
    cpu = time.process_time() - start
print(json.dumps({"cpu_ms": cpu * 1000, "parses": parses}))
"""


def run_once(python: str = sys.executable) -> dict:
    """One fresh process; returns its CPU milliseconds and DynamoDB service-model parses."""
    done = subprocess.run([python, "-c", FIRST_REQUEST], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_request", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    runs = [run_once() for _ in range(args.runs)]
    cpu = sorted(run["cpu_ms"] for run in runs)
    print(f"runs: {args.runs}  CPU ms median {statistics.median(cpu):.1f}  min {cpu[0]:.1f}  max {cpu[-1]:.1f}"
          f"  service-model parses per run: {sorted({run['parses'] for run in runs})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

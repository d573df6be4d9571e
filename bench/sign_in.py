"""What signing in by email costs in DynamoDB calls, step by step, and whether a request for a
code takes as long for an address no account has as for one an account has.

    .venv/bin/python -m bench.sign_in                       # 200 requests of each kind
    .venv/bin/python -m bench.sign_in --requests 500 --json sign_in.json

It starts a fresh in-memory DynamoDB Local with the tables from infra/resources.json, binds the app
to it and sends real HTTP requests through chalice's test client; SES is moto's (in process), so
DynamoDB is the one real service measured. Every DynamoDB call a request makes is counted with the
capacity DynamoDB Local reports (bench.meter).

Steps: ask for a code (`POST /v1/ce/sign-in/email`), finish with it (`POST .../code`), finish with
the emailed link in the same browser and with an operator's link (`POST .../link`), a wrong code,
and, once the address has had its day's wrong codes, a right and a wrong code (both refused) and the
emailed link. Enumeration: `--requests` requests for a code for addresses that have accounts and as many for
addresses that have none, interleaved (known, unknown, unknown, known, ...) so that drift in the
machine's speed falls on both alike; each address is asked once, and the hourly limits are raised
out of the way. Reported: median, quartiles, 90th percentile and the median absolute deviation of
each kind's time, and the difference of the medians.

Beside it, the three UpdateItems that count one request against its limits are timed against one
TransactWriteItems of the same three updates (with the limits as conditions), measured alone.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3
from chalice.test import Client
from moto import mock_aws

from bench import cost
from bench.browser import Browser
from bench.meter import Meter
from chalicelib import config
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.domain import sign_in
from chalicelib.domain.accounts import MAX_WRONG_CODES, Account
from chalicelib.domain.clock import new_id
from chalicelib.local import dynamodb_local, provision
from chalicelib.local.outbox import code_and_token

STAGE = cost.STAGE
SENDER = "bench@ticketry.local"
HEADERS = {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin", "User-Agent": "bench"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)




def measured(meter: Meter, call) -> tuple[object, dict]:
    with meter.recording() as recording:
        response = call()
    return response, {"status": response.status_code, "operations": dict(sorted(recording.operations().items())),
                      "calls": len(recording.calls), "read_units": recording.read_units,
                      "write_units": recording.write_units}


def steps(client: Client, meter: Meter, outbox: Path, email: str) -> dict:
    browser = Browser(client)
    figures = {}
    _, figures["request a code (known address)"] = measured(
        meter, lambda: browser.post("/v1/ce/sign-in/email", {"email": email}))
    code, _ = code_and_token(outbox)
    _, figures["request a code (unknown address)"] = measured(
        meter, lambda: Browser(client).post("/v1/ce/sign-in/email", {"email": f"{new_id()}@nowhere.example"}))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    _, figures["a wrong code"] = measured(meter, lambda: browser.post("/v1/ce/sign-in/code", {"code": wrong}))
    _, figures["finish with the code"] = measured(meter, lambda: browser.post("/v1/ce/sign-in/code", {"code": code}))

    linked = Browser(client)
    linked.post("/v1/ce/sign-in/email", {"email": email})
    _, token = code_and_token(outbox)
    _, figures["finish with the emailed link"] = measured(
        meter, lambda: linked.post("/v1/ce/sign-in/link", {"token": token}))

    from chalicelib.services.sign_in import operator_link
    url = operator_link(DirectoryRepository(), email, 3600)
    _, figures["finish with an operator's link"] = measured(
        meter, lambda: Browser(client).post("/v1/ce/sign-in/link", {"token": url.rpartition("#link=")[2]}))
    figures.update(past_the_cap(client, meter, outbox, email))
    for name, figure in figures.items():
        expected = 400 if "code" in name and not name.startswith(("finish with the code", "request")) else (
            202 if name.startswith("request") else 200)
        if figure["status"] != expected:
            raise RuntimeError(f"{name}: answered {figure['status']}, expected {expected}")
    return figures


def past_the_cap(client: Client, meter: Meter, outbox: Path, email: str) -> dict:
    """Wrong codes for the address until it has had the day's (more codes of one sign-in than the
    five that void it take a second one), then a right and a wrong code of that sign-in, both
    refused unchecked, and its emailed link, which still signs in."""
    for _ in range(2):
        browser = Browser(client)
        browser.post("/v1/ce/sign-in/email", {"email": email})
        code, token = code_and_token(outbox)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(MAX_WRONG_CODES):
            answer = browser.post("/v1/ce/sign-in/code", {"code": wrong})
            if json.loads(answer.body)["error"]["code"] == "too_many_wrong_codes":
                figures = {}
                _, figures["a right code past the day's wrong codes"] = measured(
                    meter, lambda: browser.post("/v1/ce/sign-in/code", {"code": code}))
                _, figures["a wrong code past the day's wrong codes"] = measured(
                    meter, lambda: browser.post("/v1/ce/sign-in/code", {"code": wrong}))
                _, figures["finish with the emailed link past them"] = measured(
                    meter, lambda: browser.post("/v1/ce/sign-in/link", {"token": token}))
                return figures
    raise RuntimeError("the address never reached its day's wrong codes")


def enumeration(client: Client, directory: DirectoryRepository, requests: int) -> dict:
    known = []
    for _ in range(requests):
        account = Account(id=new_id(), email=f"{new_id()}@example.com", name="Bench", created_at="2027-01-01T00:00:00Z")
        directory.create_account(account)
        known.append(account.email)
    unknown = [f"{new_id()}@nowhere.example" for _ in range(requests)]
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for i in range(requests):
        order = (("known", known[i]), ("unknown", unknown[i])) if i % 2 == 0 else (
            ("unknown", unknown[i]), ("known", known[i]))
        for kind, email in order:
            body = json.dumps({"email": email})
            started = time.perf_counter()
            response = client.http.post("/v1/ce/sign-in/email", headers=HEADERS, body=body)
            elapsed = time.perf_counter() - started
            if response.status_code != 202:
                raise RuntimeError(f"asking a code for {email}: {response.status_code} {response.body!r}")
            times[kind].append(elapsed * 1000)
    summary = {kind: _spread(values) for kind, values in times.items()}
    summary["median_difference_ms"] = round(summary["unknown"]["median_ms"] - summary["known"]["median_ms"], 3)
    return summary


def _spread(values: list[float]) -> dict:
    quartiles = statistics.quantiles(values, n=4)
    median = statistics.median(values)
    return {"requests": len(values), "median_ms": round(median, 3), "p25_ms": round(quartiles[0], 3),
            "p75_ms": round(quartiles[2], 3), "p90_ms": round(statistics.quantiles(values, n=10)[8], 3),
            "mad_ms": round(statistics.median(abs(v - median) for v in values), 3)}


def counting_alternatives(endpoint: str, rounds: int) -> dict:
    """Three UpdateItems (what the app does) against one TransactWriteItems of the same three."""
    dynamodb = cost.dynamodb_client(endpoint)
    table = config.directory_table()
    window = sign_in.window_at(time.time())

    def update(subject: str) -> dict:
        return {"TableName": table, "Key": {"pk": {"S": f"SIGNINRATE#{subject}"}, "sk": {"S": f"W#{window.start}"}},
                "UpdateExpression": "SET #k = :k, #e = :e ADD #c :one",
                "ExpressionAttributeNames": {"#k": "kind", "#e": "expires_at", "#c": "count"},
                "ExpressionAttributeValues": {":k": {"S": "sign_in_rate"}, ":e": {"N": str(window.end + 3600)},
                                              ":one": {"N": "1"}}}

    separate, together = [], []
    for i in range(rounds):
        subjects = [f"ip:bench{i}", f"email:bench{i}@example.com", "all-bench"]
        started = time.perf_counter()
        for subject in subjects:
            dynamodb.update_item(**update(subject), ReturnValues="UPDATED_NEW")
        separate.append((time.perf_counter() - started) * 1000)
        transaction = []
        for subject in subjects:
            item = update(subject + "-tx")
            item["ConditionExpression"] = "attribute_not_exists(#c) OR #c < :limit"
            item["ExpressionAttributeValues"][":limit"] = {"N": "1000000"}
            transaction.append({"Update": item})
        started = time.perf_counter()
        dynamodb.transact_write_items(TransactItems=transaction)
        together.append((time.perf_counter() - started) * 1000)
    return {"three UpdateItems": _spread(separate), "one TransactWriteItems": _spread(together)}


def run(requests: int) -> dict:
    with dynamodb_local.running() as endpoint, cost.restored_environment(
            [*cost.environment(endpoint), config.SIGN_IN_SECRET, config.EMAIL_SENDER, config.EMAIL_OUTBOX_DIR,
             config.INSECURE_COOKIES, config.SIGN_IN_EMAILS_PER_SOURCE, config.SIGN_IN_EMAILS_OVERALL]), \
            tempfile.TemporaryDirectory() as folder:
        os.environ.update(cost.environment(endpoint))
        os.environ.update({config.SIGN_IN_SECRET: "bench-sign-in-secret", config.EMAIL_SENDER: SENDER,
                           config.EMAIL_OUTBOX_DIR: folder, config.INSECURE_COOKIES: "1",
                           config.SIGN_IN_EMAILS_PER_SOURCE: str(10 * requests + 100),
                           config.SIGN_IN_EMAILS_OVERALL: str(10 * requests + 100)})
        provision.create_tables(cost.dynamodb_client(endpoint), STAGE)
        cost.rebind()
        from app import app

        with mock_aws():
            boto3.client("sesv2", region_name=config.region()).create_email_identity(EmailIdentity="ticketry.local")
            directory = DirectoryRepository()
            email = f"{new_id()}@example.com"
            directory.create_account(Account(id=new_id(), email=email, name="Ada", created_at="2027-01-01T00:00:00Z"))
            meter = Meter()
            with Client(app, stage_name=STAGE, project_dir=str(cost.ROOT)) as client, meter.installed():
                log("steps")
                figures = {"steps": steps(client, meter, Path(folder), email)}
                log(f"enumeration: {requests} requests of each kind")
                Browser(client).post("/v1/ce/sign-in/email", {"email": email})  # warm
                figures["enumeration"] = enumeration(client, directory, requests)
        log("counting: three UpdateItems or one transaction")
        figures["counting"] = counting_alternatives(endpoint, requests)
    figures["machine"] = {"python": platform.python_version(), "platform": platform.platform(),
                          "cpus": os.cpu_count()}
    return figures


def markdown(figures: dict) -> str:
    lines = ["| step | status | DynamoDB calls | read units | write units |", "| --- | --- | --- | --- | --- |"]
    for name, step in figures["steps"].items():
        operations = ", ".join(f"{op} ×{n}" if n > 1 else op for op, n in step["operations"].items())
        lines.append(f"| {name} | {step['status']} | {operations} | {step['read_units']:g} | {step['write_units']:g} |")
    lines += ["", "| asking a code for | requests | median ms | p25 | p75 | p90 | MAD |", "| --- | --- | --- | --- | --- | --- | --- |"]
    enumeration_figures = figures["enumeration"]
    for kind in ("known", "unknown"):
        f = enumeration_figures[kind]
        lines.append(f"| {kind} address | {f['requests']} | {f['median_ms']} | {f['p25_ms']} | {f['p75_ms']} | "
                     f"{f['p90_ms']} | {f['mad_ms']} |")
    lines += ["", f"Difference of the medians (unknown − known): {enumeration_figures['median_difference_ms']} ms", "",
              "| counting one request | median ms | p25 | p75 | p90 |", "| --- | --- | --- | --- | --- |"]
    for name, f in figures["counting"].items():
        lines.append(f"| {name} | {f['median_ms']} | {f['p25_ms']} | {f['p75_ms']} | {f['p90_ms']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sign_in", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests for a code of each kind (default 200)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    figures = run(args.requests)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(markdown(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

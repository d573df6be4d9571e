"""The OpenAPI document against the running product: schemathesis (its CLI, as a user would run
it) against `python -m chalicelib.local.stack`, every phase including stateful sequences built
from the document's inferred links, bounded in examples and time; then a run of requests the
document forbids only. No schema-valid request may be refused, no request the document forbids
may be taken, no answer may break the document, nothing may fail with a 5xx."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from chalicelib.local.stack_process import StackProcess
from tests.local.conftest import api

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 12
MAX_SECONDS = 150
# The run of forbidden requests only: random ones (fuzzing), beyond those the first run's coverage
# phase derives from each rule of the document.
NEGATIVE_SECONDS = 40
# What a well-formed request may still be answered, besides success: the caller lacks the right
# (401/403), what it names is gone or never existed (404), the state forbids it (409, or 412 when
# If-Match names an older version).
ACCEPTED_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
# What refuses a request the document forbids: 400 naming the field, or an answer that comes
# first (the key, the path, the Content-Type, the size limits: 413). Never 2xx, nor 412: a
# malformed If-Match is no version that does not match.
REFUSED_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """One stack for the module: the runs need no fresh one, and a start costs seconds."""
    stack = StackProcess(tmp_path_factory.mktemp("contract"))
    info = stack.start()
    yield info
    stack.kill()


def schemathesis(info: dict, tmp_path: Path, *arguments: str, timeout: float) -> dict:
    """The CLI against the stack with the run's hooks; the JSON report."""
    me = api(info, "GET", "/me")
    assert me.status_code == 200, me.text
    config = tmp_path / "schemathesis.toml"
    config.write_text(f"""
[parameters]
"path.project_id" = "{info['project_id']}"

[generation]
# JSON text is UTF-8: a lone surrogate escape is no character (the API refuses one, naming the field).
codec = "utf-8"

[checks.positive_data_acceptance]
expected-statuses = {json.dumps(ACCEPTED_STATUSES)}

[checks.negative_data_rejection]
expected-statuses = {json.dumps(REFUSED_STATUSES)}

# An edit without If-Match is 428 Precondition Required (RFC 6585), the status made for it.
[checks.missing_required_header]
expected-statuses = ["400", "401", "403", "406", "415", "422", "428"]

# A well-formed code or link names a sign-in that is not there (none asked in this run's browser):
# 400 `code_expired` / `link_expired` is the documented answer.
[[operations]]
include-path-regex = "^/v1/ce/sign-in/(code|link)$"
checks.positive_data_acceptance.expected-statuses = {json.dumps(ACCEPTED_STATUSES + ["400"])}
""")
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).with_name("st")), "--config-file", str(config), "run",
        f"{info['api_url']}/v1/ce/openapi.json", "-H", f"Authorization: Bearer {info['api_key']}",
        # API Gateway answers a method a route lacks with 403, not the 405 this check wants; the
        # local server answers as API Gateway does (see test_methods_a_route_lacks...).
        "--checks", "all", "--exclude-checks", "unsupported_method",
        "--seed", os.environ.get("CONTRACT_SEED", "20261201"), "--generation-database", "none",
        "--request-timeout", "15", "--no-color", "--report", "json", "--report-json-path", str(report),
        *arguments,
    ]
    environment = os.environ | {
        "SCHEMATHESIS_HOOKS": "tests.local.contract_hooks", "PYTHONPATH": str(ROOT),
        "CONTRACT_KEY_ID": info["api_key"].split("_")[2], "CONTRACT_USER_ID": me.json()["user_id"],
    }
    run = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout)
    assert report.exists(), run.stdout[-5000:] + run.stderr[-5000:]
    result = json.loads(report.read_text())
    assert not result["failures"], json.dumps(result["failures"], indent=1) + "\n" + run.stdout[-20000:]
    assert not result["errors"], json.dumps(result["errors"]) + "\n" + run.stdout[-20000:]
    return result


def test_the_running_api_honours_its_document(running, tmp_path):
    # One worker, as below: two threads race in Python 3.11.2's ast module (Hypothesis describes its
    # lambdas with it) and end the run with an error that is no finding.
    result = schemathesis(running, tmp_path, "--phases", "examples,coverage,fuzzing,stateful",
                          "--max-examples", str(MAX_EXAMPLES), "--max-time", str(MAX_SECONDS), "--workers", "1",
                          timeout=MAX_SECONDS + 120)
    assert result["operations"]["tested"] == result["operations"]["total"] == result["operations"]["selected"]
    for phase in ("coverage", "fuzzing", "stateful"):
        assert result["phases"][phase]["status"] in ("success", "failure"), result["phases"]
    assert result["test_cases"]["generated"] > 500
    print(f"\nschemathesis: {result['test_cases']['generated']} requests in {result['running_time']:.0f} s")


def test_the_running_api_refuses_what_its_document_forbids(running, tmp_path):
    """Random requests that break the document somewhere (a type, a pattern, a bound, a field it
    does not name, null where it allows none, a header's form), each refused."""
    # One worker: with two, Python 3.11.2's ast module can fail in Hypothesis's lambda descriptions
    # (a race fixed in later 3.11 releases), which ends the run with an error.
    result = schemathesis(running, tmp_path, "--mode", "negative", "--phases", "fuzzing",
                          "--max-examples", str(MAX_EXAMPLES), "--max-time", str(NEGATIVE_SECONDS), "--workers", "1",
                          timeout=NEGATIVE_SECONDS + 60)
    assert result["phases"]["fuzzing"]["status"] == "success", result["phases"]
    assert result["test_cases"]["generated"] > 100
    print(f"\nschemathesis, forbidden requests only: {result['test_cases']['generated']} in "
          f"{result['running_time']:.0f} s")


def test_methods_a_route_lacks_get_api_gateways_answer(running):
    """API Gateway answers a path and method it has no method for with 403 and a JSON body,
    before any Lambda runs; so does the local server, for TRACE as for PUT on a GET route."""
    info = running
    tickets = f"{info['api_url']}/v1/ce/projects/{info['project_id']}/tickets"
    auth = {"Authorization": f"Bearer {info['api_key']}"}
    for method in ("TRACE", "PUT", "CONNECT", "PROPFIND", "FOO"):
        response = requests.request(method, tickets, headers=auth, timeout=10)
        assert response.status_code == 403, (method, response.status_code, response.text)
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {"message": "Missing Authentication Token"}
    unknown = requests.get(f"{info['api_url']}/v1/ce/nothing-here", timeout=10)
    assert unknown.status_code == 403 and unknown.json() == {"message": "Missing Authentication Token"}
    # The routes themselves still answer, on the same connection after a refused body.
    with requests.Session() as session:
        refused = session.request("TRACE", tickets, headers=auth, data=b'{"x": 1}', timeout=10)
        assert refused.status_code == 403
        assert session.get(tickets, headers=auth, timeout=10).status_code == 200

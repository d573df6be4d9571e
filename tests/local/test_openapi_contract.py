"""The OpenAPI document against the running product: schemathesis (its CLI, as a user would run
it) against `python -m chalicelib.local.stack`, every phase including stateful sequences built
from the document's inferred links, bounded in examples and time. No schema-valid request may be
refused, no answer may break the document, nothing may fail with a 5xx."""
import json
import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.local.conftest import api

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 12
MAX_SECONDS = 150
# What a well-formed request may still be answered, besides success: the caller lacks the right
# (401/403), what it names is gone or never existed (404), the state forbids it (409, or 412 when
# If-Match names an older version).
ACCEPTED_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
# Every failure ends the test but this one, which is reported: a request the document calls
# invalid that the API still takes (where the full rule is no schema, the document states the part
# of it a schema can, and the API is more lenient).
TOLERATED = {"ST201"}


def test_the_running_api_honours_its_document(stack, tmp_path):
    info = stack.start()
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
""")
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).with_name("st")), "--config-file", str(config), "run",
        f"{info['api_url']}/v1/ce/openapi.json", "-H", f"Authorization: Bearer {info['api_key']}",
        # API Gateway answers a method a route lacks with 403, not the 405 this check wants; the
        # local server answers as API Gateway does (see test_methods_a_route_lacks...).
        "--checks", "all", "--exclude-checks", "unsupported_method",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES), "--max-time", str(MAX_SECONDS), "--workers", "2",
        "--seed", os.environ.get("CONTRACT_SEED", "20261201"), "--generation-database", "none",
        "--request-timeout", "15", "--no-color", "--report", "json", "--report-json-path", str(report),
    ]
    environment = os.environ | {
        "SCHEMATHESIS_HOOKS": "tests.local.contract_hooks", "PYTHONPATH": str(ROOT),
        "CONTRACT_KEY_ID": info["api_key"].split("_")[2], "CONTRACT_USER_ID": me.json()["user_id"],
    }
    run = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True,
                         timeout=MAX_SECONDS + 120)
    assert report.exists(), run.stdout[-5000:] + run.stderr[-5000:]
    result = json.loads(report.read_text())

    breaches = [f for f in result["failures"] if f["code"] not in TOLERATED]
    assert not breaches, json.dumps(breaches, indent=1) + "\n" + run.stdout[-20000:]
    assert not result["errors"], json.dumps(result["errors"]) + "\n" + run.stdout[-20000:]
    assert result["operations"]["tested"] == result["operations"]["total"] == result["operations"]["selected"]
    for phase in ("coverage", "fuzzing", "stateful"):
        assert result["phases"][phase]["status"] in ("success", "failure"), result["phases"]
    assert result["test_cases"]["generated"] > 500
    print(f"\nschemathesis: {result['test_cases']['generated']} requests in {result['running_time']:.0f} s; "
          f"reported, not breaches: {[(f['code'], f['count']) for f in result['failures']]}")


def test_methods_a_route_lacks_get_api_gateways_answer(stack):
    """API Gateway answers a path and method it has no method for with 403 and a JSON body,
    before any Lambda runs; so does the local server, for TRACE as for PUT on a GET route."""
    info = stack.start()
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

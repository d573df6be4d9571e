"""Packages each deployable stage once per session, with `make package` as a developer runs it."""
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from chalicelib.local.provision import Resolver
from infra import package as packaging

ROOT = Path(__file__).resolve().parents[2]
# The account and region the tests resolve ARNs in: any will do, as long as needs and grants agree.
ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"


def chalice_config() -> dict:
    return json.loads((ROOT / ".chalice" / "config.json").read_text())


def deployable_stages() -> list[str]:
    return sorted(stage for stage in chalice_config()["stages"] if stage != "local")


@dataclass
class Packaged:
    stage: str
    out: Path

    @property
    def template(self) -> dict:
        return json.loads((self.out / "sam.json").read_text())

    @property
    def report(self) -> dict:
        return json.loads((self.out / "package.json").read_text())

    @property
    def zip(self) -> Path:
        return self.out / "deployment.zip"

    def resolver(self) -> Resolver:
        return Resolver(self.template, self.stage, ACCOUNT_ID, REGION)


def make(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs make in the project with this interpreter (the venv `make` would build is this one)."""
    return subprocess.run(["make", "--no-print-directory", *args, f"PY={sys.executable}"], cwd=ROOT,
                          capture_output=True, text=True, env=env or dict(os.environ))


def short_visibility_timeouts(template: dict, stage: str) -> list[str]:
    """Lambda refuses a queue whose visibility timeout is below the function's; AWS advises six
    times, so that retries after throttling do not make a message visible again mid-run."""
    resolver = Resolver(template, stage, ACCOUNT_ID, REGION)
    queues = {resolver.attribute(logical_id, "Arn"): resource["Properties"]
              for logical_id, resource in template["Resources"].items() if resource["Type"] == "AWS::SQS::Queue"}
    short = []
    for function in packaging.functions(template):
        properties = template["Resources"][function]["Properties"]
        for event in properties.get("Events", {}).values():
            if event["Type"] == "SQS":
                queue = queues[resolver.resolve(event["Properties"]["Queue"])]
                if queue.get("VisibilityTimeout", 30) < 6 * properties["Timeout"]:
                    short.append(function)
    return short


@pytest.fixture(scope="session")
def packaged(tmp_path_factory):
    """stage -> the output of `make package STAGE=<stage> OUT=<tmp>`, built on first use."""
    built: dict[str, Packaged] = {}

    def build(stage: str) -> Packaged:
        if stage not in built:
            out = tmp_path_factory.mktemp(f"package-{stage}")
            result = make("package", f"STAGE={stage}", f"OUT={out}")
            assert result.returncode == 0, result.stdout + result.stderr
            built[stage] = Packaged(stage, out)
        return built[stage]

    return build


@pytest.fixture(params=deployable_stages())
def stage(request) -> str:
    return request.param

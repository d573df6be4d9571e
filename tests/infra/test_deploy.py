"""`make deploy STAGE=...` against a stand-in for the AWS CLI: it stops before building anything when
there are no credentials, and otherwise runs the documented sequence of commands."""
import json
import os
import shutil
import sys
from pathlib import Path

from tests.infra.conftest import make

FAKE_AWS = '''#!{python}
"""Stands in for the AWS CLI: logs its arguments, answers as AWS would for this account."""
import json, shutil, sys
args = sys.argv[1:]
with open({log!r}, "a") as log:
    log.write(json.dumps(args) + "\\n")
if {no_credentials!r} and args[:2] == ["sts", "get-caller-identity"]:
    print("Unable to locate credentials. You can configure credentials by running \\"aws configure\\".",
          file=sys.stderr)
    sys.exit(253)
if args[:2] == ["sts", "get-caller-identity"]:
    print(json.dumps({{"UserId": "AIDA", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/ops"}}))
elif args[:2] == ["s3api", "head-bucket"]:
    sys.exit(254)  # not there yet
elif args[:2] == ["cloudformation", "package"]:
    source = args[args.index("--template-file") + 1]
    shutil.copyfile(source, args[args.index("--output-template-file") + 1])
elif args[:2] == ["cloudformation", "describe-stacks"]:
    print(json.dumps([{{"OutputKey": "EndpointURL", "OutputValue": "https://abc.execute-api.eu-west-1.amazonaws.com/api/"}}]))
'''


def fake_aws(folder: Path, no_credentials: bool = False) -> Path:
    folder.mkdir(exist_ok=True)
    log = folder / "calls.jsonl"
    script = folder / "aws"
    script.write_text(FAKE_AWS.format(python=sys.executable, log=str(log), no_credentials=no_credentials))
    script.chmod(0o755)
    return log


def environment(path: str, **extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    return {**env, "PATH": path, **extra}


def test_without_credentials_it_stops_before_building_anything(tmp_path):
    log = fake_aws(tmp_path / "bin", no_credentials=True)
    out = tmp_path / "dist"
    result = make("deploy", "STAGE=prod", f"OUT={out}",
                  env=environment(f"{tmp_path / 'bin'}:{os.environ['PATH']}", AWS_REGION="eu-west-1"))
    assert result.returncode != 0
    assert "no usable AWS credentials" in result.stderr
    assert "Unable to locate credentials" in result.stderr
    assert not out.exists()
    assert [json.loads(line)[:2] for line in log.read_text().splitlines()] == [["sts", "get-caller-identity"]]


def test_without_the_aws_cli_it_says_how_to_get_it(tmp_path):
    # A PATH with make alone: an AWS CLI installed on this machine must not be found.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "make").symlink_to(shutil.which("make"))
    result = make("deploy", "STAGE=prod", f"OUT={tmp_path / 'dist'}", env=environment(str(tmp_path / "bin")))
    assert result.returncode != 0
    assert "the AWS CLI (aws) is not installed" in result.stderr


def test_deploy_needs_a_stage():
    result = make("deploy")
    assert result.returncode != 0
    assert "make deploy needs STAGE" in result.stderr


def test_a_deploy_packages_uploads_and_deploys_the_stack(tmp_path):
    log = fake_aws(tmp_path / "bin")
    out = tmp_path / "dist"
    result = make("deploy", "STAGE=prod", f"OUT={out}", "ALARM_EMAIL=ops@example.com",
                  env=environment(f"{tmp_path / 'bin'}:{os.environ['PATH']}", AWS_REGION="eu-west-1"))
    assert result.returncode == 0, result.stdout + result.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [call[:2] for call in calls] == [
        ["sts", "get-caller-identity"], ["s3api", "head-bucket"], ["s3api", "create-bucket"],
        ["s3api", "put-public-access-block"], ["cloudformation", "package"], ["cloudformation", "deploy"],
        ["cloudformation", "describe-stacks"]]
    bucket = "ticketry-artifacts-123456789012-eu-west-1"
    create = calls[2]
    assert create[create.index("--bucket") + 1] == bucket
    assert "LocationConstraint=eu-west-1" in create
    package = calls[4]
    assert package[package.index("--template-file") + 1] == str(out / "sam.json")
    assert package[package.index("--s3-bucket") + 1] == bucket
    deploy = calls[5]
    assert deploy[deploy.index("--stack-name") + 1] == "ticketry-prod"
    assert deploy[deploy.index("--template-file") + 1] == str(out / "packaged.json")
    assert deploy[deploy.index("--capabilities") + 1:][:2] == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    assert "AlarmEmail=ops@example.com" in deploy and deploy[deploy.index("--s3-bucket") + 1] == bucket
    assert "https://abc.execute-api.eu-west-1.amazonaws.com/api/" in result.stdout

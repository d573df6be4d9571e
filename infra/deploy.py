"""`make deploy STAGE=...`: packages the stage, uploads the package and deploys the stack
ticketry-<stage> with the AWS CLI, using the credentials and region of the environment.

    python -m infra.deploy --stage prod [--alarm-email ops@example.com] [--artifact-bucket NAME]

Credentials are checked first, so that nothing is built for an account that cannot be reached.
The package goes to an artifact bucket (by default ticketry-artifacts-<account>-<region>, created
private and encrypted when missing); `aws cloudformation package` names uploads by content, so an
unchanged package is not uploaded again and earlier ones stay available to roll back to.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from infra import package as packaging

CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")  # roles, and the SAM transform


class DeployError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", required=True)
    parser.add_argument("--out", type=Path, default=packaging.ROOT / "dist")
    parser.add_argument("--alarm-email", default="", help="address subscribed to the alarm topic")
    parser.add_argument("--artifact-bucket", help="bucket for uploaded packages (default: one per account and region)")
    args = parser.parse_args(argv)
    try:
        deploy(args.stage, args.out, args.alarm_email, args.artifact_bucket)
    except (DeployError, packaging.PackageError) as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 2
    return 0


def deploy(stage: str, out: Path, alarm_email: str = "", artifact_bucket: str | None = None) -> None:
    aws = AwsCli()
    account = aws.account()
    region = aws.region()
    stack = f"ticketry-{stage}"
    print(f"deploying {stack} to account {account} in {region}", flush=True)

    report = packaging.package(stage, out)
    print(f"packaged: {report.package} ({report.zip_bytes / 1e6:.1f} MB)", flush=True)

    bucket = artifact_bucket or f"ticketry-artifacts-{account}-{region}"
    aws.ensure_bucket(bucket, region)
    packaged = Path(report.template).with_name("packaged.json")
    aws.run("cloudformation", "package", "--template-file", report.template, "--s3-bucket", bucket,
            "--s3-prefix", stack, "--output-template-file", str(packaged), "--use-json")
    # An existing stack keeps the parameter values it is not given.
    overrides = ["--parameter-overrides", f"AlarmEmail={alarm_email}"] if alarm_email else []
    # Templates over 51,200 bytes (ours, with its API definition) must be read from S3.
    aws.run("cloudformation", "deploy", "--template-file", str(packaged), "--stack-name", stack,
            "--s3-bucket", bucket, "--s3-prefix", stack, "--capabilities", *CAPABILITIES, *overrides,
            "--tags", "app=ticketry", f"stage={stage}", "--no-fail-on-empty-changeset")
    outputs = aws.json("cloudformation", "describe-stacks", "--stack-name", stack,
                       "--query", "Stacks[0].Outputs")
    for output in sorted(outputs or [], key=lambda o: o["OutputKey"]):
        print(f"{output['OutputKey']:>34}  {output['OutputValue']}")


class AwsCli:
    def __init__(self):
        self.executable = shutil.which("aws")
        if self.executable is None:
            raise DeployError("the AWS CLI (aws) is not installed: see "
                              "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html")

    def account(self) -> str:
        result = self._call("sts", "get-caller-identity", "--output", "json")
        if result.returncode != 0:
            raise DeployError("no usable AWS credentials: sign in first (aws configure, aws sso login, or "
                              "AWS_PROFILE / AWS_ACCESS_KEY_ID in the environment).\n"
                              f"aws sts get-caller-identity said: {result.stderr.strip()}")
        return json.loads(result.stdout)["Account"]

    def region(self) -> str:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not region:
            result = self._call("configure", "get", "region")
            region = result.stdout.strip() if result.returncode == 0 else ""
        if not region:
            raise DeployError("no AWS region: set AWS_REGION or the profile's region (aws configure)")
        return region

    def ensure_bucket(self, bucket: str, region: str) -> None:
        if self._call("s3api", "head-bucket", "--bucket", bucket).returncode == 0:
            return
        print(f"creating the artifact bucket {bucket}", flush=True)
        location = [] if region == "us-east-1" else [
            "--create-bucket-configuration", f"LocationConstraint={region}"]
        self.run("s3api", "create-bucket", "--bucket", bucket, "--region", region, *location)
        self.run("s3api", "put-public-access-block", "--bucket", bucket, "--public-access-block-configuration",
                 "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")

    def run(self, *args: str) -> None:
        print("+ aws " + " ".join(args), flush=True)
        result = subprocess.run([self.executable, *args])
        if result.returncode != 0:
            raise DeployError(f"aws {args[0]} {args[1]} failed (exit {result.returncode})")

    def json(self, *args: str):
        result = self._call(*args, "--output", "json")
        if result.returncode != 0:
            raise DeployError(f"aws {args[0]} {args[1]} failed: {result.stderr.strip()}")
        return json.loads(result.stdout or "null")

    def _call(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([self.executable, *args], capture_output=True, text=True)


if __name__ == "__main__":
    sys.exit(main())

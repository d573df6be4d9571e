"""`make package`: one CloudFormation (SAM) template and one deployment package for a stage, built
without AWS credentials or access.

    python -m infra.package --stage prod --out dist

1. `chalice package` runs once, on a copy of the app without its requirements, to show which
   functions and event sources Chalice generates and under which logical ids (they follow the
   handlers' names, so they change as handlers are added).
2. The merge document is infra/resources.json (the data stores) + infra/app.json (alarms, API
   name, cursor key) + what those ids call for: each function's runtime, its settings as
   references to the resources, its log group and alarms, and the event-source settings Chalice
   cannot express (ReportBatchItemFailures, bisect on error, retry and age limits, a failure
   destination).
3. `chalice package --merge-template` writes sam.json into OUT.
4. deployment.zip is the app as Chalice packs it plus the dependencies installed for the Lambda
   runtime (manylinux wheels for its Python), less the distributions that runtime already provides
   (boto3, botocore and their dependencies), with every module compiled for it.

Settings that only exist once the stack does (a stream ARN, a queue URL, the bucket name with the
account id) are given placeholder values while Chalice imports app.py; every placeholder that
reaches the generated template is replaced by the matching Ref/GetAtt, and none may remain.
"""
import argparse
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from email.parser import Parser
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from chalicelib import config
from chalicelib.domain.oidc import ProviderSettingsInvalid, parse_providers
from chalicelib.local import provision

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
APP_TEMPLATE = INFRA / "app.json"
PACKAGE_ACCOUNT_ID = "000000000000"
PACKAGE_REGION = "us-east-1"

# Settings that name a resource of infra/app.json rather than of the data stores.
APP_SETTINGS = {
    # CloudFormation reads the generated secret at deploy time; the function never calls Secrets
    # Manager (no cold-start request, no permission).
    config.CURSOR_SIGNING_KEY: {"Fn::Sub": "{{resolve:secretsmanager:${CursorSigningKey}:SecretString}}"},
    config.SIGN_IN_SECRET: {"Fn::Sub": "{{resolve:secretsmanager:${SignInSecret}:SecretString}}"},
    config.REPLY_TOKEN_SECRET: {"Fn::Sub": "{{resolve:secretsmanager:${ReplyTokenSecret}:SecretString}}"},
}

# Lambda's defaults retry a failing batch until its records expire (24 h), holding up the shard.
# With these, a failing record is isolated by bisection, retried at most 10 times or for 6 hours,
# then its position goes to the stream-failures queue (whose depth raises an alarm).
STREAM_EVENT_SETTINGS = {
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 10,
    "MaximumRecordAgeInSeconds": 6 * 3600,
    "DestinationConfig": {"OnFailure": {"Type": "SQS",
                                        "Destination": {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}}},
}
# Only the messages a handler reports as failed come back; the others are deleted.
QUEUE_EVENT_SETTINGS = {"FunctionResponseTypes": ["ReportBatchItemFailures"]}

LOG_RETENTION_DAYS = 30
# Errors: an unhandled exception or a timeout (the API answers 502 then); one is worth a look, five
# in five minutes is an incident. Throttles: any, as they mean reserved concurrency is exhausted.
ERRORS_THRESHOLD = 5
ITERATOR_AGE_THRESHOLD_MS = 5 * 60 * 1000

# The functions' runtime, whatever Python packages them: Lambda stopped accepting updates of
# python3.11 functions on 31 August 2026; python3.12 runs on Amazon Linux 2023 until October 2028.
LAMBDA_PYTHON_VERSION = "3.12"
LAMBDA_RUNTIME = f"python{LAMBDA_PYTHON_VERSION}"
LAMBDA_PLATFORM = "manylinux2014_x86_64"

# What the Lambda Python runtimes ship (boto3 and everything it depends on): importing the
# runtime's copy costs nothing to upload and keeps the package small.
RUNTIME_PROVIDED = frozenset(canonicalize_name(name) for name in
                             ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"))

# Folders of chalicelib that only the local stack uses.
LOCAL_ONLY = ("chalicelib/local/",)


class PackageError(Exception):
    pass


@dataclass
class Report:
    stage: str
    template: str
    package: str
    runtime: str
    zip_bytes: int
    unzipped_bytes: int
    removed_distributions: list[str]
    removed_unzipped_bytes: int
    compiled: bool
    functions: list[str]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", required=True, help="a stage of .chalice/config.json other than local")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist)")
    args = parser.parse_args(argv)
    try:
        report = package(args.stage, args.out)
    except PackageError as error:
        print(f"package: {error}", file=sys.stderr)
        return 2
    print(f"{report.template}\n{report.package}: {report.zip_bytes / 1e6:.1f} MB zipped, "
          f"{report.unzipped_bytes / 1e6:.1f} MB unzipped, for {report.runtime}; left to the runtime: "
          f"{', '.join(report.removed_distributions)} ({report.removed_unzipped_bytes / 1e6:.1f} MB unzipped)")
    if not report.compiled:
        print(f"package: no Python {LAMBDA_PYTHON_VERSION} found to compile the modules with (set LAMBDA_PYTHON): "
              "cold starts will compile them instead", file=sys.stderr)
    return 0


def package(stage: str, out: Path, project_dir: Path = ROOT,
            snapshot: Callable[[str, Path], None] | None = None) -> Report:
    """Builds OUT/sam.json and OUT/deployment.zip. `snapshot(step, folder)` is shown the package's
    folder after each step of its assembly (the benchmarks compare them)."""
    if stage == "local":
        raise PackageError("the local stage runs on this machine (make run); package dev, prod or another stage")
    settings = stage_settings(project_dir, stage)
    placeholders = package_time_values(stage, settings)
    env = chalice_environment(placeholders)
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ticketry-package-") as scratch:
        scratch = Path(scratch)
        app_copy = copy_app(project_dir, scratch / "app")
        run_chalice(app_copy, stage, scratch / "probe", env)
        generated = json.loads((scratch / "probe" / "sam.json").read_text())
        merge = merge_document(stage, settings, generated, placeholders)
        merge_file = out / "merge-template.json"
        merge_file.write_text(json.dumps(merge, indent=2) + "\n")
        run_chalice(app_copy, stage, scratch / "packaged", env, merge_template=merge_file)
        template = json.loads((scratch / "packaged" / "sam.json").read_text())
        verify(template, placeholders)
        template_file = out / "sam.json"
        shutil.copyfile(scratch / "packaged" / "sam.json", template_file)
        assembly = assemble(scratch / "packaged" / "deployment.zip", project_dir, scratch / "package", snapshot)
        zip_file = out / "deployment.zip"
        write_zip(scratch / "package", zip_file)
    report = Report(stage=stage, template=str(template_file), package=str(zip_file), runtime=LAMBDA_RUNTIME,
                    zip_bytes=zip_file.stat().st_size, unzipped_bytes=unzipped_size(zip_file),
                    removed_distributions=assembly.removed, removed_unzipped_bytes=assembly.removed_bytes,
                    compiled=assembly.compiled, functions=functions(template))
    (out / "package.json").write_text(json.dumps(asdict(report), indent=2) + "\n")
    return report


# ---- settings ----------------------------------------------------------------------------------------

def stage_settings(project_dir: Path, stage: str) -> dict[str, str]:
    from chalice.cli.factory import CLIFactory

    chalice_config = json.loads((project_dir / ".chalice" / "config.json").read_text())
    if stage not in chalice_config["stages"]:
        raise PackageError(f"no stage {stage!r} in .chalice/config.json")
    pattern = provision.load_template()["Parameters"]["Stage"]["AllowedPattern"]
    if not re.fullmatch(pattern, stage):
        raise PackageError(f"a stage name must match {pattern} (it is part of resource names)")
    return dict(CLIFactory(project_dir=str(project_dir)).create_config_obj(chalice_stage_name=stage)
                .environment_variables)


def stack_settings() -> dict[str, dict]:
    """Every setting the stack provides, with the expression that yields it."""
    return {**provision.settings(), **APP_SETTINGS}


def package_time_values(stage: str, settings: dict[str, str]) -> dict[str, str]:
    """Stand-ins for the stack's settings that the stage does not name itself, as app.py may read
    them when Chalice imports it (a stream ARN for a stream handler, say)."""
    resolver = provision.Resolver(full_template(), stage, PACKAGE_ACCOUNT_ID, PACKAGE_REGION)
    values = {}
    for setting, expression in stack_settings().items():
        if setting in settings:
            continue
        if setting in APP_SETTINGS:
            values[setting] = f"set-by-the-stack-{setting.lower()}"
        else:
            values[setting] = resolver.resolve(expression)
    return values


def chalice_environment(placeholders: dict[str, str]) -> dict[str, str]:
    # The app's settings come from the stage and the placeholders only, not from this shell.
    env = {name: value for name, value in os.environ.items() if name not in app_setting_names()}
    env.update(placeholders)
    # Chalice wants a region to build the template; nothing is sent to AWS.
    env.setdefault("AWS_DEFAULT_REGION", PACKAGE_REGION)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def app_setting_names() -> set[str]:
    return {value for name, value in vars(config).items()
            if name.isupper() and isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", value)}


# ---- chalice -----------------------------------------------------------------------------------------

# Chalice's command line, run by this interpreter wherever its scripts were installed.
CHALICE = "import sys; from chalice.cli import main; sys.exit(main())"


def run_chalice(project_dir: Path, stage: str, out: Path, env: dict[str, str], merge_template: Path | None = None):
    command = [sys.executable, "-c", CHALICE, "--project-dir", str(project_dir), "package", "--stage", stage]
    if merge_template is not None:
        command += ["--merge-template", str(merge_template)]
    result = subprocess.run(command + [str(out)], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"chalice package failed:\n{result.stdout}{result.stderr}")


def copy_app(project_dir: Path, folder: Path) -> Path:
    """What Chalice needs to package the app, without requirements.txt (the dependencies are
    installed for the runtime's Python separately) and without the local stack."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    folder.mkdir(parents=True)
    shutil.copy2(project_dir / "app.py", folder / "app.py")
    for name in ("chalicelib", "vendor"):
        if (project_dir / name).is_dir():
            shutil.copytree(project_dir / name, folder / name, ignore=ignore)
    for local_only in LOCAL_ONLY:
        shutil.rmtree(folder / local_only, ignore_errors=True)
    (folder / ".chalice").mkdir()
    for path in (project_dir / ".chalice").glob("*.json"):
        shutil.copy2(path, folder / ".chalice" / path.name)
    return folder


def wheelhouse(project_dir: Path) -> Path:
    """Wheels for requirements.txt (and boto3, to stand in for the runtime's copy when the package is
    tried on this machine), built for the Lambda runtime: fetched from PyPI once per version of
    requirements.txt, then installed from here with no index."""
    requirements = project_dir / "requirements.txt"
    folder = project_dir / ".chalice" / "wheelhouse"
    contents = requirements.read_bytes() if requirements.exists() else b""
    digest = hashlib.sha256(contents + LAMBDA_RUNTIME.encode()).hexdigest()
    stamp = folder / "requirements.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    requested = (["-r", str(requirements)] if requirements.exists() else []) + ["boto3"]
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                             "--dest", str(folder), *runtime_wheels(), *requested], capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"could not fetch the dependencies into {folder} (this needs PyPI once):\n{result.stderr}")
    stamp.write_text(digest)
    return folder


def runtime_wheels() -> list[str]:
    """pip options that pick wheels for the Lambda runtime rather than for this machine."""
    version = LAMBDA_PYTHON_VERSION.replace(".", "")
    return ["--only-binary=:all:", "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
            "--python-version", LAMBDA_PYTHON_VERSION, "--abi", f"cp{version}"]


def pip_install(project_dir: Path, target: Path, *requested: str) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                             "--no-index", "--find-links", str(wheelhouse(project_dir)), "--no-compile",
                             "--target", str(target), *runtime_wheels(), *requested], capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"could not install {' '.join(requested)} for {LAMBDA_RUNTIME}:\n{result.stderr}")


def lambda_python() -> str | None:
    """An interpreter of the runtime's Python version: LAMBDA_PYTHON, python3.x on PATH, or pyenv's."""
    name = f"python{LAMBDA_PYTHON_VERSION}"
    candidates = [os.environ.get("LAMBDA_PYTHON"), shutil.which(name),
                  *sorted(map(str, (Path.home() / ".pyenv" / "versions").glob(f"{LAMBDA_PYTHON_VERSION}.*/bin/{name}")))]
    for candidate in filter(None, candidates):
        result = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip() == LAMBDA_PYTHON_VERSION:
            return candidate
    return None


# ---- the merge document ------------------------------------------------------------------------------

def full_template() -> dict:
    """infra/resources.json and infra/app.json as one document; a key defined twice is an error."""
    return combine(provision.load_template(), json.loads(APP_TEMPLATE.read_text()))


def combine(first: dict, second: dict) -> dict:
    combined = copy.deepcopy(first)
    for section, value in second.items():
        if isinstance(value, dict) and isinstance(combined.get(section), dict):
            for key, item in value.items():
                if key in combined[section]:
                    raise PackageError(f"{section}.{key} is defined twice")
                combined[section][key] = copy.deepcopy(item)
        else:
            combined[section] = copy.deepcopy(value)
    return combined


def merge_document(stage: str, settings: dict[str, str], generated: dict, placeholders: dict[str, str]) -> dict:
    merge = full_template()
    parameters = merge["Parameters"]
    # The template is built for one stage: its names are the ones its settings were checked against.
    parameters["Stage"].update({"Default": stage, "AllowedValues": [stage]})
    origin = public_origin(settings)
    parameters["PublicOrigin"].update({"Default": origin, "AllowedValues": [origin]})
    # The stage's INBOUND_DOMAIN decides whether SES receives mail for it (the receipt rule set).
    inbound = settings.get(config.INBOUND_DOMAIN, "").strip().lower()
    parameters["InboundDomain"].update({"Default": inbound, "AllowedValues": [inbound]})
    by_placeholder = {value: stack_settings()[setting] for setting, value in placeholders.items()}
    resources = merge["Resources"]
    resources.update(secret_grants(generated, secret_arns(settings)))
    for logical_id in functions(generated):
        function = generated["Resources"][logical_id]
        patch = {"Runtime": LAMBDA_RUNTIME, "Environment": {"Variables": stack_settings()},
                 "LoggingConfig": {"LogGroup": {"Ref": f"{logical_id}LogGroup"}}}
        events = {}
        for event_id, event in function["Properties"].get("Events", {}).items():
            properties = replace_placeholders(event["Properties"], by_placeholder)
            if event["Type"] == "DynamoDB":
                properties.update(copy.deepcopy(STREAM_EVENT_SETTINGS))
                resources.update(alarm(f"{logical_id}IteratorAgeAlarm", logical_id, "IteratorAge", "Maximum",
                                       period=60, evaluation_periods=3, threshold=ITERATOR_AGE_THRESHOLD_MS,
                                       description="Its stream is more than 5 minutes behind for 3 minutes."))
            elif event["Type"] == "SQS":
                properties.update(copy.deepcopy(QUEUE_EVENT_SETTINGS))
            if properties != event["Properties"]:
                events[event_id] = {"Properties": properties}
        if events:
            patch["Events"] = events
        resources[logical_id] = {"Properties": patch}
        resources[f"{logical_id}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Sub": f"/aws/lambda/${{AWS::StackName}}-{logical_id}"},
                           "RetentionInDays": LOG_RETENTION_DAYS},
        }
        resources.update(alarm(f"{logical_id}ErrorsAlarm", logical_id, "Errors", "Sum", period=300,
                               evaluation_periods=1, threshold=ERRORS_THRESHOLD,
                               description="Unhandled errors or timeouts: 5 or more in 5 minutes."))
        resources.update(alarm(f"{logical_id}ThrottlesAlarm", logical_id, "Throttles", "Sum", period=300,
                               evaluation_periods=1, threshold=1,
                               description="Invocations refused: its reserved concurrency is used up."))
    return merge


def secret_arns(settings: dict[str, str]) -> list[str]:
    """The Secrets Manager secrets the stage's settings name: its OIDC providers' client secrets.
    Settings that cannot work stop the package, naming what is wrong."""
    try:
        providers = parse_providers(settings.get(config.OIDC_PROVIDERS) or "[]")
    except ProviderSettingsInvalid as error:
        raise PackageError(f"the stage's {error}") from None
    return sorted({provider.client_secret_arn for provider in providers if provider.client_secret_arn})


def secret_grants(generated: dict, arns: list[str]) -> dict:
    """The functions' role may read those secrets and no other: the stage's policy file is shared
    by every deployment of the stage, the secrets are each deployment's own."""
    if not arns:
        return {}
    patches = {}
    for logical_id, resource in generated["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        policies = copy.deepcopy(resource["Properties"]["Policies"])
        policies[0]["PolicyDocument"]["Statement"].append(
            {"Sid": "OidcClientSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arns})
        patches[logical_id] = {"Properties": {"Policies": policies}}
    return patches


def public_origin(settings: dict[str, str]) -> str:
    url = urlparse(settings.get(config.PUBLIC_URL, ""))
    if not url.scheme or not url.netloc:
        raise PackageError(f"the stage needs {config.PUBLIC_URL} (the API's public address)")
    return f"{url.scheme}://{url.netloc}"


def functions(template: dict) -> list[str]:
    return sorted(logical_id for logical_id, resource in template["Resources"].items()
                  if resource.get("Type") == "AWS::Serverless::Function")


def replace_placeholders(value, by_placeholder: dict[str, dict]):
    if isinstance(value, str):
        return copy.deepcopy(by_placeholder.get(value, value))
    if isinstance(value, list):
        return [replace_placeholders(item, by_placeholder) for item in value]
    if isinstance(value, dict):
        return {key: replace_placeholders(item, by_placeholder) for key, item in value.items()}
    return value


def alarm(alarm_id: str, function_id: str, metric: str, statistic: str, *, period: int,
          evaluation_periods: int, threshold: int, description: str) -> dict:
    return {alarm_id: {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": {"Fn::Sub": f"${{AWS::StackName}}-{function_id}-{metric}"},
            "AlarmDescription": f"{function_id}: {description}",
            "Namespace": "AWS/Lambda",
            "MetricName": metric,
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function_id}}],
            "Statistic": statistic,
            "Period": period,
            "EvaluationPeriods": evaluation_periods,
            "Threshold": threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }}


def verify(template: dict, placeholders: dict[str, str]) -> None:
    """A merge-document entry whose logical id Chalice did not generate would be a resource without
    a type; a placeholder left in the template would point a function at nothing."""
    untyped = sorted(logical_id for logical_id, resource in template["Resources"].items() if "Type" not in resource)
    if untyped:
        raise PackageError(f"the merge document patches resources Chalice did not generate: {', '.join(untyped)}")
    text = json.dumps(template)
    left = sorted(setting for setting, value in placeholders.items() if json.dumps(value)[1:-1] in text)
    if left:
        raise PackageError(f"package-time values of {', '.join(left)} reached the template where no "
                           "reference replaces them")


# ---- the deployment package --------------------------------------------------------------------------

@dataclass
class Assembly:
    removed: list[str]
    removed_bytes: int
    compiled: bool


def assemble(app_zip: Path, project_dir: Path, folder: Path,
             snapshot: Callable[[str, Path], None] | None = None) -> Assembly:
    """The package's files in `folder`: the app as Chalice packed it, the dependencies for the
    runtime less what the runtime provides, and the bytecode.

    Lambda's /var/task is read-only, so Python cannot cache the bytecode it compiles there: without
    .pyc files every cold start compiles pydantic, pynamodb and the app from source again.
    Unchecked hash-based .pyc files (PEP 552) are used as they are, with no timestamp to compare."""
    folder.mkdir(parents=True)
    if (project_dir / "requirements.txt").exists():
        pip_install(project_dir, folder, "-r", str(project_dir / "requirements.txt"))
    with zipfile.ZipFile(app_zip) as archive:
        archive.extractall(folder)
    if snapshot:
        snapshot("all dependencies", folder)
    removed, removed_bytes = remove_runtime_provided(folder)
    if snapshot:
        snapshot("without what the runtime provides", folder)
    python = lambda_python()
    if python is not None:
        result = subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode",
                                 "unchecked-hash", str(folder)], capture_output=True, text=True)
        if result.returncode != 0:
            raise PackageError(f"compiling the package for {LAMBDA_RUNTIME} failed:\n{result.stdout}{result.stderr}")
    return Assembly(removed, removed_bytes, compiled=python is not None)


def remove_runtime_provided(folder: Path) -> tuple[list[str], int]:
    """Deletes every file of the distributions the runtime provides, as each one's RECORD lists them;
    returns their names and size. Refuses if a remaining distribution needs a version of one that a
    runtime might not have."""
    dists = {}
    for metadata_file in folder.glob("*.dist-info/METADATA"):
        metadata = Parser().parsestr(metadata_file.read_text())
        dists[canonicalize_name(metadata["Name"])] = (metadata_file.parent, metadata)
    removed = sorted(set(dists) & RUNTIME_PROVIDED)
    check_runtime_requirements(dists, removed)
    size = 0
    for dist in removed:
        dist_info = dists[dist][0]
        for line in (dist_info / "RECORD").read_text().splitlines():
            path = folder / line.rsplit(",", 2)[0]
            if path.is_file():
                size += path.stat().st_size
                path.unlink()
        shutil.rmtree(dist_info, ignore_errors=True)
    for directory in sorted((d for d in folder.rglob("*") if d.is_dir()), key=lambda d: -len(d.parts)):
        if not any(directory.iterdir()):
            directory.rmdir()
    return removed, size


def check_runtime_requirements(dists: dict, removed: list[str]) -> None:
    """A remaining distribution may need a version of a removed one that a runtime lacks: only lower
    bounds are safe, since every runtime's copy is recent."""
    for dist, (_, metadata) in dists.items():
        if dist in removed:
            continue
        for line in metadata.get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            if canonicalize_name(requirement.name) in RUNTIME_PROVIDED and any(
                    spec.operator not in (">=", ">", "!=") for spec in requirement.specifier):
                raise PackageError(f"{dist} requires {requirement}: the runtime's copy may not satisfy it")


def write_zip(folder: Path, zip_file: Path) -> None:
    """Same files, same zip: fixed dates and modes and a sorted order, so that an unchanged package
    is recognised (and not uploaded again) by its content."""
    with zipfile.ZipFile(zip_file, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def unzipped_size(zip_file: Path) -> int:
    with zipfile.ZipFile(zip_file) as archive:
        return sum(info.file_size for info in archive.infolist())


if __name__ == "__main__":
    sys.exit(main())

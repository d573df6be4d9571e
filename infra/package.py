"""`make package`: one CloudFormation (SAM) template and one deployment package for a stage, built
without AWS credentials or access.

    python -m infra.package --stage prod --out dist

1. `chalice package` runs once to show which functions and event sources Chalice generates and
   under which logical ids (they follow the handlers' names, so they change as handlers are added).
2. The merge document is infra/resources.json (the data stores) + infra/app.json (alarms, API
   name, cursor key) + what those ids call for: each function's settings as references to the
   resources, its log group and alarms, and the event-source settings Chalice cannot express
   (ReportBatchItemFailures, bisect on error, retry and age limits, a failure destination).
3. `chalice package --merge-template` writes sam.json and deployment.zip into OUT.
4. deployment.zip loses the distributions the Lambda Python runtime already provides (boto3,
   botocore and their dependencies) and the local stack, and gains compiled bytecode.

Settings that only exist once the stack does (a stream ARN, a queue URL, the bucket name with the
account id) are given placeholder values while Chalice imports app.py; every placeholder that
reaches the generated template is replaced by the matching Ref/GetAtt, and none may remain.
"""
import argparse
import copy
import hashlib
import importlib.util
import json
import marshal
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
from urllib.parse import urlparse

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from chalicelib import config
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

# What the Lambda Python runtimes ship (boto3 and everything it depends on): importing the
# runtime's copy costs nothing to upload and keeps the package small.
RUNTIME_PROVIDED = frozenset(canonicalize_name(name) for name in
                             ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"))


class PackageError(Exception):
    pass


@dataclass
class Report:
    stage: str
    template: str
    package: str
    zip_bytes_before: int
    zip_bytes_after: int
    unzipped_bytes_after: int
    removed_distributions: list[str]
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
    print(f"{report.template}\n{report.package}: {report.zip_bytes_after / 1e6:.1f} MB zipped "
          f"({report.zip_bytes_before / 1e6:.1f} MB before removing {', '.join(report.removed_distributions)})")
    return 0


def package(stage: str, out: Path, project_dir: Path = ROOT, keep_chalice_zip: bool = False) -> Report:
    """Builds OUT/sam.json and OUT/deployment.zip (and OUT/chalice-deployment.zip, the package as
    Chalice made it, if asked: the benchmarks compare the two)."""
    if stage == "local":
        raise PackageError("the local stage runs on this machine (make run); package dev, prod or another stage")
    settings = stage_settings(project_dir, stage)
    placeholders = package_time_values(stage, settings)
    env = chalice_environment(project_dir, placeholders)
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ticketry-package-") as scratch:
        probe = Path(scratch) / "probe"
        run_chalice(project_dir, stage, probe, env)
        generated = json.loads((probe / "sam.json").read_text())
        merge = merge_document(stage, settings, generated, placeholders)
        merge_file = out / "merge-template.json"
        merge_file.write_text(json.dumps(merge, indent=2) + "\n")
        run_chalice(project_dir, stage, out, env, merge_template=merge_file)
    prune_chalice_cache(project_dir)
    template_file = out / "sam.json"
    template = json.loads(template_file.read_text())
    verify(template, placeholders)
    zip_file = out / "deployment.zip"
    before = zip_file.stat().st_size
    if keep_chalice_zip:
        shutil.copyfile(zip_file, out / "chalice-deployment.zip")
    removed = finish_package(zip_file, runtime(template))
    report = Report(stage=stage, template=str(template_file), package=str(zip_file), zip_bytes_before=before,
                    zip_bytes_after=zip_file.stat().st_size, unzipped_bytes_after=unzipped_size(zip_file),
                    removed_distributions=removed, functions=functions(template))
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


def chalice_environment(project_dir: Path, placeholders: dict[str, str]) -> dict[str, str]:
    # The app's settings come from the stage and the placeholders only, not from this shell.
    env = {name: value for name, value in os.environ.items() if name not in app_setting_names()}
    env.update(placeholders)
    # Chalice wants a region to build the template; nothing is sent to AWS.
    env.setdefault("AWS_DEFAULT_REGION", PACKAGE_REGION)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    # Dependencies come from the wheelhouse, so that packaging needs no network once it is filled.
    env["PIP_NO_INDEX"] = "1"
    env["PIP_FIND_LINKS"] = str(wheelhouse(project_dir))
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


def prune_chalice_cache(project_dir: Path, keep: int = 3) -> None:
    """Chalice caches one zip of about 20 MB per version of the code and never removes any."""
    cached = sorted((project_dir / ".chalice" / "deployments").glob("*.zip"), key=lambda path: path.stat().st_mtime)
    for path in cached[:-keep]:
        path.unlink(missing_ok=True)


def wheelhouse(project_dir: Path) -> Path:
    """Wheels for requirements.txt, for this machine and for Lambda (manylinux, this Python), fetched
    once per version of requirements.txt; Chalice's pip then installs from here with no index."""
    requirements = project_dir / "requirements.txt"
    folder = project_dir / ".chalice" / "wheelhouse"
    digest = hashlib.sha256(requirements.read_bytes() if requirements.exists() else b"").hexdigest()
    stamp = folder / "requirements.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    if requirements.exists():
        version = f"{sys.version_info.major}{sys.version_info.minor}"
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(folder), "-r", str(requirements)]
        for extra in ([], ["--only-binary=:all:", "--platform", "manylinux2014_x86_64", "--implementation", "cp",
                           "--python-version", version, "--abi", f"cp{version}"]):
            result = subprocess.run(pip + extra, capture_output=True, text=True)
            if result.returncode != 0:
                raise PackageError(f"could not fetch the dependencies into {folder} (needs PyPI once):\n"
                                   f"{result.stderr}")
    stamp.write_text(digest)
    return folder


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
    by_placeholder = {value: stack_settings()[setting] for setting, value in placeholders.items()}
    resources = merge["Resources"]
    for logical_id in functions(generated):
        function = generated["Resources"][logical_id]
        patch = {"Environment": {"Variables": stack_settings()},
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


def public_origin(settings: dict[str, str]) -> str:
    url = urlparse(settings.get(config.PUBLIC_URL, ""))
    if not url.scheme or not url.netloc:
        raise PackageError(f"the stage needs {config.PUBLIC_URL} (the API's public address)")
    return f"{url.scheme}://{url.netloc}"


def runtime(template: dict) -> str:
    return template["Resources"][functions(template)[0]]["Properties"]["Runtime"]


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

def finish_package(zip_file: Path, runtime: str, compile_modules: bool = True) -> list[str]:
    """Rewrites the zip: without the distributions the runtime provides (every file each one's
    RECORD lists), without the local stack and stray __pycache__ folders, and with every module
    compiled. Returns the distributions removed.

    Lambda's /var/task is read-only, so Python cannot cache the bytecode it compiles: without .pyc
    files every cold start compiles pydantic, pynamodb and the app from source again. Unchecked
    hash-based .pyc files (PEP 552) are used as they are, with no timestamp to compare."""
    expected = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime != expected:
        raise PackageError(f"the functions run {runtime} but this is {expected}: the bytecode would not match")
    with zipfile.ZipFile(zip_file) as source:
        names = set(source.namelist())
        dists = {}
        for name in names:
            if name.count("/") == 1 and name.endswith(".dist-info/METADATA"):
                metadata = Parser().parsestr(source.read(name).decode())
                dists[canonicalize_name(metadata["Name"])] = (name.rsplit("/", 1)[0], metadata)
        removed = sorted(set(dists) & RUNTIME_PROVIDED)
        drop = {name for name in names if "__pycache__/" in name or name.startswith(LOCAL_ONLY)}
        for dist in removed:
            folder = dists[dist][0]
            record = source.read(f"{folder}/RECORD").decode().splitlines()
            drop.update(line.rsplit(",", 2)[0] for line in record if line)
            drop.update(name for name in names if name.startswith(folder + "/"))
        check_runtime_requirements(dists, removed)
        rewritten = zip_file.with_suffix(".rewritten.zip")
        with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename in drop:
                    continue
                data = source.read(info.filename)
                target.writestr(info, data)
                if compile_modules and info.filename.endswith(".py"):
                    compiled = bytecode(data, info.filename)
                    if compiled is not None:
                        pyc = zipfile.ZipInfo(importlib.util.cache_from_source(info.filename), info.date_time)
                        pyc.external_attr = info.external_attr
                        target.writestr(pyc, compiled, zipfile.ZIP_DEFLATED)
    rewritten.replace(zip_file)
    return removed


# Folders of chalicelib that only the local stack uses.
LOCAL_ONLY = ("chalicelib/local/",)


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


def bytecode(source: bytes, filename: str) -> bytes | None:
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None  # Python would not import it either
    flags = 0b01  # hash-based, source not checked
    return (importlib.util.MAGIC_NUMBER + flags.to_bytes(4, "little") + importlib.util.source_hash(source)
            + marshal.dumps(code))


def unzipped_size(zip_file: Path) -> int:
    with zipfile.ZipFile(zip_file) as archive:
        return sum(info.file_size for info in archive.infolist())


if __name__ == "__main__":
    sys.exit(main())

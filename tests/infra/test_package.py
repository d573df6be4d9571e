"""`make package`: a template CloudFormation accepts (cfn-lint) and a package that runs on its own."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bench import coldstart
from chalicelib import config
from chalicelib.local import provision
from infra import package as packaging
from tests.infra.conftest import ROOT, chalice_config, make, short_visibility_timeouts

# cfn-lint findings accepted, each with the reason; none so far. Errors are never accepted.
ACCEPTED_WARNINGS: dict[str, str] = {}


def cfn_lint(template: Path) -> list[dict]:
    """cfn-lint's findings; its exit code is a bit mask of their levels, so only crashes are checked."""
    result = subprocess.run([sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
                             "--format", "json", "--", str(template)], capture_output=True, text=True, cwd=template.parent)
    assert result.returncode < 16 and not result.stderr, result.stderr
    return json.loads(result.stdout or "[]")


def unexpected(findings: list[dict]) -> list[str]:
    return [f"{f['Rule']['Id']} {f['Location']['Path']}: {f['Message']}" for f in findings
            if f["Level"] == "Error" or f["Rule"]["Id"] not in ACCEPTED_WARNINGS]


def test_make_package_writes_the_template_and_the_package(packaged, stage):
    out = packaged(stage).out
    for name in ("sam.json", "deployment.zip", "merge-template.json", "package.json"):
        assert (out / name).is_file(), name
    assert packaged(stage).template["Parameters"]["Stage"]["AllowedValues"] == [stage]


def test_cfn_lint_accepts_the_merged_template(packaged, stage):
    assert unexpected(cfn_lint(packaged(stage).out / "sam.json")) == []


def test_cfn_lint_accepts_the_data_stores_alone():
    assert unexpected(cfn_lint(provision.TEMPLATE)) == []


def test_the_package_leaves_out_what_the_lambda_runtime_provides(packaged, stage):
    with zipfile.ZipFile(packaged(stage).zip) as archive:
        names = archive.namelist()
    tops = {name.split("/")[0] for name in names}
    for provided in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py"):
        assert provided not in tops
    assert not [top for top in tops if top.endswith(".dist-info") and top.split("-")[0].lower().replace("_", "-")
                in packaging.RUNTIME_PROVIDED]
    assert {"app.py", "chalicelib", "pynamodb", "pydantic", "pydantic_core", "chalice"} <= tops
    assert not [name for name in names if name.startswith(packaging.LOCAL_ONLY)]
    report = packaged(stage).report
    # botocore alone is over 20 MB unzipped: what the runtime provides really is left out.
    assert report["removed_unzipped_bytes"] > 20_000_000
    assert "botocore" in report["removed_distributions"]
    assert set(report["removed_distributions"]) <= packaging.RUNTIME_PROVIDED


X86_64 = (0x3E).to_bytes(2, "little")  # ELF e_machine of x86-64


def test_the_functions_run_the_runtime_the_package_is_built_for(packaged, stage):
    template = packaged(stage).template
    assert {template["Resources"][f]["Properties"]["Runtime"] for f in packaging.functions(template)} == {
        packaging.LAMBDA_RUNTIME}
    # Managed runtimes AWS keeps on a release with the email fix for CVE-2024-6923 (docs/deploy.md).
    assert packaging.LAMBDA_RUNTIME in {"python3.12", "python3.13"}
    tag = packaging.LAMBDA_PYTHON_VERSION.replace(".", "")
    with zipfile.ZipFile(packaged(stage).zip) as archive:
        binaries = {name: archive.read(name)[:20] for name in archive.namelist() if name.endswith(".so")}
    # A stable-ABI extension (`.abi3.so`, as cryptography ships) loads in any later CPython; every
    # other one must be built for the runtime's. Either way it must be an x86-64 ELF object.
    assert binaries
    assert [name for name in binaries
            if not name.endswith(".abi3.so") and f".cpython-{tag}-x86_64-linux-gnu.so" not in name] == []
    assert [name for name, head in binaries.items() if head[:4] != b"\x7fELF" or head[18:20] != X86_64] == []


def test_every_module_in_the_package_comes_compiled(packaged, stage):
    if not packaged(stage).report["compiled"]:
        pytest.skip(f"no Python {packaging.LAMBDA_PYTHON_VERSION} on this machine to compile with")
    with zipfile.ZipFile(packaged(stage).zip) as archive:
        names = set(archive.namelist())
    tag = packaging.LAMBDA_PYTHON_VERSION.replace(".", "")

    def compiled(name: str) -> str:
        folder, _, file = name.rpartition("/")
        return f"{folder}/__pycache__/{file[:-3]}.cpython-{tag}.pyc".lstrip("/")

    assert [name for name in names if name.endswith(".py") and compiled(name) not in names] == []


API_REQUEST = {  # what API Gateway hands the function for GET /v1/ce/openapi.json
    "resource": "/v1/ce/openapi.json", "path": "/v1/ce/openapi.json", "httpMethod": "GET",
    "headers": {"Accept": "application/json"}, "multiValueHeaders": {"Accept": ["application/json"]},
    "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
    "stageVariables": None, "body": None, "isBase64Encoded": False,
    "requestContext": {"resourcePath": "/v1/ce/openapi.json", "httpMethod": "GET", "path": "/api/v1/ce/openapi.json",
                       "stage": "api", "requestId": "r-1", "identity": {"sourceIp": "203.0.113.1"}},
}


def test_the_function_answers_from_the_unzipped_package_on_the_runtimes_python(packaged, stage, tmp_path):
    """Only the package and what the runtime provides (boto3 and botocore of a stand-in), on the
    runtime's Python: the app imports, and its handler answers an API Gateway request."""
    python = packaging.lambda_python()
    if python is None:
        pytest.skip(f"no Python {packaging.LAMBDA_PYTHON_VERSION} on this machine")
    with zipfile.ZipFile(packaged(stage).zip) as archive:
        archive.extractall(tmp_path)
    probe = ("import json, sys, app, chalicelib, pydantic, botocore\n"
             "response = app.app(json.loads(sys.argv[1]), None)\n"
             "print(response['statusCode'], json.loads(response['body'])['openapi'], len(app.app.routes))\n"
             "print(chalicelib.__file__, pydantic.__file__, botocore.__file__)")
    result = subprocess.run([python, "-S", "-c", probe, json.dumps(API_REQUEST)], cwd=tmp_path,
                            env=coldstart.environment(stage), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    status, openapi, routes, chalicelib_file, pydantic_file, botocore_file = result.stdout.split()
    assert (status, openapi[0]) == ("200", "3") and int(routes) > 10
    assert Path(chalicelib_file).is_relative_to(tmp_path) and Path(pydantic_file).is_relative_to(tmp_path)
    assert not Path(botocore_file).is_relative_to(tmp_path)


def test_every_function_gets_the_stack_settings_as_references(packaged, stage):
    template = packaged(stage).template
    for logical_id in packaging.functions(template):
        variables = template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
        for setting, expression in packaging.stack_settings().items():
            assert variables[setting] == expression, (logical_id, setting)
        assert variables[config.PUBLIC_URL].startswith("https://")
        assert template["Resources"][logical_id]["Properties"]["LoggingConfig"] == {
            "LogGroup": {"Ref": f"{logical_id}LogGroup"}}


def test_the_secrets_are_generated_by_the_stack_and_read_by_it_at_deploy_time(packaged, stage):
    """The cursor key, the sign-in secret and the reply-token secret: generated secrets the
    functions get as dynamic references, resolved by CloudFormation (no Secrets Manager call at
    cold start)."""
    template = packaged(stage).template
    for setting, logical_id in ((config.CURSOR_SIGNING_KEY, "CursorSigningKey"), (config.SIGN_IN_SECRET, "SignInSecret"),
                                (config.REPLY_TOKEN_SECRET, "ReplyTokenSecret")):
        secret = template["Resources"][logical_id]
        assert secret["Type"] == "AWS::SecretsManager::Secret"
        assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
        for function in packaging.functions(template):
            variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
            assert variables[setting] == {"Fn::Sub": f"{{{{resolve:secretsmanager:${{{logical_id}}}:SecretString}}}}"}


SIZING_PROPERTIES = {"lambda_memory_size": "MemorySize", "lambda_timeout": "Timeout",
                     "reserved_concurrency": "ReservedConcurrentExecutions"}


def test_every_function_is_sized_as_configured(packaged, stage):
    resources = packaged(stage).template["Resources"]
    configured = chalice_config()["stages"][stage]["lambda_functions"]
    assert {"api_handler", "tickets_stream", "webhook_deliveries"} <= set(configured)
    for name, sizing in configured.items():
        logical_id = "APIHandler" if name == "api_handler" else name.title().replace("_", "")
        properties = resources[logical_id]["Properties"]
        assert {key: properties.get(SIZING_PROPERTIES[key]) for key in sizing} == sizing, name


def test_queues_outlast_their_consumers_timeouts(packaged, stage):
    assert short_visibility_timeouts(packaged(stage).template, stage) == []


def test_packaging_the_local_stage_is_refused():
    result = make("package", "STAGE=local", "OUT=/nonexistent")
    assert result.returncode != 0
    assert "the local stage runs on this machine" in result.stderr


@pytest.mark.parametrize("value", ["", "not a url"])
def test_a_stage_without_a_public_url_is_refused(value):
    with pytest.raises(packaging.PackageError, match="PUBLIC_URL"):
        packaging.public_origin({config.PUBLIC_URL: value})


def test_a_key_defined_in_both_infra_files_is_refused():
    with pytest.raises(packaging.PackageError, match="Resources.TicketsTable is defined twice"):
        packaging.combine({"Resources": {"TicketsTable": {}}}, {"Resources": {"TicketsTable": {}}})

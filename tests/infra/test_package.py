"""`make package`: a template CloudFormation accepts (cfn-lint) and a package that runs on its own."""
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chalicelib import config
from chalicelib.local import provision
from infra import package as packaging
from tests.infra.conftest import ROOT, make

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
    assert report["zip_bytes_after"] < report["zip_bytes_before"] / 3
    assert "botocore" in report["removed_distributions"]
    assert set(report["removed_distributions"]) <= packaging.RUNTIME_PROVIDED


def test_every_module_in_the_package_comes_compiled(packaged, stage):
    with zipfile.ZipFile(packaged(stage).zip) as archive:
        names = set(archive.namelist())
    assert [name for name in names if name.endswith(".py") and importlib.util.cache_from_source(name) not in names] == []


def test_the_app_imports_from_the_unzipped_package_alone(packaged, stage, tmp_path):
    """Only the package and what the runtime provides: boto3/botocore from this interpreter, as
    Lambda's own; nothing from the project folder."""
    with zipfile.ZipFile(packaged(stage).zip) as archive:
        archive.extractall(tmp_path)
    settings = packaging.stage_settings(ROOT, stage)
    env = {"PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "1",
           **settings, **packaging.package_time_values(stage, settings)}
    probe = ("import app, chalicelib, pydantic, botocore; "
             "print(len(app.app.routes), chalicelib.__file__, pydantic.__file__, botocore.__file__)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    routes, chalicelib_file, pydantic_file, botocore_file = result.stdout.split()
    assert int(routes) > 10
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


def test_the_api_function_is_sized_as_configured(packaged, stage):
    chalice_config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    sizing = chalice_config["stages"][stage]["lambda_functions"]["api_handler"]
    handler = packaged(stage).template["Resources"]["APIHandler"]["Properties"]
    assert (handler["MemorySize"], handler["Timeout"], handler["ReservedConcurrentExecutions"]) == (
        sizing["lambda_memory_size"], sizing["lambda_timeout"], sizing["reserved_concurrency"])


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

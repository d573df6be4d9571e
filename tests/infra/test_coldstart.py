"""bench.coldstart, the cold-start measurement of docs/benchmarks.md, on a packaged stage."""
import pytest

from bench import coldstart
from infra import package as packaging

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       200 |        200 | _io
import time:      1000 |       1000 |     pydantic_core._pydantic_core
import time:       500 |       1500 |   pydantic_core
import time:      3000 |       4500 | pydantic
import time:       700 |        700 |     pydantic.main
import time:       300 |       1000 |   chalicelib.api
import time:       100 |       1100 | app
"""


def test_importtime_output_gives_the_apps_total_and_its_packages():
    total, packages = coldstart.parse_importtime(IMPORTTIME)
    assert total == 1.1
    assert dict(packages) == {"pydantic": 0.7, "chalicelib": 0.3, "app": 0.1}


def test_measures_an_unzipped_package(packaged, tmp_path):
    python = packaging.lambda_python()
    if python is None:
        pytest.skip(f"no Python {packaging.LAMBDA_PYTHON_VERSION} on this machine")
    built = packaged("prod")
    (measure,) = coldstart.measure_all([("make package", built.zip)], tmp_path, python,
                                       coldstart.environment("prod"), runs=1)
    assert measure.zipped == built.zip.stat().st_size
    assert measure.import_ms[0] > 0 and measure.cpu_ms[0] > 0
    assert dict(measure.top)["chalicelib"] > 0

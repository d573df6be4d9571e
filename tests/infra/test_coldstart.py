"""bench.coldstart, the cold-start measurement of docs/benchmarks.md, on a packaged stage."""
from bench import coldstart

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
    built = packaged("prod")
    environment = coldstart._environment("prod")
    (measure,) = coldstart.measure_all([("make package", built.zip)], tmp_path, environment, runs=1)
    assert measure.zipped == built.zip.stat().st_size
    assert measure.import_ms[0] > 0 and measure.cpu_ms[0] > 0
    assert dict(measure.top)["chalicelib"] > 0

"""Cold start: the deployment package's size and the time Python takes to import the app from it.

    python -m bench.coldstart --stage prod --runs 20

Builds the stage's package (infra/package.py) and compares three packages: as `chalice package`
makes it, without the distributions the Lambda runtime provides, and as `make package` ships it
(also with compiled bytecode). Each is unzipped and `python -X importtime -c "import app"` runs in a
fresh process per run, from the unzipped folder, with bytecode writing off: Lambda's /var/task is
read-only, so whatever the package does not bring compiled is compiled again at every cold start.
boto3 and botocore come from this interpreter's site-packages, compiled, as the runtime's do.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from infra import package as packaging

# CPU time tells more than wall time on a busy machine, and Lambda hands out CPU by memory size.
TIMED_IMPORT = "import time; start = time.process_time(); import app; print(time.process_time() - start)"
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass
class Measure:
    name: str
    zipped: int
    unzipped: int
    import_ms: list[float]
    cpu_ms: list[float]
    top: list[tuple[str, float]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ticketry-coldstart-") as scratch:
        scratch = Path(scratch)
        report = packaging.package(args.stage, scratch / "out", keep_chalice_zip=True)
        chalice_zip = scratch / "out" / "chalice-deployment.zip"
        without_runtime = scratch / "without-runtime.zip"
        shutil.copyfile(chalice_zip, without_runtime)
        packaging.finish_package(without_runtime, packaging.runtime(_template(report)), compile_modules=False)
        environment = _environment(args.stage)
        variants = [("chalice package", chalice_zip), ("without what the runtime provides", without_runtime),
                    ("make package (also compiled)", Path(report.package))]
        measures = measure_all(variants, scratch, environment, args.runs)
    print(render(measures, args.runs))
    return 0


def measure_all(variants: list[tuple[str, Path]], scratch: Path, environment: dict[str, str],
                runs: int) -> list[Measure]:
    """Runs the packages in turn, run after run, so that a busy spell of the machine hits them alike."""
    measures, folders = [], []
    for index, (name, package) in enumerate(variants):
        folder = scratch / f"unzipped-{index}"
        with zipfile.ZipFile(package) as archive:
            archive.extractall(folder)
            unzipped = sum(info.file_size for info in archive.infolist())
        measures.append(Measure(name, package.stat().st_size, unzipped, [], [], []))
        folders.append(folder)
    tops: list[list] = [[] for _ in variants]
    for _ in range(runs):
        for index, folder in enumerate(folders):
            result = subprocess.run([sys.executable, "-X", "importtime", "-c", TIMED_IMPORT], cwd=folder,
                                    env=environment, capture_output=True, text=True, check=True)
            total, top = parse_importtime(result.stderr)
            measures[index].import_ms.append(total)
            measures[index].cpu_ms.append(float(result.stdout) * 1000)
            tops[index].append(top)
    for measure, runs_top in zip(measures, tops):
        packages = {name for top in runs_top for name, _ in top}
        medians = {name: statistics.median(dict(top).get(name, 0.0) for top in runs_top) for name in packages}
        measure.top = sorted(medians.items(), key=lambda item: -item[1])[:8]
    return measures


def parse_importtime(stderr: str) -> tuple[float, list[tuple[str, float]]]:
    """The cumulative time of `import app` in ms, and where it went: the modules' own import time
    summed by top-level package."""
    lines = [match for match in map(IMPORT_LINE.match, stderr.splitlines()) if match]
    app_index = next(i for i, m in enumerate(lines) if m.group(4) == "app" and len(m.group(3)) == 1)
    total = int(lines[app_index].group(2)) / 1000
    # importtime prints each module after everything it imported; app's imports come right before it.
    first = app_index
    while first > 0 and len(lines[first - 1].group(3)) > 1:
        first -= 1
    by_package: dict[str, float] = {}
    for match in lines[first:app_index + 1]:
        root = match.group(4).split(".")[0]
        by_package[root] = by_package.get(root, 0.0) + int(match.group(1)) / 1000
    return total, list(by_package.items())


def render(measures: list[Measure], runs: int) -> str:
    lines = ["| Package | Zipped | Unzipped | `import app` ms, median (min–max) | CPU ms, median |",
             "|---|---|---|---|---|"]
    for m in measures:
        lines.append(f"| {m.name} | {m.zipped / 1e6:.1f} MB | {m.unzipped / 1e6:.1f} MB | "
                     f"{statistics.median(m.import_ms):.0f} ({min(m.import_ms):.0f}–{max(m.import_ms):.0f}) | "
                     f"{statistics.median(m.cpu_ms):.0f} |")
    lines += ["", f"{runs} runs each. Where the last package spends it: own import time by top-level package,",
              "median over the runs:", ""]
    lines += [f"- `{name}` {ms:.0f} ms" for name, ms in measures[-1].top]
    return "\n".join(lines)


def _template(report) -> dict:
    return json.loads(Path(report.template).read_text())


def _environment(stage: str) -> dict[str, str]:
    settings = packaging.stage_settings(packaging.ROOT, stage)
    environment = {"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1", "AWS_DEFAULT_REGION": "us-east-1"}
    environment.update(settings)
    environment.update(packaging.package_time_values(stage, settings))
    return environment


if __name__ == "__main__":
    sys.exit(main())

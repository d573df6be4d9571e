"""Cold start: the deployment package's size and the time Python takes to import the app from it.

    python -m bench.coldstart --stage prod --runs 20

Builds the stage's package (infra/package.py) and compares the package at three steps of its
assembly: with all the dependencies (as `chalice package` bundles them), without the
distributions the Lambda runtime provides, and as `make package` ships it (also compiled). Each
is unzipped and `python3.12 -X importtime -c "import app"` runs in a fresh process per run, from
the unzipped folder, with bytecode writing off: Lambda's /var/task is read-only, so whatever the
package does not bring compiled is compiled again at every cold start. boto3 and botocore come
from a stand-in for the runtime's copy (installed for its Python and compiled, as the runtime's
are). Needs a Python of the runtime's version (see infra.package.lambda_python).
"""
import argparse
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
    python = packaging.lambda_python()
    if python is None:
        print(f"no Python {packaging.LAMBDA_PYTHON_VERSION} found: set LAMBDA_PYTHON", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="ticketry-coldstart-") as scratch:
        scratch = Path(scratch)
        steps: list[tuple[str, Path]] = []

        def snapshot(step: str, folder: Path) -> None:
            steps.append((step, scratch / f"step-{len(steps)}.zip"))
            packaging.write_zip(folder, steps[-1][1])

        report = packaging.package(args.stage, scratch / "out", snapshot=snapshot)
        variants = steps + [("make package (also compiled)", Path(report.package))]
        measures = measure_all(variants, scratch, python, environment(args.stage), args.runs)
    print(render(measures, args.runs))
    return 0


def runtime_stand_in() -> Path:
    """boto3 and its dependencies installed for the runtime's Python and compiled, once per wheelhouse."""
    python = packaging.lambda_python()
    folder = packaging.ROOT / ".chalice" / "runtime-stand-in"
    wheels = packaging.wheelhouse(packaging.ROOT)
    stamp = folder / "wheelhouse.sha256"
    digest = (wheels / "requirements.sha256").read_text()
    if not (stamp.exists() and stamp.read_text() == digest):
        shutil.rmtree(folder, ignore_errors=True)
        packaging.pip_install(packaging.ROOT, folder, "boto3")
        subprocess.run([python, "-m", "compileall", "-q", str(folder)], check=True, capture_output=True)
        stamp.write_text(digest)
    return folder


def environment(stage: str) -> dict[str, str]:
    """The stage's settings as a function gets them, and the runtime's boto3 on the path."""
    settings = packaging.stage_settings(packaging.ROOT, stage)
    return {"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1", "AWS_DEFAULT_REGION": "us-east-1",
            "PYTHONPATH": str(runtime_stand_in()), **settings, **packaging.package_time_values(stage, settings)}


def measure_all(variants: list[tuple[str, Path]], scratch: Path, python: str, environment: dict[str, str],
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
            # -S: no site-packages of that Python, only the package and the runtime's boto3.
            result = subprocess.run([python, "-S", "-X", "importtime", "-c", TIMED_IMPORT], cwd=folder,
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


if __name__ == "__main__":
    sys.exit(main())

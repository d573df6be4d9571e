"""The interpreter check that `make` applies before it builds .venv (CVE-2024-6923)."""
import subprocess
import sys
from pathlib import Path

from infra import interpreter

ROOT = Path(__file__).resolve().parents[2]


def test_the_suite_runs_on_an_interpreter_that_passes_the_check():
    assert interpreter.email_headers_are_safe()
    assert subprocess.run([sys.executable, "infra/interpreter.py"], cwd=ROOT).returncode == 0


def test_an_interpreter_whose_email_package_writes_encoded_line_breaks_is_refused(tmp_path):
    """The check itself, on an email package made to behave as unfixed versions do."""
    unfixed = tmp_path / "sitecustomize.py"
    unfixed.write_text(
        "from email import _header_value_parser as parser\n"
        "parser._fold_as_ew = lambda to_encode, lines, *args, **kwargs: lines.__setitem__(-1, lines[-1] + to_encode)\n")
    result = subprocess.run([sys.executable, "infra/interpreter.py"], cwd=ROOT, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 1 and "CVE-2024-6923" in result.stderr

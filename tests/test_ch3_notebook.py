"""Chapter 3's notebook: parameters reach the model; bad ones stop the run with a clear message."""
import json

import nbformat
import pytest

from gohandbook import ch3

from .conftest import REPO, venv_tool

pytestmark = pytest.mark.notebook


def _papermill(out, *args):
    import subprocess

    return subprocess.run([venv_tool("papermill"), str(ch3.CHAPTER.path), str(out), "--no-progress-bar", *args],
                          capture_output=True, text=True, timeout=600, cwd=REPO)


def test_rate_reading_of_the_throttle_reaches_the_model(tmp_path):
    out = tmp_path / "rate.ipynb"
    done = _papermill(out, "-p", "live_widgets", "False", "-p", "cp_throttle", "rate", "-p", "cp_proxies", "2000")
    assert done.returncode == 0, done.stderr[-3000:]
    text = json.dumps([c.outputs for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"])
    assert "2,000 proxies: every proxy has the last change 40" in text     # (2000 - 1) / 50 + 0.01 s


@pytest.mark.parametrize("args, message", [
    (["-p", "cp_proxies", "0"], "ParameterError: cp_proxies = 0 is out of range: allowed is an integer from 1 to 20000"),
    (["-p", "cp_throttle", "fast"], "ParameterError: cp_throttle = 'fast' is not allowed: allowed is one of"),
])
def test_bad_parameters_are_rejected_clearly(tmp_path, args, message):
    done = _papermill(tmp_path / "bad.ipynb", *args)
    assert done.returncode != 0
    assert message in done.stderr

"""Every chapter notebook: committed clean, runs headless with defaults, rejects bad parameters."""
import json
import subprocess

import nbformat
import pytest

from gohandbook.chapters import chapters

from .conftest import REPO, venv_tool

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_every_chapter_has_its_notebook():
    assert [c.path for c in chapters()] == [p for p in NOTEBOOKS if p.name[:2].isdigit() and p.name[:2] != "00"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs"
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_declares_every_parameter(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    chapter = next((c for c in chapters() if c.path == path), None)
    if chapter is None:
        pytest.skip("not a chapter")
    assert len(tagged) == 1
    assigned = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line and not line.startswith("#")}
    assert assigned == set(chapter.params.by_name)


def _papermill(path, out, *args):
    return subprocess.run([venv_tool("papermill"), str(path), str(out), "--no-progress-bar", *args],
                          capture_output=True, text=True, timeout=600, cwd=REPO)


@pytest.mark.notebook
@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.slug)
def test_runs_headless_in_report_mode(chapter, tmp_path):
    """Report mode through the plain papermill CLI (live mode with defaults runs under nbval in `make test`)."""
    out = tmp_path / "out.ipynb"
    done = _papermill(chapter.path, out, "-p", "live_widgets", "False")
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    text = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"])
    assert "Measured on" in text, "cached measurements with provenance should be shown"
    assert "application/vnd.jupyter.widget-view+json" not in text, "report mode must not need a widget manager"


@pytest.mark.notebook
def test_chapter1_parameters_change_the_output(tmp_path):
    path = chapters()[0].path
    texts = []
    for kind in ("infrastructure", "data_science"):
        out = tmp_path / f"{kind}.ipynb"
        done = _papermill(path, out, "-p", "workload_kind", kind, "-p", "live_widgets", "False")
        assert done.returncode == 0, done.stderr[-2000:]
        texts.append(json.dumps([c.outputs for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"]))
    assert "Choose Go for this workload" in texts[0]
    assert "Do not choose Go for this workload now" in texts[1]


@pytest.mark.notebook
@pytest.mark.parametrize("args, message", [
    (["-p", "team_size", "-3"], "ParameterError: team_size = -3 is out of range: allowed is an integer from 1 to 5000"),
    (["-p", "team_sise", "3"], "ParameterError: unknown parameter team_sise for chapter 1: did you mean 'team_size'?"),
])
def test_plain_papermill_cli_rejects_bad_parameters_clearly(tmp_path, args, message):
    done = _papermill(chapters()[0].path, tmp_path / "bad.ipynb", *args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr.split("PapermillExecutionError")[-1]

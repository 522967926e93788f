"""Every chapter notebook: committed clean, runs headless with defaults, rejects bad parameters.

Headless runs in CI, both languages: `pytest --nbval-lax notebooks` (the Makefile's test target) runs every
notebook in live mode, notebooks/zh/ included (pytest collects the folder recursively); report mode runs in English
for every chapter in tests/test_report.py (`report.build_report`, papermill) and in Chinese here, through the plain
papermill CLI. That each notebook states its chapter's declared parameters (names, order, defaults, both languages)
is tests/test_notebook_sources.py's."""
import json
import subprocess

import nbformat
import pytest

from gohandbook import i18n, measure
from gohandbook.chapters import chapters

from .conftest import REPO, venv_tool

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
TRANSLATED = sorted((REPO / "notebooks").glob("*/*.ipynb"))


def test_every_chapter_has_its_notebook():
    assert [c.path for c in chapters()] == [p for p in NOTEBOOKS if p.name[:2].isdigit() and p.name[:2] != "00"]


@pytest.mark.parametrize("path", NOTEBOOKS + TRANSLATED, ids=lambda p: str(p.relative_to(REPO / "notebooks")))
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs"
    assert "widgets" not in nb.metadata


def _papermill(path, out, *args):
    return subprocess.run([venv_tool("papermill"), str(path), str(out), "--no-progress-bar", *args],
                          capture_output=True, text=True, timeout=600, cwd=REPO)


@pytest.mark.notebook
@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.slug)
def test_runs_headless_in_report_mode_in_chinese(chapter, tmp_path):
    """Report mode through the plain papermill CLI, in Chinese: the chapter's Chinese notebook (its English one
    with `-p lang zh` where it has none yet). Both languages run the same code cells (tests/test_i18n.py), so with
    the English report (tests/test_report.py) every chapter's code runs headless in report mode in both; live mode
    with defaults runs under nbval in `make test`, both languages."""
    out = tmp_path / "out.ipynb"
    done = _papermill(chapter.path_for("zh"), out, "-p", "live_widgets", "False", "-p", "lang", "zh")
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    text = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"], ensure_ascii=False)
    measured_on = i18n._(measure.PROVENANCE, "zh").split("{", 1)[0]     # "测量于 "
    assert measured_on in text, "cached measurements with provenance (in Chinese) should be shown"
    assert "application/vnd.jupyter.widget-view+json" not in text, "report mode must not need a widget manager"


@pytest.mark.notebook
def test_chapter1_parameters_change_the_output(tmp_path):
    """A parameter given to the plain papermill CLI reaches the English notebook and changes its verdict: the
    notebook shows the verdict for that parameter, not the defaults' (one run; the defaults' verdict comes from the
    same function the notebook calls)."""
    from gohandbook import ch1

    default = ch1.decide(ch1.PARAMS.validate({})).text
    asked = ch1.decide(ch1.PARAMS.validate({"workload_kind": "data_science"})).text
    assert default != asked and asked == "Do not choose Go for this workload now"
    out = tmp_path / "data_science.ipynb"
    done = _papermill(chapters()[0].path, out, "-p", "workload_kind", "data_science", "-p", "live_widgets", "False")
    assert done.returncode == 0, done.stderr[-2000:]
    text = json.dumps([c.outputs for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"])
    assert asked in text and default not in text


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

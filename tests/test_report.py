"""Reports: self-contained HTML that fetches nothing, results.json with provenance, and no good
report lost to a failed, bad or interrupted run."""
import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from gohandbook import report
from gohandbook.chapters import Chapter, chapters
from gohandbook.params import ParameterError

from .conftest import REPO, venv_tool

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports") / "default"
    outcome = report.build_report(None, out, say=lambda m: None)
    return outcome


def test_report_has_every_chapter_index_and_results(built):
    assert built.ok, [c.error for c in built.chapters]
    out = built.out
    assert (out / "index.html").exists() and (out / "results.json").exists()
    for chapter in chapters():
        assert (out / f"{chapter.slug}.html").exists()
    doc = json.loads((out / "results.json").read_text())
    assert doc["profile"]["profile_name"] == "default" and doc["go"]["version"].startswith("go")
    assert doc["decision"]["recommendation"] in ("adopt", "validate", "hold")
    for name, m in doc["measurements"].items():
        assert m["status"] == "current", name
        assert m["provenance"]["host"]["cores"] >= 1 and m["provenance"]["go"]["version"]
    measured = [c for c in doc["claims"] if c["verdict"] in ("holds", "partly holds", "does not hold", "outdated")]
    assert measured and all(c["provenance"].get("go") for c in measured)
    index = (out / "index.html").read_text()
    assert "Recommendation:" in index and doc["decision"]["text"] in index
    # The take-away files the index names: CSV tables beside results.json and the verdicts page.
    from gohandbook import export

    for name in export.CSV_FILES:
        lines = (out / name).read_text().splitlines()
        assert len(lines) >= 2, name      # a header and at least one row
    assert 'href="verdicts.html"' in index and "<table" in (out / "verdicts.html").read_text()


def test_html_pulls_nothing_from_the_network(built):
    for page in built.out.glob("*.html"):
        text = page.read_text()
        # Links (<a href>) to sources are fine; anything the browser would load is not.
        loads = re.findall(r"""<(?:script|img|iframe|link|source|video|audio|embed)\b[^>]*?(?:src|href)\s*=\s*["'](?:https?:)?//""",
                           text, re.I)
        loads += re.findall(r"""url\(\s*["']?(?:https?:)?//""", text, re.I)
        loads += re.findall(r"""@import\s+["'](?:https?:)?//""", text, re.I)
        assert loads == [], page.name
        assert "require.min.js" not in text and "MathJax" not in text.replace("mathjax-", "")
        assert "application/vnd.jupyter.widget-state+json" not in text


def test_chapter1_page_shows_measured_figures_and_verdicts(built):
    html = (built.out / "01-should-we-choose-go.html").read_text()
    assert html.count("<svg") >= 3
    assert "Measured on" in html and "go vet found" in html
    assert "holds" in html and "not measured" not in html.split("Go (net/http)")[1][:200]
    assert "<code" not in html.split("jp-InputArea")[0] or "jp-InputArea" not in html  # code hidden


def test_pages_render_offline_in_a_real_browser(built):
    from benchmarks import pagestate

    pw = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    outside, errors = [], []
    with pw.sync_playwright() as p:
        browser = pagestate.launch(p.chromium)
        try:
            context = browser.new_context()

            def route(r):
                if r.request.url.startswith(("file:", "data:", "blob:")):
                    return r.continue_()
                outside.append(r.request.url)
                return r.abort()

            context.route("**/*", route)
            for page_file in sorted(built.out.glob("*.html")):
                page = context.new_page()
                page.on("pageerror", lambda e, f=page_file.name: errors.append(f"{f}: {e}"))
                page.goto(page_file.as_uri())
                page.wait_for_load_state("load")
                if page_file.stem in {c.slug for c in chapters()}:  # chapter pages (not the index, verdicts…)
                    assert page.locator("svg").count() >= 1, page_file.name
                    # chart text is real text in the DOM (SVG), readable by people and tests
                    assert page.locator("svg text").count() > 5
                page.close()
        finally:
            browser.close()
    assert outside == [] and errors == []


def _broken_chapter(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise RuntimeError('planted failure')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "09-broken.ipynb"
    nbformat.write(nb, path)

    class Broken(Chapter):
        @property
        def path(self):
            return path

    from gohandbook.ch1 import PARAMS
    return Broken(9, "09-broken.ipynb", "Broken chapter", PARAMS)


def test_failed_chapter_keeps_the_earlier_report(tmp_path, monkeypatch):
    out = tmp_path / "default"
    out.mkdir()
    (out / "index.html").write_text("earlier good report")
    broken = _broken_chapter(tmp_path)
    monkeypatch.setattr(report, "chapters", lambda: (broken,))
    outcome = report.build_report(None, out, say=lambda m: None, workers=1)
    assert not outcome.ok and outcome.out != out and outcome.out.name.startswith("default-failed-")
    assert (out / "index.html").read_text() == "earlier good report"
    page = (outcome.out / "09-broken.html").read_text()
    assert "planted failure" in page and "FAILED" in page
    assert "failed" in (outcome.out / "index.html").read_text()
    assert not list(tmp_path.glob(".default.tmp-*"))


def test_interrupted_run_keeps_the_earlier_report(tmp_path, monkeypatch):
    out = tmp_path / "default"
    out.mkdir()
    (out / "index.html").write_text("earlier good report")

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "run_chapter", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.build_report(None, out, say=lambda m: None, workers=1)
    assert (out / "index.html").read_text() == "earlier good report"
    assert not list(tmp_path.glob(".default.tmp-*"))


def test_bad_profile_fails_before_anything_runs(tmp_path, monkeypatch):
    profile = tmp_path / "bad.yaml"
    profile.write_text("team_size: 0\n")
    monkeypatch.setattr(report, "measure_all", lambda *a, **k: pytest.fail("measured despite a bad profile"))
    with pytest.raises(ParameterError, match="team_size = 0 is out of range"):
        report.build_report(profile, tmp_path / "out", say=lambda m: None)
    assert not (tmp_path / "out").exists()


def test_cli_reports_bad_profile_with_exit_2(tmp_path):
    profile = tmp_path / "typo.yaml"
    profile.write_text("team_sise: 4\n")
    done = subprocess.run([venv_tool("gohandbook"), "report", "--profile", str(profile), "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 2
    assert "error: unknown parameter team_sise for profile: did you mean 'team_size'?" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_end_of_a_run_says_how_long_each_phase_took(tmp_path, monkeypatch):
    from gohandbook import measure

    ran = []
    monkeypatch.setattr(measure, "run", lambda name, preset, **k: ran.append(name) or {})
    monkeypatch.setattr(report, "chapters", lambda: ())
    said = []
    outcome = report.build_report(None, tmp_path / "out", say=said.append, workers=1)
    assert outcome.ok and outcome.timings is not None
    text = said[-1]
    assert text.startswith("Time by phase:")
    for phase in ("setup", "measurements", "notebooks", "conversion to HTML", "index, results.json", "total"):
        assert f"  {phase}" in text, text
    # one line per measurement the report reads, and only those: no chapter or claim reads the others
    assert ran and set(ran) == report.needed_measurements()
    assert all(f"measure {name}" in text for name in ran)

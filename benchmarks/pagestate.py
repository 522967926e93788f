"""A site page in Debian's headless Chromium, offline, followed as a reader sees it: the launch flags, the
route that blocks every request not to 127.0.0.1, and `time_to_ready` (navigation → text shown → every chart
drawn with the controls there). One reading for benchmarks/voila_latency.py, which times it, and for
tests/test_site.py, which bounds it (`from benchmarks.pagestate import ...`). It drives Playwright, so nothing
in gohandbook/ or widgets/ imports it."""
from __future__ import annotations

import re
import time
from typing import Callable, NamedTuple

from gohandbook import site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTSIDE = re.compile(r"^(?!http://127\.0\.0\.1|ws://127\.0\.0\.1|data:|blob:).*")

# [page shown, charts, charts drawn, controls]
PAGE_STATE_JS = """() => {
  const cells = document.querySelector('#rendered_cells');
  const shown = !!cells && getComputedStyle(cells).display !== 'none';
  const charts = [...document.querySelectorAll('.vega-embed')];
  const controls = document.querySelectorAll('.widget-slider, .widget-dropdown, .widget-toggle-buttons, '
                                            + '.widget-text, .widget-checkbox, .widget-radio, .widget-button');
  return [shown && document.readyState === 'complete', charts.length,
          charts.filter(c => c.querySelector('svg')).length, controls.length];
}"""


def launch(browser_type):
    """Debian's chromium, headless, through a Playwright browser type (`sync_playwright().chromium`)."""
    return browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class PageTimes(NamedTuple):
    text_s: float | None     # navigation → the page's cells shown
    ready_s: float | None    # navigation → every chart drawn with the controls there (None: not within the limit)
    charts: int = 0
    controls: int = 0


def needs(notebook: str) -> dict[str, bool]:
    """What a page of the site's navigation shows when ready: the landing page controls (its charts are
    optional), a text-only page (site.EXTRA_PAGES) neither, a chapter both."""
    static = notebook in {n for n, _ in site.EXTRA_PAGES}
    return {"charts_needed": notebook != site.INDEX and not static, "controls_needed": not static}


def time_to_ready(page, url: str, *, limit: float = 300.0, settle: float = 2.0, charts_needed: bool = True,
                  controls_needed: bool = True) -> PageTimes:
    """Open `url` in `page` and poll it: seconds until its text shows, and until every chart is drawn with the
    controls there (the counts then unchanged for `settle` s, so a chart drawn late is waited for)."""
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
                return PageTimes(text, since, charts, controls)
        else:
            last = since = None
        time.sleep(0.1)
    return PageTimes(text, None)


ROUNDS = ("fresh", "second")


def every_page_twice(new_page: Callable[[str], object], port: int, server, *, limit: float = 300.0,
                     preheat_timeout: float = 180.0, visit: Callable | None = None,
                     on_page: Callable[[str, str, PageTimes], None] | None = None
                     ) -> tuple[dict[tuple[str, str], PageTimes], bool]:
    """Every page of the navigation opened in turn on a freshly started site (`server`, on `port`), as its first
    readers after a restart would, then each a second time once preheating has settled. `new_page(label)` makes a
    page; `visit(round, notebook, page)` may look further at a page once it is ready (before it is closed);
    `on_page` hears each timing as it comes. ({(round, notebook): PageTimes}, whether preheating settled)."""
    nav = [notebook for notebook, _title in site.navigation()]
    timings, settled = {}, True
    for round_ in ROUNDS:
        for notebook in nav:
            page = new_page(f"{round_} {notebook}")
            times = time_to_ready(page, site.page_url(port, notebook), limit=limit, **needs(notebook))
            timings[round_, notebook] = times
            if on_page:
                on_page(round_, notebook, times)
            if visit and times.ready_s is not None:
                visit(round_, notebook, page)
            page.close(run_before_unload=True)   # Voila then stops the page's kernel
        if round_ == "fresh":
            # the second opens get preheated kernels, as on a server that has been up a while
            settled = site.wait_until_preheated(server, nav, timeout=preheat_timeout)
    return timings, settled

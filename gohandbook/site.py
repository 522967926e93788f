"""The internal site: the notebooks published with Voila on 127.0.0.1, offline.

`gohandbook serve [--port N]` runs Voila on `notebooks/` with

- the handbook's Voila template (`templates/jupyter/voila/templates/gohandbook`): Voila's `lab`
  template without its two Font Awesome links to a CDN (Voila's own bundle carries the icons),
  without nbconvert's Mermaid loader, with a navigation bar (home, every chapter, previous/next);
- code hidden (`strip_sources`), widgets live (each page gets its own kernel);
- preheated kernels (`--preheat_kernel`: one kernel per notebook is started and runs the
  notebook ahead of the first visitor, so a page appears in ~2 s instead of ~6-15 s), one page at
  a time in the navigation's order and never while a visitor's page is being computed, so that a
  freshly started server answers its first readers at once instead of warming every page at once
  on two cores (`site_kernels.HandbookKernelManager`); a preheated page computed before the
  measurement cache changed is not handed out but replaced;
- a cap on kernels (`max_kernels`, preheated ones included): past it a page load gets a
  "busy, try again shortly" page (HTTP 503, the template's 503.html) instead of another ~200 MB
  kernel;
- kernels stopped when no one needs them: leaving a page stops its kernel at once (Voila's
  shutdown request on `beforeunload` needs an `_xsrf` cookie that its notebook pages never set,
  403 otherwise: the template fetches one); a kernel whose page vanished without saying so (an
  abandoned page load, a crashed browser, a lost connection) is stopped by idle-kernel culling
  after `cull_idle` seconds (default 60) with no activity and no open page (the kernel manager
  keeps culling from stopping a preheated kernel in the seconds between a visitor taking it and
  the page connecting);
- every kernel runs `kernel_boot()` first: cheaper imports, and the chart widgets' JavaScript
  (~0.9 MB, built by vl-convert) loaded by the browser once from this server
  (`/voila/static/...`, built once per Altair/vl-convert version into the cache folder) instead of
  being built in every kernel (~3 s each) and sent inside every chart's widget state;
- kernels on Unix sockets (`--KernelManager.transport=ipc`), not TCP ports;
- a folder listing at `?tree`; `/` redirects to the landing page;
- a per-cell execution timeout, so a page never hangs forever.

Pages only read the measurement cache (`measure.lookup`): cached results for this machine, or
the labelled reference results shipped in data/reference-results. The one way to measure from
the site is the "measure on this server" button (widgets/measure_button.py): one measurement at
a time machine-wide, a timeout, quick presets only.

A preheated page was computed when its kernel was started; the kernel manager watches the cache's
results folder, so a page computed before a result was measured or removed is replaced, never shown.

The server listens on 127.0.0.1 only; put a reverse proxy in front of it to publish it further.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import paths, proc
from .i18n import N_

DEFAULT_PORT = 8866
HOST = "127.0.0.1"
TEMPLATE = "gohandbook"
INDEX = "00-index.ipynb"
INDEX_TITLE = N_("Home")
# Pages after the chapters: [notebook, title] (the rules behind every measured verdict).
EXTRA_PAGES = (("how-verdicts-are-decided.ipynb", N_("How the verdicts are decided")),)
# Kernels at once, preheated ones included. Each is a ~120-220 MB Python process that is idle while
# its page is open: on a 2-core / 24 GiB server, 40 of them (~8 GB) leave room for the measurements
# and the OS, and CPU (not memory) is what a room moving sliders runs out of first.
DEFAULT_MAX_KERNELS = 40
# A kernel with no page connected (an abandoned or cancelled page load, a crashed browser) is
# stopped after this long idle; checked every DEFAULT_CULL_INTERVAL s.
DEFAULT_CULL_IDLE, DEFAULT_CULL_INTERVAL = 60, 10
# Read by kernel_boot() in every kernel: where the browser loads the chart widgets' JavaScript.
CHART_SCRIPT_ENV = "GOHANDBOOK_SITE_CHART_SCRIPT"
KERNEL_BOOT = "__import__('gohandbook.site').site.kernel_boot()"


def template_root() -> Path:
    """A Jupyter data directory holding `voila/templates/gohandbook` (prepended to JUPYTER_PATH)."""
    return paths.PACKAGE_DIR / "templates" / "jupyter"


def template_dir() -> Path:
    return template_root() / "voila" / "templates" / TEMPLATE


def navigation(notebooks_dir: Path | None = None) -> list[list[str]]:
    """[[notebook file, title], ...]: the landing page, then every chapter whose notebook exists."""
    from .chapters import chapters

    folder = Path(notebooks_dir) if notebooks_dir else paths.notebooks_dir()
    nav = []
    if (folder / INDEX).exists():
        nav.append([INDEX, INDEX_TITLE])
    for chapter in chapters():
        if (folder / chapter.notebook).exists():
            nav.append([chapter.notebook, f"{chapter.number}. {chapter.title}"])
    nav.extend([notebook, title] for notebook, title in EXTRA_PAGES if (folder / notebook).exists())
    return nav


def language_resources(notebooks_dir: Path | None = None) -> dict:
    """What the template needs for Chinese pages (`notebooks/zh/…`, written by scripts/_nb.py from the same
    source as the English ones) and the language switch on every page, which keeps the reader's place:
    `nav_zh` ([href, title] from a page in zh/: its Chinese notebook, else the English one, marked), `switch`
    ({lang: {page name: href of the same page in the other language}}) and `text` (the template's words)."""
    from .chapters import chapters
    from .i18n import LANGS, NATIVE_NAMES, _

    folder = Path(notebooks_dir) if notebooks_dir else paths.notebooks_dir()
    zh = folder / "zh"
    nav_zh, switch = [], {"en": {}, "zh": {}}
    pages = ([(INDEX, INDEX_TITLE, None)] + [(c.notebook, c.title, c.number) for c in chapters()]
             + [(notebook, title, None) for notebook, title in EXTRA_PAGES])
    for notebook, title, number in pages:
        if not (folder / notebook).exists():
            continue
        shown = _(title, "zh") if number is None else f"{number}. {_(title, 'zh')}"
        stem = Path(notebook).stem
        if (zh / notebook).exists():
            nav_zh.append([notebook, shown])
            switch["en"][stem] = f"zh/{notebook}"
            switch["zh"][stem] = f"../{notebook}"
        else:
            nav_zh.append([f"../{notebook}", shown + _(" (English)", "zh")])
            switch["en"][stem] = f"zh/{INDEX}" if (zh / INDEX).exists() else ""
    text = {lang: {"handbook": _("Go Decision Handbook", lang), "pages": _("Handbook pages", lang),
                   "pager": _("Previous and next page", lang), "switch_label": _("Language", lang),
                   "other": NATIVE_NAMES["zh" if lang == "en" else "en"]} for lang in LANGS}
    return {"nav_zh": nav_zh, "switch": switch, "text": text}


def translated_pages(notebooks_dir: Path | None = None) -> list[str]:
    """The Chinese notebooks present (paths relative to the notebooks folder), e.g. ['zh/00-index.ipynb']."""
    folder = Path(notebooks_dir) if notebooks_dir else paths.notebooks_dir()
    return [f"zh/{notebook}" for notebook, _title in navigation(folder) if (folder / "zh" / notebook).exists()]


@dataclass(frozen=True)
class SiteOptions:
    port: int = DEFAULT_PORT
    notebooks_dir: Path | None = None      # default: the checkout's notebooks/
    preheat: bool = True                   # one pre-run kernel per notebook
    pool_size: int = 1                     # preheated kernels per notebook (each ~200 MB)
    cull_idle: int = DEFAULT_CULL_IDLE     # stop a kernel idle this long with no page open (s)
    cull_interval: int = DEFAULT_CULL_INTERVAL  # how often to look for idle kernels (s)
    max_kernels: int = DEFAULT_MAX_KERNELS  # kernels at once, preheated ones included; past it: 503
    preheat_concurrency: int = 1           # kernels pre-running their page at once
    cull_connected: bool = False           # also stop idle kernels whose page is still open
    cell_timeout: int = 120                # a cell running longer fails the page, never hangs it
    refill_delay: float = 5.0              # wait before pre-running a replacement for a taken kernel,
                                           # so the visitor's page gets the CPU first (Voila: 1 s)
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. GOHANDBOOK_CACHE for tests
    log_level: str = "INFO"

    def folder(self) -> Path:
        return Path(self.notebooks_dir) if self.notebooks_dir else paths.notebooks_dir()


def voila_command(opts: SiteOptions) -> list[str]:
    """The Voila command line: every setting is on it (no config file is read from the user's home)."""
    if not 1 <= opts.port <= 65535:
        raise ValueError(f"port = {opts.port} is out of range: allowed is 1 to 65535")
    if opts.cull_idle < 0 or opts.cull_interval < 1:
        raise ValueError("cull_idle must be >= 0 (0 disables culling) and cull_interval >= 1")
    if opts.max_kernels < 1:
        raise ValueError(f"max_kernels = {opts.max_kernels} is out of range: allowed is 1 or more")
    nav = navigation(opts.folder())
    resources = {"gohandbook": {"nav": nav, **language_resources(opts.folder())}}
    # Preheat only the handbook's pages (both languages), not notebooks a workshop saved into the folder.
    pages = {notebook for notebook, _ in nav} | set(translated_pages(opts.folder()))
    others = sorted(str(p.relative_to(opts.folder())) for p in opts.folder().rglob("*.ipynb")
                    if ".ipynb_checkpoints" not in p.parts and str(p.relative_to(opts.folder())) not in pages)
    # (Voila matches the patterns against absolute paths.)
    denylist = [f"--VoilaKernelManager.preheat_denylist={json.dumps(['.*/' + re.escape(o) + '$' for o in others])}"] \
        if (others and opts.preheat and nav) else []
    return [
        sys.executable, "-m", "voila", str(opts.folder()),
        "--no-browser",
        f"--Voila.ip={HOST}",
        f"--port={opts.port}",
        f"--Voila.log_level={opts.log_level}",
        f"--template={TEMPLATE}",
        "--theme=light",
        "--classic_tree=True",   # the folder listing without JupyterLab's widget plugins (they fail there)
        "--strip_sources=True",
        "--show_tracebacks=False",
        # The handbook's Voila template must not be swapped by a visitor (?template=...).
        "--VoilaConfiguration.allow_template_override=NO",
        f"--VoilaConfiguration.resources={json.dumps(resources)}",
        f"--preheat_kernel={opts.preheat}",
        f"--pool_size={opts.pool_size if opts.preheat else 0}",
        # Jupyter Server's kernel manager with a cap, preheating one page at a time (in the
        # navigation's order, visitors first), preheated pages that follow the cache, and culling that
        # spares a kernel just taken from the pool (gohandbook/site_kernels.py).
        "--VoilaConfiguration.multi_kernel_manager_class=gohandbook.site_kernels.HandbookKernelManager",
        f"--HandbookKernelManager.max_kernels={opts.max_kernels}",
        f"--HandbookKernelManager.preheat_concurrency={opts.preheat_concurrency}",
        f"--HandbookKernelManager.preheat_order={json.dumps([nb for nb, _ in nav] + translated_pages(opts.folder()))}",
        f"--HandbookKernelManager.watch_folder={results_folder(opts)}",
        f"--HandbookKernelManager.boot_code={KERNEL_BOOT}",
        f"--MappingKernelManager.cull_idle_timeout={opts.cull_idle}",
        f"--MappingKernelManager.cull_interval={opts.cull_interval}",
        f"--MappingKernelManager.cull_connected={opts.cull_connected}",
        *denylist,
        *([f"--VoilaKernelManager.fill_delay={opts.refill_delay:g}"] if opts.preheat else []),
        f"--VoilaExecutor.timeout={opts.cell_timeout}",
        # Kernels talk to Voila over Unix sockets in Voila's private temporary folder: no TCP ports
        # to collide when many kernels start at once, nothing listening on the network.
        "--KernelManager.transport=ipc",
    ]


def cache_folder(opts: SiteOptions) -> Path:
    """The measurement cache the site's kernels read (GOHANDBOOK_CACHE as the kernels will see it)."""
    env = opts.extra_env.get("GOHANDBOOK_CACHE") or os.environ.get("GOHANDBOOK_CACHE")
    return Path(env) if env else paths.cache_dir()


def results_folder(opts: SiteOptions) -> Path:
    return cache_folder(opts) / "results"


def chart_script(opts: SiteOptions) -> tuple[Path, str] | None:
    """The chart widgets' JavaScript as a static file of the site: (a Jupyter data folder to add to
    JUPYTER_PATH, the file's name under /voila/static/). Altair's `enable_offline()` builds the same
    bundle with vl-convert in every kernel (~3 s of CPU) and sends it (~0.9 MB) inside the widget
    state of every chart on a page; built here once per Altair/vl-convert version instead, and
    loaded by the browser once per page. None (kernels then build it themselves) if it cannot be."""
    import hashlib

    try:
        import altair as alt
        import vl_convert as vlc
        from altair.jupyter import jupyter_chart
        from altair.utils._importers import vl_version_for_vl_convert
    except ImportError:
        return None
    source = jupyter_chart.load_js_src()
    key = hashlib.sha256(f"{alt.__version__}|{vlc.__version__}|{source}".encode()).hexdigest()[:16]
    root = cache_folder(opts) / "site" / "jupyter"
    static = root / "voila" / "templates" / TEMPLATE / "static"
    name = f"gh-jupyterchart-{key}.js"
    if not (static / name).exists():
        # What enable_offline() does: drop the leading comments and CDN imports, bundle the rest
        # with the dependencies vl-convert carries.
        lines = source.split("\n")
        while lines and (not lines[0].strip() or lines[0].startswith(("import", "//"))):
            lines.pop(0)
        try:
            bundle = vlc.javascript_bundle("\n".join(lines), vl_version=vl_version_for_vl_convert())
        except Exception:
            return None
        static.mkdir(parents=True, exist_ok=True)
        tmp = static / f".{name}.tmp{os.getpid()}"
        tmp.write_text(bundle)
        os.replace(tmp, static / name)
    return root, name


def chart_stub(script_url: str) -> str:
    """A chart widget's ES module on the site: the bundle, loaded from the server (the browser
    evaluates it once per page however many charts the page has)."""
    return ("const gh = await import(new URL(" + json.dumps(script_url) + ", document.baseURI).href);\n"
            "export default gh.default;\n")


def kernel_boot() -> None:
    """Run by every site kernel before its notebook (`--IPKernelApp.exec_lines`).

    - jsonschema (through Altair) imports rfc3987_syntax, whose grammar takes ~2-3 s of CPU to
      build at import, only to check the 'iri' string format, which Vega-Lite's schema never uses:
      the kernel skips it (import time of the chapter widgets ~3.4 s -> ~1.2 s, measured here).
    - With the site's chart script (CHART_SCRIPT_ENV, see chart_script()), every chart widget's
      JavaScript is a two-line stub that loads it, instead of the ~0.9 MB bundle built per kernel.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    script = os.environ.get(CHART_SCRIPT_ENV)
    if script:
        import altair as alt

        base = os.environ.get("VOILA_BASE_URL", "/")
        alt.JupyterChart._esm = chart_stub(base.rstrip("/") + "/voila/static/" + script)
        alt.JupyterChart._is_offline = True


def voila_env(opts: SiteOptions) -> dict[str, str]:
    env = dict(os.environ)
    # The handbook's template first; the user's and the environment's Jupyter paths after it; the
    # folder holding the chart script last (Voila serves every template's static/ folder).
    chart = chart_script(opts)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(template_root()), env.get("JUPYTER_PATH", ""),
                                                      str(chart[0]) if chart else "") if p)
    if chart:
        env[CHART_SCRIPT_ENV] = chart[1]
    else:
        env.pop(CHART_SCRIPT_ENV, None)
    env["PYTHONUNBUFFERED"] = "1"
    # The site's pages show charts from builders that the tests and nbval validate: no schema validation on
    # the site's first render (~0.25 s a chart; widgets/render.py).
    env["GOHANDBOOK_SITE_UNVALIDATED_CHARTS"] = "1"
    env.setdefault("GOHANDBOOK_HOME", str(paths.repo_root()))
    env.update(opts.extra_env)
    return env


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def page_url(port: int, notebook: str = INDEX) -> str:
    return f"http://{HOST}:{port}/voila/render/{notebook}"


def start(opts: SiteOptions, start_timeout: float = 90.0) -> proc.Server:
    """The site as a `proc.Server` context manager: ready when `/` answers 200; stopped (with every
    kernel: they are in Voila's process group) when the block is left."""
    return proc.Server(voila_command(opts), port=opts.port, host=HOST, env=voila_env(opts),
                       cwd=paths.repo_root(), ready_path="/", start_timeout=start_timeout, name="voila")


def _cpu_ticks_of_tree(root: int) -> int:
    """utime + stime (clock ticks) of process `root` and all its descendants (Voila's kernels)."""
    parents, ticks = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def wait_until_preheated(server: proc.Server, notebooks: list[str], *, fills: int = 1, timeout: float = 180,
                         quiet: float = 1.0) -> bool:
    """Wait until each notebook's pool has been filled `fills` times (Voila logs it when the kernel
    has started) and the kernels have finished pre-running (Voila and its kernels used almost no
    CPU for `quiet` seconds). False if that did not happen within `timeout` (e.g. a busy machine)."""
    deadline = time.monotonic() + timeout
    while any(server.log_tail(100_000).count(f"Kernel pool of {nb} is filled") < fills for nb in notebooks):
        if time.monotonic() > deadline or server.proc.poll() is not None:
            return False
        time.sleep(0.3)
    last, since = _cpu_ticks_of_tree(server.pid), time.monotonic()
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
        now = _cpu_ticks_of_tree(server.pid)
        if now - last > 2:  # more than ~20 ms of CPU in 250 ms: still pre-running
            since = time.monotonic()
        last = now
    return True


def serve(port: int = DEFAULT_PORT, *, preheat: bool = True, pool_size: int = 1,
          cull_idle: int = DEFAULT_CULL_IDLE, cull_interval: int = DEFAULT_CULL_INTERVAL, cell_timeout: int = 120,
          max_kernels: int = DEFAULT_MAX_KERNELS, say: Callable[[str], None] = print,
          until: Callable[[], bool] | None = None) -> int:
    """Run the site until Ctrl-C (or `until()` is true); every process it started is stopped on exit."""
    opts = SiteOptions(port=port, preheat=preheat, pool_size=pool_size, cull_idle=cull_idle,
                       cull_interval=cull_interval, cell_timeout=cell_timeout, max_kernels=max_kernels)
    nav = navigation(opts.folder())
    if not nav:
        say(f"error: no notebooks to serve in {opts.folder()}")
        return 1
    if not port_free(port):
        say(f"error: port {port} on {HOST} is already in use: choose another with --port")
        return 1
    say(f"starting Voila on {HOST}:{port} ({len(nav)} notebooks; preheat {'on' if preheat else 'off'}, "
        f"idle kernels stopped after {cull_idle} s, at most {max_kernels} kernels) ...")
    server = start(opts)
    with server:
        say(f"the handbook is at {page_url(port, nav[0][0])}  (Ctrl-C stops it)")
        for notebook, title in nav[1:]:
            say(f"  {title}: {page_url(port, notebook)}")
        for notebook in translated_pages(opts.folder())[:1]:  # the Chinese landing page; every page links across
            say(f"  中文 (Chinese): {page_url(port, notebook)}")
        try:
            while server.proc.poll() is None:
                if until is not None and until():
                    break
                time.sleep(0.5)
        except KeyboardInterrupt:
            say("stopping the site and its kernels")
            return 0
        if server.proc.poll() is not None:
            say(f"error: Voila exited with {server.proc.returncode}:\n{server.log_tail()}")
            return 1
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on {HOST} (default {DEFAULT_PORT})")
    parser.add_argument("--no-preheat", dest="preheat", action="store_false",
                        help="do not pre-run a kernel per notebook (slower first page, less memory)")
    parser.add_argument("--pool-size", type=int, default=1, choices=range(1, 9), metavar="N",
                        help="preheated kernels per notebook, 1-8 (default 1; each ~200 MB)")
    parser.add_argument("--cull-idle", type=int, default=DEFAULT_CULL_IDLE, metavar="S",
                        help=f"stop kernels idle for S seconds with no page open (default {DEFAULT_CULL_IDLE}; 0 never)")
    parser.add_argument("--cull-interval", type=int, default=DEFAULT_CULL_INTERVAL, metavar="S",
                        help=f"check every S seconds (default {DEFAULT_CULL_INTERVAL})")
    parser.add_argument("--max-kernels", type=int, default=DEFAULT_MAX_KERNELS, metavar="N",
                        help=f"most kernels at once, preheated ones included (default {DEFAULT_MAX_KERNELS}, "
                             "each ~200 MB); past it a page says the server is busy (HTTP 503)")
    parser.add_argument("--cell-timeout", type=int, default=120, metavar="S",
                        help="a notebook cell running longer fails its page (default 120)")


def run_from_args(args: argparse.Namespace) -> int:
    return serve(args.port, preheat=args.preheat, pool_size=args.pool_size, cull_idle=args.cull_idle,
                 cull_interval=args.cull_interval, cell_timeout=args.cell_timeout, max_kernels=args.max_kernels,
                 say=lambda m: print(m, file=sys.stderr, flush=True))


def server_extension_config() -> dict:
    """Jupyter Server config for Voila as a server extension (mybinder: `?urlpath=voila/render/...`):
    the same template, code hidden and navigation. Preheating exists only in the standalone Voila app;
    kernel culling is left to the host (mybinder stops idle servers), so JupyterLab users keep theirs."""
    return {"VoilaConfiguration": {
        "template": TEMPLATE, "strip_sources": True, "show_tracebacks": False, "theme": "light",
        "allow_template_override": "NO",
        "resources": {"gohandbook": {"nav": navigation(), **language_resources()}},
    }, "VoilaExecutor": {"timeout": 120}}


def main(argv: list[str] | None = None) -> int:
    """`python -m gohandbook.site [--port N]` (the same as `gohandbook serve`), or
    `python -m gohandbook.site --server-extension-config` (prints the JSON binder/postBuild installs)."""
    parser = argparse.ArgumentParser(prog="python -m gohandbook.site", description="Serve the handbook with Voila")
    add_arguments(parser)
    parser.add_argument("--server-extension-config", action="store_true",
                        help="print the Jupyter Server config for Voila as a server extension and exit")
    args = parser.parse_args(argv)
    # SIGTERM becomes SystemExit, so that leaving `with server` stops Voila and its kernels.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.server_extension_config:
        print(json.dumps(server_extension_config(), indent=1))
        return 0
    return run_from_args(args)


if __name__ == "__main__":
    sys.exit(main())

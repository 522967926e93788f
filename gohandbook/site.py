"""The internal site: the notebooks published with Voila on 127.0.0.1, offline.

`gohandbook serve [--port N]` runs Voila on `notebooks/` with

- the handbook's Voila template (`templates/jupyter/voila/templates/gohandbook`): Voila's `lab`
  template without its two Font Awesome links to a CDN (Voila's own bundle carries the icons),
  without nbconvert's Mermaid loader, with a navigation bar (home, every chapter, previous/next);
- code hidden (`strip_sources`), widgets live (each page gets its own kernel);
- preheated kernels (`--preheat_kernel`: one kernel per notebook is started and runs the
  notebook ahead of the first visitor, so a page appears in ~2 s instead of ~6-15 s);
- kernels stopped when no one needs them: leaving a page stops its kernel at once (Voila's
  shutdown request on `beforeunload` needs an `_xsrf` cookie that its notebook pages never set,
  403 otherwise: the template fetches one); a kernel whose page vanished without saying so (a
  crashed browser, a lost connection) is stopped by idle-kernel culling after `cull_idle` seconds
  with no activity and no open page (`site_kernels.HandbookKernelManager` keeps culling from
  stopping a preheated kernel in the seconds between a visitor taking it and the page connecting);
- kernels on Unix sockets (`--KernelManager.transport=ipc`), not TCP ports;
- a folder listing at `?tree`; `/` redirects to the landing page;
- a per-cell execution timeout, so a page never hangs forever.

Pages only read the measurement cache (`measure.lookup`): cached results for this machine, or
the labelled reference results shipped in data/reference-results. The one way to measure from
the site is the "measure on this server" button (widgets/measure_button.py): one measurement at
a time machine-wide, a timeout, quick presets only.

Caveat of preheating: a preheated page was computed when its kernel was started, i.e. at the
latest shortly after the previous visitor of that page. A measurement finished in between shows
up on the next load after that.

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

DEFAULT_PORT = 8866
HOST = "127.0.0.1"
TEMPLATE = "gohandbook"
INDEX = "00-index.ipynb"
INDEX_TITLE = "Home"


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
    return nav


@dataclass(frozen=True)
class SiteOptions:
    port: int = DEFAULT_PORT
    notebooks_dir: Path | None = None      # default: the checkout's notebooks/
    preheat: bool = True                   # one pre-run kernel per notebook
    pool_size: int = 1                     # preheated kernels per notebook (each ~200 MB)
    cull_idle: int = 600                   # stop a kernel idle this long with no page open (s)
    cull_interval: int = 60                # how often to look for idle kernels (s)
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
    nav = navigation(opts.folder())
    resources = {"gohandbook": {"nav": nav}}
    # Preheat only the handbook's pages, not notebooks a workshop saved into the folder.
    pages = {notebook for notebook, _ in nav}
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
        # Jupyter Server's kernel manager, with culling that spares a kernel just taken from the pool.
        "--VoilaConfiguration.multi_kernel_manager_class=gohandbook.site_kernels.HandbookKernelManager",
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


def voila_env(opts: SiteOptions) -> dict[str, str]:
    env = dict(os.environ)
    # The handbook's template first; the user's and the environment's Jupyter paths after it.
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(template_root()), env.get("JUPYTER_PATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
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


def serve(port: int = DEFAULT_PORT, *, preheat: bool = True, pool_size: int = 1, cull_idle: int = 600,
          cull_interval: int = 60, cell_timeout: int = 120, say: Callable[[str], None] = print,
          until: Callable[[], bool] | None = None) -> int:
    """Run the site until Ctrl-C (or `until()` is true); every process it started is stopped on exit."""
    opts = SiteOptions(port=port, preheat=preheat, pool_size=pool_size, cull_idle=cull_idle,
                       cull_interval=cull_interval, cell_timeout=cell_timeout)
    nav = navigation(opts.folder())
    if not nav:
        say(f"error: no notebooks to serve in {opts.folder()}")
        return 1
    if not port_free(port):
        say(f"error: port {port} on {HOST} is already in use: choose another with --port")
        return 1
    say(f"starting Voila on {HOST}:{port} ({len(nav)} notebooks; preheat {'on' if preheat else 'off'}, "
        f"idle kernels stopped after {cull_idle} s) ...")
    server = start(opts)
    with server:
        say(f"the handbook is at {page_url(port, nav[0][0])}  (Ctrl-C stops it)")
        for notebook, title in nav[1:]:
            say(f"  {title}: {page_url(port, notebook)}")
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
    parser.add_argument("--cull-idle", type=int, default=600, metavar="S",
                        help="stop kernels idle for S seconds with no page open (default 600; 0 never)")
    parser.add_argument("--cull-interval", type=int, default=60, metavar="S", help="check every S seconds (default 60)")
    parser.add_argument("--cell-timeout", type=int, default=120, metavar="S",
                        help="a notebook cell running longer fails its page (default 120)")


def run_from_args(args: argparse.Namespace) -> int:
    return serve(args.port, preheat=args.preheat, pool_size=args.pool_size, cull_idle=args.cull_idle,
                 cull_interval=args.cull_interval, cell_timeout=args.cell_timeout,
                 say=lambda m: print(m, file=sys.stderr, flush=True))


def server_extension_config() -> dict:
    """Jupyter Server config for Voila as a server extension (mybinder: `?urlpath=voila/render/...`):
    the same template, code hidden and navigation. Preheating exists only in the standalone Voila app;
    kernel culling is left to the host (mybinder stops idle servers), so JupyterLab users keep theirs."""
    return {"VoilaConfiguration": {
        "template": TEMPLATE, "strip_sources": True, "show_tracebacks": False, "theme": "light",
        "allow_template_override": "NO",
        "resources": {"gohandbook": {"nav": navigation()}},
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

"""The site's kernel manager: Jupyter Server's, with the bounds and the scheduling the site needs.

Used by gohandbook/site.py through `--VoilaConfiguration.multi_kernel_manager_class`; Voila wraps
it in its preheating `VoilaKernelManager` (a subclass made at start-up, see `__init_subclass__`).

- **A cap on kernels** (`max_kernels`, preheated ones included; each is a ~120-220 MB Python
  process). A page load past the cap gets HTTP 503 and the template's "busy, try again shortly"
  page (templates/.../gohandbook/503.html) instead of another kernel; a preheated kernel waits
  for room before it starts.
- **Preheating one page at a time** (`preheat_concurrency`), in the navigation's order
  (`preheat_order`), and not while a visitor's page is being computed: at start-up Voila would
  start and pre-run a kernel for every page at once, and on two cores the first reader then waits
  for all of them (44-53 s measured). A page whose preheated kernel has not started yet is served
  by a fresh kernel at once (`get_pool_size` counts only started ones), competing with at most
  one preheating kernel.
- **Preheated pages follow the cache** (`watch_folder`): a preheated page was computed when its
  kernel started; when the measurement cache changes after that (a result measured or removed),
  such a kernel is not handed out (the visitor gets a fresh kernel) and is replaced.
- **A start-up line for every kernel** (`boot_code`, `--IPKernelApp.exec_lines`): site.kernel_boot
  makes imports cheaper and loads the chart JavaScript from the server instead of per kernel.
- **Culling that spares a kernel just taken from the pool**: a preheated kernel has been idle since
  it finished pre-running, possibly for longer than the cull timeout; between a visitor taking it
  and the page opening its websocket (a few seconds) a culling round would stop it ("The model for
  kernel id ... does not exist"). The idle clock of every kernel restarts the first time a culling
  round sees it outside a pool. Kernels of abandoned page loads (never connected, or left without
  the shutdown request) are culled after `cull_idle_timeout` (site default 60 s).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from tornado import web
from traitlets import Float, Integer, List, Unicode

try:
    from jupyter_server._tz import utcnow
except ImportError:  # pragma: no cover - older layout
    import datetime as _dt

    def utcnow():
        return _dt.datetime.now(_dt.timezone.utc)

# The message of the 503 page's log line (the page itself is the template's 503.html).
BUSY_MESSAGE = "The server has as many open pages as it can hold"
VISITOR_RENDER_MAX_S = 60.0   # after this long a visitor's page no longer holds back preheating


def folder_fingerprint(folder: str) -> tuple:
    """A cheap token that changes when a file is added, replaced or removed in `folder` or in its
    direct subfolders (the cache's results/<measurement>/<key>.json layout; writes are atomic
    renames, which change the folder's mtime)."""
    if not folder:
        return ()
    root = Path(folder)
    try:
        entries = [(root.name, root.stat().st_mtime_ns)]
        for sub in root.iterdir():
            if sub.is_dir():
                entries.append((sub.name, sub.stat().st_mtime_ns))
    except OSError:
        return ("missing",)
    return tuple(sorted(entries))


class HandbookKernelManager(AsyncMappingKernelManager):
    max_kernels = Integer(32, config=True, help="most kernels at once, preheated ones included")
    preheat_concurrency = Integer(1, config=True, help="kernels pre-running their notebook at once")
    preheat_order = List(Unicode(), [], config=True, help="notebooks, first preheated first")
    watch_folder = Unicode("", config=True, help="a change here makes preheated pages stale")
    watch_interval = Float(3.0, config=True, help="seconds between looks at watch_folder")
    boot_code = Unicode("", config=True, help="a line every kernel runs when it starts")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._gh_seen: set[str] = set()
        self._gh_starting = 0
        self._gh_warming = 0
        self._gh_waiting: dict[object, tuple[int, int]] = {}
        self._gh_ticket = itertools.count()
        self._gh_visitors: dict[str, float] = {}     # kernel id -> when its page load started it
        self._gh_preheated: set[str] = set()         # kernels started for a pool
        self._gh_stamps: dict[str, tuple] = {}       # preheated kernel id -> cache fingerprint at start
                                                     # (set once Voila has put it in its pool)
        self._gh_watch_task: asyncio.Task | None = None
        self._gh_last_fingerprint: tuple | None = None

    # ------------------------------------------------------------ Voila's preheating, adjusted

    def __init_subclass__(cls, **kwargs):
        """Voila builds its preheating manager as a subclass of this class, so its methods would
        shadow ours: wrap the two that decide which pages are preheated when, and which count."""
        super().__init_subclass__(**kwargs)
        if "_initialize" in cls.__dict__:
            cls._initialize = _scheduled_initialize(cls.__dict__["_initialize"])
        if "get_pool_size" in cls.__dict__:
            cls.get_pool_size = _ready_pool_size

    def _gh_kernel_count(self) -> int:
        return len(self._kernels) + self._gh_starting

    def _gh_visitor_rendering(self) -> bool:
        """A visitor's page is being computed: a kernel a page load started that has not yet been
        idle for a second (or at most VISITOR_RENDER_MAX_S)."""
        now = time.monotonic()
        for kernel_id, since in list(self._gh_visitors.items()):
            kernel = self._kernels.get(kernel_id)
            idle = kernel is not None and getattr(kernel, "execution_state", "") == "idle" and \
                (utcnow() - kernel.last_activity).total_seconds() > 1.0
            if kernel is None or idle or now - since > VISITOR_RENDER_MAX_S:
                del self._gh_visitors[kernel_id]
        return bool(self._gh_visitors)

    async def _gh_acquire_preheat(self, notebook: str) -> None:
        """Wait for a preheating slot: in the navigation's order, while no visitor's page is being
        computed, and with room under the kernel cap."""
        order = list(self.preheat_order)
        rank = order.index(notebook) if notebook in order else len(order)
        me = object()
        self._gh_waiting[me] = (rank, next(self._gh_ticket))
        try:
            while True:
                first = min(self._gh_waiting.values()) == self._gh_waiting[me]
                if (first and self._gh_warming < max(1, self.preheat_concurrency)
                        and not self._gh_visitor_rendering() and self._gh_kernel_count() < self.max_kernels):
                    self._gh_warming += 1
                    self.log.debug("preheating %s", notebook)
                    return
                await asyncio.sleep(0.1)
        finally:
            del self._gh_waiting[me]

    def _gh_release_preheat(self, *_args) -> None:
        self._gh_warming = max(0, self._gh_warming - 1)
        self.log.debug("preheating slot released")

    # ------------------------------------------------------------ the cache watch

    def _gh_fingerprint(self) -> tuple:
        return folder_fingerprint(self.watch_folder)

    def _gh_start_watch(self) -> None:
        if self.watch_folder and self._gh_watch_task is None:
            self._gh_last_fingerprint = self._gh_fingerprint()
            self._gh_watch_task = asyncio.get_event_loop().create_task(self._gh_watch())

    async def _gh_watch(self) -> None:
        while True:
            await asyncio.sleep(self.watch_interval)
            try:
                now = self._gh_fingerprint()
                if now != self._gh_last_fingerprint:
                    self._gh_last_fingerprint = now
                    self.log.info("the measurement cache changed: replacing preheated pages computed before")
                    await self._gh_replace_stale()
            except Exception:  # never let the watch die silently
                self.log.exception("checking the measurement cache for changes failed")

    async def _gh_replace_stale(self) -> None:
        now = self._gh_fingerprint()
        for notebook, pool in list(getattr(self, "_pools", {}).items()):
            for task in list(pool):
                if not task.done() or task.cancelled() or task.exception() is not None:
                    continue
                kernel_id = task.result()["kernel_id"]
                if self._gh_stamps.get(kernel_id, now) != now:
                    await self.shutdown_kernel(kernel_id)   # Voila's override takes it out of the pool
                    self.fill_if_needed(delay=0, notebook_name=notebook)

    # ------------------------------------------------------------ starting kernels

    async def start_kernel(self, *args, **kwargs):
        self._gh_start_watch()
        env = kwargs.get("env") or {}
        preheated = env.get("VOILA_PREHEAT") == "True"
        if not preheated and kwargs.get("kernel_id") is None and self._gh_kernel_count() >= self.max_kernels:
            self.log.warning("%s (%d kernels, the cap): answering 503", BUSY_MESSAGE, self.max_kernels)
            raise web.HTTPError(503, BUSY_MESSAGE)
        if self.boot_code:
            kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []),
                                         f"--IPKernelApp.exec_lines={self.boot_code}"]
        self._gh_starting += 1
        try:
            kernel_id = await ensure_async(super().start_kernel(*args, **kwargs))
        finally:
            self._gh_starting -= 1
        if preheated:
            self._gh_preheated.add(kernel_id)
        else:
            self._gh_visitors[kernel_id] = time.monotonic()
        return kernel_id

    # ------------------------------------------------------------ culling

    async def cull_kernel_if_idle(self, kernel_id: str):
        # Voila's own override returns before calling this for kernels waiting in its pool.
        if kernel_id not in self._gh_seen:
            if kernel_id in self._gh_preheated and kernel_id not in self._gh_stamps:
                return None  # a pool kernel Voila has not put in its pool yet: decide in a later round
            self._gh_seen.add(kernel_id)
            kernel = self._kernels.get(kernel_id)
            if kernel is not None and getattr(kernel, "execution_state", None) != "dead":
                kernel.last_activity = utcnow()
                self.log.debug("kernel %s left the preheated pool or just started: idle clock restarted", kernel_id)
                return None
        return await ensure_async(super().cull_kernel_if_idle(kernel_id))

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        self._gh_seen.discard(kernel_id)
        self._gh_preheated.discard(kernel_id)
        self._gh_visitors.pop(kernel_id, None)
        self._gh_stamps.pop(kernel_id, None)
        return await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))


def _scheduled_initialize(original):
    """Voila's `_initialize(notebook, kernel_id=None)` (start a kernel and pre-run the notebook),
    holding a preheating slot from before the kernel starts until the pre-run has finished (or a
    visitor took the kernel: Voila then stops the pre-run after the running cell)."""

    @functools.wraps(original)
    async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
        if kernel_id is not None:  # a restart of a known kernel: no new kernel, no slot
            return await original(self, notebook_path, kernel_id, **kwargs)
        await self._gh_acquire_preheat(notebook_path)
        stamp = self._gh_fingerprint()
        try:
            content = await original(self, notebook_path, kernel_id, **kwargs)
        except BaseException:
            self._gh_release_preheat()
            raise
        self._gh_stamps[content["kernel_id"]] = stamp
        content["task"].add_done_callback(self._gh_release_preheat)
        return content

    return _initialize


def _ready_pool_size(self, notebook_name: str) -> int:
    """Preheated kernels ready to hand out: started, and computed from the cache as it is now.
    0 sends the visitor to a fresh kernel at once instead of waiting behind the preheating queue."""
    now = self._gh_fingerprint()
    ready = 0
    stale = False
    for task in getattr(self, "_pools", {}).get(notebook_name, []):
        if not task.done() or task.cancelled() or task.exception() is not None:
            continue
        if self._gh_stamps.get(task.result()["kernel_id"], now) == now:
            ready += 1
        else:
            stale = True
    if stale:
        self._gh_last_fingerprint = None   # the watch replaces it on its next look
    return ready

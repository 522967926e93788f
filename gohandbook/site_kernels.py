"""The site's kernel manager: Jupyter Server's, with one fix to idle-kernel culling under Voila.

Voila never culls a preheated kernel while it waits in its pool. But a preheated kernel has been
idle since it finished pre-running its notebook, possibly for longer than the cull timeout; when a
visitor takes it, it leaves the pool and, until the visitor's page has opened its websocket (a few
seconds), it has no connection: a culling round in that window stops it and the page is left
without a kernel ("The model for kernel id ... does not exist"). This manager restarts the idle
clock of every kernel the first time a culling round sees it outside a pool, so a kernel is only
culled after `cull_idle_timeout` seconds with no activity and no page since it was handed out
(or started).

Used by gohandbook/site.py through `--VoilaConfiguration.multi_kernel_manager_class`.
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async

try:
    from jupyter_server._tz import utcnow
except ImportError:  # pragma: no cover - older layout
    import datetime as _dt

    def utcnow():
        return _dt.datetime.now(_dt.timezone.utc)


class HandbookKernelManager(AsyncMappingKernelManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._gh_seen: set[str] = set()

    def _gh_pool_pending(self) -> bool:
        """A preheated kernel still being started: which kernel it is cannot be told yet."""
        return any(not task.done() for pool in getattr(self, "_pools", {}).values() for task in pool)

    async def cull_kernel_if_idle(self, kernel_id: str):
        # Voila's own override returns before calling this for kernels waiting in its pool.
        if kernel_id not in self._gh_seen:
            if self._gh_pool_pending():
                return None  # maybe a pool kernel: decide in a later round
            self._gh_seen.add(kernel_id)
            kernel = self._kernels.get(kernel_id)
            if kernel is not None and getattr(kernel, "execution_state", None) != "dead":
                kernel.last_activity = utcnow()
                self.log.debug("kernel %s left the preheated pool or just started: idle clock restarted", kernel_id)
                return None
        return await ensure_async(super().cull_kernel_if_idle(kernel_id))

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        self._gh_seen.discard(kernel_id)
        return await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))

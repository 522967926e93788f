"""Run one chapter notebook for many profiles on one warm kernel.

A cold kernel costs seconds (start, imports); a chapter's cells for one profile cost well
under a second once the measurements are cached. A batch therefore keeps one kernel per
chapter, injects each profile's parameters exactly as Papermill does (its own
`parameterize_notebook`, so the notebook's validation cell sees the same injected cell),
clears the namespace between profiles and executes the cells with nbclient.

Every kernel the handbook starts (here and under Papermill, through `kernel_manager_class`) gets
SIGKILL when the process that started it dies: a killed report leaves no kernel behind.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

RESET = "%reset -f"  # namespace and history (`In`) start empty for every profile
# Run by every report and batch kernel before its notebook: jsonschema (through Altair) would import
# rfc3987_syntax, whose grammars take 2-3 s of CPU to build, for an 'iri' format no schema here uses
# (the site's kernels skip it too: gohandbook.site.kernel_boot).
KERNEL_ARGS = ["--IPKernelApp.exec_lines=import sys; sys.modules.setdefault('rfc3987_syntax', None)"]


def _dying(base):
    """A kernel manager class whose kernels die with the process that started them."""
    from .proc import die_with_parent

    class DyingKernelManager(base):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("preexec_fn", die_with_parent)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    DyingKernelManager.__name__ = DyingKernelManager.__qualname__ = "Dying" + base.__name__
    return DyingKernelManager


@functools.lru_cache(maxsize=2)
def kernel_manager_class(asynchronous: bool = True):
    """For Papermill/nbclient (`kernel_manager_class=`): AsyncKernelManager with the parent-death signal."""
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    return _dying(AsyncKernelManager if asynchronous else KernelManager)


@dataclass
class Executed:
    ok: bool
    seconds: float
    error: str = ""


class WarmKernel:
    def __init__(self, cwd: Path, kernel_name: str = "python3", timeout: int = 900):
        self.timeout = timeout
        self.km = kernel_manager_class(asynchronous=False)(kernel_name=kernel_name)
        self.km.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGS)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def run(self, template: Path, parameters: dict[str, Any], out: Path) -> Executed:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        nb = parameterize_notebook(load_notebook_node(str(template)), parameters)
        t0 = time.perf_counter()
        self.kc.execute_interactive(RESET, timeout=60, store_history=False)
        client = NotebookClient(nb, km=self.km, timeout=self.timeout, allow_errors=False,
                                kernel_name=self.km.kernel_name)
        client.kc = self.kc
        error = ""
        try:
            client.execute()
        except CellExecutionError as exc:
            error = f"{exc.ename}: {exc.evalue}"
        except Exception as exc:  # kernel died or timed out: this notebook fails, the batch goes on
            error = f"{type(exc).__name__}: {exc}"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
        return Executed(not error, time.perf_counter() - t0, error)

    def close(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)

    def __enter__(self) -> "WarmKernel":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

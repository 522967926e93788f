"""Cost of Python concurrency units: blocked threads or pending asyncio tasks.

    python concurrency_units.py thread N          # N threads blocked on one Event
    python concurrency_units.py asyncio N         # N tasks awaiting one asyncio.Event
    python concurrency_units.py thread-limit CAP  # start threads until one fails or CAP run

Prints one JSON object: RSS and virtual size (from /proc/self/status) before and after,
bytes per unit, and for thread-limit how many threads started and the error that stopped
it. The caller bounds CAP so the machine keeps enough process IDs; threads are released
(the process exits) right after the reading.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import sys
import threading
import time


def status() -> dict:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmSize", "VmHWM", "Threads"):
                out[key] = int(rest.split()[0])
    with open("/proc/self/maps") as f:
        maps = sum(1 for _ in f)
    return {"rss_kib": out.get("VmRSS", 0), "vm_kib": out.get("VmSize", 0),
            "hwm_kib": out.get("VmHWM", 0), "threads": out.get("Threads", 0), "maps": maps}


def per_unit(before: dict, after: dict, n: int) -> dict:
    if n <= 0:
        return {"rss_bytes_per_unit": 0.0, "vm_bytes_per_unit": 0.0, "maps_per_unit": 0.0}
    return {"rss_bytes_per_unit": (after["rss_kib"] - before["rss_kib"]) * 1024 / n,
            "vm_bytes_per_unit": (after["vm_kib"] - before["vm_kib"]) * 1024 / n,
            "maps_per_unit": (after["maps"] - before["maps"]) / n}


def threads(n: int, *, stop_on_error: bool) -> dict:
    gc.collect()
    before = status()
    release = threading.Event()
    started, error = [], ""
    t0 = time.perf_counter()
    for _ in range(n):
        t = threading.Thread(target=release.wait, daemon=True)
        try:
            t.start()
        except (RuntimeError, MemoryError) as exc:  # "can't start new thread"
            error = f"{type(exc).__name__}: {exc}"
            if stop_on_error:
                break
            raise
        started.append(t)
    spawn = time.perf_counter() - t0
    gc.collect()
    after = status()
    count = len(started)
    # Not released: waking thousands of threads only to fight for the GIL is slow; os._exit ends them.
    return {"kind": "thread", "n": count, "requested": n, "spawn_seconds": spawn, "before": before,
            "after": after, "error": error, "limit_reached": bool(error),
            "stack_size_setting": threading.stack_size(), **per_unit(before, after, count)}


async def _tasks(n: int) -> dict:
    gc.collect()
    before = status()
    release = asyncio.Event()
    t0 = time.perf_counter()
    tasks = [asyncio.ensure_future(release.wait()) for _ in range(n)]
    await asyncio.sleep(0)  # every task runs up to its await
    spawn = time.perf_counter() - t0
    gc.collect()
    after = status()
    release.set()
    await asyncio.gather(*tasks)
    return {"kind": "asyncio", "n": n, "requested": n, "spawn_seconds": spawn, "before": before, "after": after,
            "error": "", "limit_reached": False, **per_unit(before, after, n)}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("thread", "asyncio", "thread-limit") or not argv[1].isdigit():
        print(__doc__, file=sys.stderr)
        return 2
    mode, n = argv[0], int(argv[1])
    stack_kib = _stack_limit_kib()  # before any thread: at the limit even an import can fail
    if mode == "thread":
        out = threads(n, stop_on_error=False)
    elif mode == "thread-limit":
        out = threads(n, stop_on_error=True)
        out["kind"] = "thread-limit"
    else:
        out = asyncio.run(_tasks(n))
    out["python"] = sys.version.split()[0]
    out["ulimit_stack_kib"] = stack_kib
    print(json.dumps(out), flush=True)
    os._exit(0)  # do not wait for thousands of threads to be torn down one by one


def _stack_limit_kib() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    return None if soft == resource.RLIM_INFINITY else soft // 1024


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

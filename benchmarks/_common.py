"""Shared by the benchmark scripts: run the CLI with a given cache and time it."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOHANDBOOK = str(Path(sys.executable).parent / "gohandbook")


def fresh_cache() -> str:
    import atexit
    import shutil

    path = tempfile.mkdtemp(prefix="gohandbook-bench-cache-")
    atexit.register(shutil.rmtree, path, True)
    return path


def timed(cmd: list[str], cache: str | None) -> float:
    env = dict(os.environ)
    if cache:  # None or "": the repository's own cache
        env["GOHANDBOOK_CACHE"] = cache
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return seconds

"""Where things live: the repository, the Go samples, the data folder and the cache."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path:
    """The checkout this package was installed from (editable install), or $GOHANDBOOK_HOME."""
    env = os.environ.get("GOHANDBOOK_HOME")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parent
    if (candidate / "pyproject.toml").exists() and (candidate / "go-samples").is_dir():
        return candidate
    raise RuntimeError(
        "cannot find the handbook checkout: install the package in editable mode "
        "(pip install -e .) or set GOHANDBOOK_HOME to the repository folder"
    )


def samples_dir() -> Path:
    return repo_root() / "go-samples"


def data_dir() -> Path:
    return repo_root() / "data"


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def cache_dir() -> Path:
    """Measurement cache: $GOHANDBOOK_CACHE, else .cache/gohandbook inside the repo (git-ignored)."""
    env = os.environ.get("GOHANDBOOK_CACHE")
    path = Path(env) if env else repo_root() / ".cache" / "gohandbook"
    path.mkdir(parents=True, exist_ok=True)
    return path

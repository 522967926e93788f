from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    """An empty measurement cache for one test."""
    monkeypatch.setenv("GOHANDBOOK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def venv_tool(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else name


@pytest.fixture(scope="session")
def go():
    from gohandbook.toolchain import find_go

    return find_go()


os.environ.setdefault("PYTHONUNBUFFERED", "1")

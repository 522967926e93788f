"""The chapters: notebook file, title and parameters, declared once.

Each chapter lives in its own module `gohandbook/chN.py` that defines `CHAPTER` (a
`Chapter`) and its parameters; `chapters()` finds them, so adding a chapter touches no
shared file. A profile (YAML) is a flat mapping of parameter names to values across all
chapters; each chapter receives the subset it declares. A name no chapter declares is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from . import paths
from .params import Param, ParameterError, ParamSet

RUNTIME_CHOICES = ("python_uvicorn", "python_threading", "node", "java")

COMMON = ParamSet("every chapter", (
    Param("profile_name", "str", "default", "Name of the team profile, shown in reports", label="Profile"),
    Param("team_size", "int", 8, "Engineers who would work in Go", label="Team size", min=1, max=5000, step=1),
    Param("current_stack", "choice", "python_uvicorn",
          "The team's current service runtime, compared with Go in the measurements",
          label="Current stack", choices=RUNTIME_CHOICES),
    Param("quick", "bool", True, "Read quick-preset measurements (CI, default report) rather than full ones"),
    Param("live_widgets", "bool", True, "Show interactive controls (JupyterLab, Voila); reports set false"),
))

@dataclass(frozen=True)
class Chapter:
    number: int
    notebook: str
    title: str
    params: ParamSet
    measurements: tuple[str, ...] = ()   # what its notebook reads from the cache

    @property
    def path(self) -> Path:
        return paths.notebooks_dir() / self.notebook

    @property
    def slug(self) -> str:
        return Path(self.notebook).stem


def chapters() -> tuple[Chapter, ...]:
    """Every chapter module present (gohandbook.ch1 … ch5), in order."""
    import importlib

    found = []
    for number in range(1, 6):
        try:
            module = importlib.import_module(f"gohandbook.ch{number}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gohandbook.ch{number}":
                raise
            continue
        found.append(module.CHAPTER)
    return tuple(found)


def all_params() -> ParamSet:
    merged = COMMON
    for chapter in chapters():
        merged = merged.merged(chapter.params, name="profile")
    return merged


def load_profile(source: str | Path | Mapping[str, Any] | None) -> dict[str, Any]:
    """Read and validate a profile (YAML file or mapping) against every chapter's parameters."""
    if source is None:
        raw: Any = {}
    elif isinstance(source, Mapping):
        raw = dict(source)
    else:
        path = Path(source)
        try:
            raw = yaml.safe_load(path.read_text()) or {}
        except FileNotFoundError:
            raise ParameterError(f"profile file {path} does not exist") from None
        except yaml.YAMLError as exc:
            raise ParameterError(f"profile file {path} is not valid YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise ParameterError(f"profile file {path} must be a mapping of parameter names to values")
        raw.setdefault("profile_name", path.stem)
    return all_params().validate(raw)


def chapter_params(chapter: Chapter, profile: Mapping[str, Any]) -> dict[str, Any]:
    """The values a chapter's notebook receives from a validated profile."""
    return {name: profile[name] for name in chapter.params.by_name if name in profile}

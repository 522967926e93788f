"""The chapters: notebook file, title and parameters, declared once.

A profile (YAML) is a flat mapping of parameter names to values across all chapters; each
chapter receives the subset it declares. A name no chapter declares is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from . import paths
from .models.decision import CRITERIA
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

WORKLOAD_PRESETS: dict[str, dict[str, int]] = {
    # Starting answers (0-4) for a typical team with this workload; every one can be overridden.
    "infrastructure": dict(high_concurrency=4, ops_tooling=3, efficiency_bottleneck=2, compute_ai=0,
                           legacy_abstractions=1, no_systems_experience=1),
    "tooling": dict(high_concurrency=1, ops_tooling=4, efficiency_bottleneck=2, compute_ai=0,
                    legacy_abstractions=0, no_systems_experience=1),
    "web_services": dict(high_concurrency=2, ops_tooling=1, efficiency_bottleneck=2, compute_ai=0,
                         legacy_abstractions=2, no_systems_experience=2),
    "data_science": dict(high_concurrency=0, ops_tooling=1, efficiency_bottleneck=1, compute_ai=4,
                         legacy_abstractions=0, no_systems_experience=3),
    "legacy_enterprise": dict(high_concurrency=1, ops_tooling=1, efficiency_bottleneck=3, compute_ai=0,
                              legacy_abstractions=4, no_systems_experience=2),
}

DEFAULT_WEIGHTS = dict(high_concurrency=6, ops_tooling=4, efficiency_bottleneck=4, compute_ai=8,
                       legacy_abstractions=5, no_systems_experience=5)

CH1 = COMMON.merged(ParamSet("chapter 1", (
    Param("workload_kind", "choice", "web_services",
          "The kind of system Go would be used for; sets the starting answers below",
          label="Workload", choices=tuple(WORKLOAD_PRESETS)),
    *(Param(f"answer_{c.key}", "int", None, f"How well does this describe us (0 not at all - 4 fully): {c.label}; "
            "null takes the workload's starting answer", label=c.label, min=0, max=4, step=1, nullable=True)
      for c in CRITERIA),
    *(Param(f"weight_{c.key}", "float", float(DEFAULT_WEIGHTS[c.key]), f"Weight (0-10) of: {c.label}",
            label=c.label, min=0, max=10, step=0.5) for c in CRITERIA),
    Param("adopt_threshold", "float", 0.2, "Score needed for a clear yes (and its negative for a clear no)",
          label="Decision threshold", min=0.05, max=0.95, step=0.05),
    Param("min_qps_ratio", "float", 1.0, "Performance gate: Go must serve at least this many times the current stack's QPS",
          label="Min QPS ratio", min=0, max=100, step=0.1),
    Param("max_rss_ratio", "float", 0.5, "Performance gate: Go's peak RSS at most this fraction of the current stack's",
          label="Max RSS ratio", min=0.01, max=10, step=0.05),
    Param("team_acceptance", "int", 3, "Acceptance gate: the team's own rating of Go after the pilot (0-4)",
          label="Team acceptance", min=0, max=4, step=1),
)), name="chapter 1")


@dataclass(frozen=True)
class Chapter:
    number: int
    notebook: str
    title: str
    params: ParamSet

    @property
    def path(self) -> Path:
        return paths.notebooks_dir() / self.notebook

    @property
    def slug(self) -> str:
        return Path(self.notebook).stem


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(1, "01-should-we-choose-go.ipynb", "Should we choose Go?", CH1),
)


def all_params() -> ParamSet:
    merged = COMMON
    for chapter in CHAPTERS:
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

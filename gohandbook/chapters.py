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

from . import claims as claims_mod, measure, paths
from .i18n import LANGS, N_
from .params import Param, ParameterError, ParamSet

RUNTIME_CHOICES = ("python_uvicorn", "python_threading", "node", "java")

COMMON = ParamSet("every chapter", (
    Param("profile_name", "str", "default", N_("Name of the team profile, shown in reports"), label=N_("Profile")),
    Param("team_size", "int", 8, N_("Engineers who would work in Go"), label=N_("Team size"), min=1, max=5000, step=1),
    Param("current_stack", "choice", "python_uvicorn",
          N_("The team's current service runtime, compared with Go in the measurements"),
          label=N_("Current stack"), choices=RUNTIME_CHOICES),
    Param("quick", "bool", True, N_("Read quick-preset measurements (CI, default report) rather than full ones")),
    Param("live_widgets", "bool", True, N_("Show interactive controls (JupyterLab, Voila); reports set false")),
    # Words only: the same parameters, measurements and cache in both languages (gohandbook/i18n.py).
    Param("lang", "choice", "en", N_("Language of the pages: en (English) or zh (Chinese)"), label=N_("Language"),
          choices=LANGS),
))

@dataclass(frozen=True)
class Chapter:
    """A chapter's declarations and the one way to read what it shows: `preset(params)`,
    `lookup(params, name)` / `results(params)` (cached measurements, never measuring) and
    `claims(params, section=...)` (the source document's claims with their verdicts)."""
    number: int
    notebook: str
    title: str
    params: ParamSet
    measurements: tuple[str, ...] = ()   # what its notebook reads from the cache
    all_claims: bool = False             # a summary chapter's ledger covers every chapter's claims

    @property
    def path(self) -> Path:
        return paths.notebooks_dir() / self.notebook

    @property
    def slug(self) -> str:
        return Path(self.notebook).stem

    def path_for(self, lang: str = "en") -> Path:
        """The notebook in `lang`: `notebooks/zh/…` for Chinese where it has been written (scripts/_nb.py
        writes both from one source), else the English one (it takes `lang` too, for its computed text)."""
        if lang and lang != "en":
            translated = paths.notebooks_dir() / lang / self.notebook
            if translated.exists():
                return translated
        return self.path

    @staticmethod
    def preset(params: Mapping[str, Any]) -> str:
        """Which measurement preset the parameters ask for (`quick` unless `quick` is false)."""
        return "quick" if params.get("quick", True) else "full"

    def lookup(self, params: Mapping[str, Any], name: str) -> measure.Lookup:
        """One cached measurement in this chapter's preset (never measures); `.status` says if it is current.
        It carries the page's language (`params["lang"]`), so its banner and `reason_in()` are worded in it."""
        found = measure.lookup(name, self.preset(params))
        if params.get("lang"):
            found.lang = params["lang"]
        return found

    def results(self, params: Mapping[str, Any]) -> dict[str, measure.Lookup]:
        """Every measurement the chapter reads, by name (never measures)."""
        return {name: self.lookup(params, name) for name in self.measurements}

    def claims(self, params: Mapping[str, Any], section: str | None = None) -> list[claims_mod.ClaimVerdict]:
        """The chapter's claims (every chapter's for a summary chapter), optionally one section's, with verdicts
        computed from the cached results in this chapter's preset."""
        verdicts = claims_mod.ledger(lambda name: self.lookup(params, name),
                                     chapter=None if self.all_claims else self.number)
        return [v for v in verdicts if section is None or v.section == section]


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
    if "services" in raw:  # the team's own services: a mapping, not a parameter (gohandbook.services)
        from .services import resolve_in_profile

        resolve_in_profile(raw, Path(source).parent if isinstance(source, (str, Path)) else Path.cwd())
    return all_params().validate(raw)


def chapter_params(chapter: Chapter, profile: Mapping[str, Any]) -> dict[str, Any]:
    """The values a chapter's notebook receives from a validated profile."""
    return {name: profile[name] for name in chapter.params.by_name if name in profile}

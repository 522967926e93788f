"""Measurements: named, parameterised runs of Go samples (and their peers) into the cache.

Each measurement module registers a `Measurement`. `run()` measures (under the cache's
per-result lock and the machine-wide measurement lock) unless a result with the same key
exists; `lookup()` only reads, and tells whether a cached result is current or stale and why.
Models, widgets and notebooks call `lookup()`; they never start a measurement.
"""

from __future__ import annotations

import datetime as _dt
import functools
import platform
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .. import __version__, paths
from ..cache import Cache, host_fingerprint, host_id, read_json_file, result_key, result_problem
from ..goversion import mismatch_part
from ..i18n import N_, _
from ..params import ParamSet
from ..toolchain import GoToolchain, find_go, tree_hash

Progress = Callable[[float, str], None]


@dataclass
class Context:
    params: dict[str, Any]
    go: GoToolchain
    progress: Progress
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Measurement:
    name: str
    title: str
    chapter: int
    sources: tuple[str, ...]             # files/folders below go-samples/ that determine the result
    params: ParamSet
    presets: dict[str, dict[str, Any]]    # "quick" and "full" parameter sets
    func: Callable[[Context], dict]       # returns {"summary": {...}, "raw": {...}}
    code_version: int = 1
    description: str = ""

    def resolve_params(self, preset: str = "quick", overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        if preset not in self.presets:
            from ..params import ParameterError
            raise ParameterError(f"preset = {preset!r} is not allowed: allowed is one of {', '.join(map(repr, self.presets))}")
        return self.params.validate({**self.presets[preset], **(overrides or {})})

    def sample_hash(self) -> str:
        root = paths.samples_dir()
        return tree_hash(*(root / s for s in self.sources))


REGISTRY: dict[str, Measurement] = {}


def register(m: Measurement) -> Measurement:
    REGISTRY[m.name] = m
    return m


def _load_all() -> None:
    """Import every module of this package: each registers its measurements (no shared list to edit)."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def get_measurement(name: str) -> Measurement:
    _load_all()
    if name not in REGISTRY:
        raise KeyError(f"unknown measurement {name!r}: known are {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def all_measurements() -> list[Measurement]:
    _load_all()
    return sorted(REGISTRY.values(), key=lambda m: (m.chapter, m.name))


def _key(m: Measurement, params: dict[str, Any], go: GoToolchain) -> str:
    return result_key(m.name, code_version=m.code_version, sample_hash=m.sample_hash(),
                      go_version=go.version, host=host_fingerprint(), params=params)


# A reason's sentence as data: (msgid, fields); a field may itself be a list of such sentences (joined with "; ").
# Shown in the page's language with `Lookup.reason_in(lang)`; `Lookup.reason` is the English text (results.json).
Sentence = tuple  # (str, dict)


def say(sentence: Sentence, lang: str | None = None) -> str:
    """One reason sentence in `lang` (its nested sentences too)."""
    msgid, fields = sentence
    return _(msgid, lang).format(**{k: say_all(v, lang) if isinstance(v, list) else v for k, v in fields.items()})


def say_all(sentences, lang: str | None = None) -> str:
    return _("; ", lang).join(say(s, lang) for s in sentences)


@dataclass
class Lookup:
    result: dict | None
    status: str          # "current" | "stale" | "reference" | "missing"
    reason: str = ""     # English, as machine-readable outputs keep it
    why: tuple = ()      # the reason as sentences (msgid, fields), to show it in another language
    lang: str | None = None  # the page's language, when read through a Chapter (for banners)

    @classmethod
    def explained(cls, result: dict | None, status: str, *why: Sentence) -> "Lookup":
        return cls(result, status, say_all(why, "en"), tuple(why))

    @property
    def ok(self) -> bool:
        return self.result is not None

    def provenance(self, lang: str | None = None) -> str:
        """The result's provenance line in `lang` (default: the page's language), or "" when there is no result."""
        return provenance_line(self.result, lang or self.lang) if self.ok else ""

    def reason_in(self, lang: str | None = None) -> str:
        """The reason in `lang` (default: the language of the page that read it, else the current one)."""
        lang = lang or self.lang
        return say_all(self.why, lang) if self.why else self.reason


# What a reader sees about a result, in one place (translated where shown).
REFERENCE_REASON = N_("reference result shipped in data/reference-results, measured by the handbook on {cpu} "
                      "({cores} cores) with {go} on {date}, not on this machine: run `gohandbook measure {name}` to "
                      "measure here")
REFERENCE_REASON_GO = N_("reference result shipped in data/reference-results, measured by the handbook on {cpu} "
                         "({cores} cores) with {go} on {date}, not on this machine: run `gohandbook measure {name}` "
                         "to measure here ({note})")
MISSING_REASON = N_("{name} has not been measured on this machine yet: run `gohandbook measure {name}`")
STALE_REASON = N_("stale: {reasons}")
STALE_GO = N_("Go changed from {old} to {new}")
STALE_SAMPLES = N_("the sample source changed")
STALE_CODE = N_("the measurement code changed")
STALE_HOST = N_("measured on another machine ({cpu})")
STALE_PARAMS = N_("measured with other parameters")
STALE_KEY = N_("key differs")
PROVENANCE = N_("Measured on {cpu} ({cores} cores, {memory} GiB, {os}), {go}, {when} UTC, preset {preset}, "
                "result {key}")


def lookup(name: str, preset: str = "quick", overrides: dict[str, Any] | None = None,
           cache: Cache | None = None) -> Lookup:
    """Read the cached result for the current key; else the newest stale one, with the reason."""
    m = get_measurement(name)
    cache = cache or Cache()
    params = m.resolve_params(preset, overrides)
    try:
        go = find_go()
    except Exception as exc:  # no toolchain: stale results can still be shown
        go = None
        go_problem = str(exc)
    if go is not None:
        key = _key(m, params, go)
        hit = cache.get(name, key)
        if hit is not None:
            return Lookup(hit, "current")
    old = cache.latest(name, params) or cache.latest(name)
    if old is None:
        ref = reference_result(name, preset)
        if ref is not None:
            p = ref["provenance"]
            fields = {"cpu": p["host"]["cpu_model"], "cores": p["host"]["cores"], "go": p["go"]["version"],
                      "date": p["finished"][:10], "name": name}
            note = mismatch_part(go.version, p["go"]["version"]) if go is not None else None
            return Lookup.explained(ref, "reference", (REFERENCE_REASON_GO, {**fields, "note": [note]}) if note
                                    else (REFERENCE_REASON, fields))
        return Lookup.explained(None, "missing", (MISSING_REASON, {"name": name}))
    if go is None:
        return Lookup(old, "stale", go_problem)
    return Lookup.explained(old, "stale", stale_why(m, old, params, go))


def reference_dir():
    return paths.data_dir() / "reference-results"


def reference_result(name: str, preset: str) -> dict | None:
    """A result recorded by the handbook on another machine and shipped with it (clearly labelled); None when
    there is none, or when the file is not a result (said on stderr, so a damaged file is noticed, not shown)."""
    path = reference_dir() / f"{name}-{preset}.json"
    try:
        return read_json_file(path, result_problem)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        print(f"warning: reference result {path} ignored: {exc}", file=sys.stderr)
        return None


def record_reference(name: str, preset: str = "quick", cache: Cache | None = None) -> str | None:
    """Copy the current cached result into data/reference-results (for sites without measurements)."""
    import json

    found = lookup(name, preset, cache=cache)
    if found.status != "current":
        return None
    folder = reference_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{preset}.json"
    result = dict(found.result, raw={})  # raw samples stay in the cache; the summary and provenance travel
    path.write_text(json.dumps(result, indent=1, sort_keys=True, default=str) + "\n")
    return str(path)


def stale_why(m: Measurement, result: dict, params: dict, go: GoToolchain) -> Sentence:
    """Why a cached result is not current, as a sentence (shown in the page's language)."""
    prov = result.get("provenance", {})
    reasons = []
    if prov.get("go", {}).get("version") != go.version:
        reasons.append((STALE_GO, {"old": prov.get("go", {}).get("version"), "new": go.version}))
    if prov.get("sample_hash") != m.sample_hash():
        reasons.append((STALE_SAMPLES, {}))
    if prov.get("code_version") != m.code_version:
        reasons.append((STALE_CODE, {}))
    if prov.get("host_id") != host_id():
        reasons.append((STALE_HOST, {"cpu": prov.get("host", {}).get("cpu_model", "?")}))
    if prov.get("params") != params:
        reasons.append((STALE_PARAMS, {}))
    return STALE_REASON, {"reasons": reasons or [(STALE_KEY, {})]}


def run(name: str, preset: str = "quick", overrides: dict[str, Any] | None = None, *, force: bool = False,
        progress: Progress | None = None, cache: Cache | None = None) -> dict:
    """Measure unless the cache already has this exact result. Safe to call from two processes."""
    m = get_measurement(name)
    return run_resolved(m, m.resolve_params(preset, overrides), preset, force=force, progress=progress, cache=cache)


def run_resolved(m: Measurement, params: dict[str, Any], preset: str, *, force: bool = False,
                 progress: Progress | None = None, cache: Cache | None = None) -> dict:
    """`run` for a Measurement object with resolved parameters, registered or not (a measurement that only
    means something for a profile's own service is not registered, yet gets the same key, locks and provenance)."""
    name = m.name
    cache = cache or Cache()
    go = find_go()
    key = _key(m, params, go)
    progress = progress or (lambda fraction, message: None)
    if not force and (hit := cache.get(name, key)) is not None:
        progress(1.0, N_("cached"))
        return hit
    with cache.lock(name, key):
        if not force and (hit := cache.get(name, key)) is not None:
            progress(1.0, N_("cached (measured by another run meanwhile)"))
            return hit
        with cache.global_lock():
            ctx = Context(params=params, go=go, progress=progress)
            started = _dt.datetime.now(_dt.timezone.utc)
            t0 = time.perf_counter()
            out = m.func(ctx)
            duration = time.perf_counter() - t0
        result = {
            "name": name, "key": key, "title": m.title, "chapter": m.chapter,
            "provenance": {
                "host": host_fingerprint(), "host_id": host_id(), "go": go.as_dict(),
                "python": platform.python_version(), "python_executable": sys.executable,
                "params": params, "preset": preset, "sample_hash": m.sample_hash(),
                "code_version": m.code_version, "gohandbook": __version__,
                "started": started.isoformat(timespec="seconds"),
                "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "duration_s": round(duration, 2),
            },
            "summary": out["summary"], "raw": out.get("raw", {}), "notes": ctx.notes + out.get("notes", []),
        }
        cache.put(name, key, result)
        progress(1.0, N_("done"))
        return result


def provenance_line(result: dict, lang: str | None = None) -> str:
    """One line for captions: where, with what, when, with which parameters (words in `lang`, default the
    current language; the figures are the same in every language)."""
    p = result["provenance"]
    host = p["host"]
    return _(PROVENANCE, lang).format(cpu=host["cpu_model"], cores=host["cores"], memory=host["memory_gib"],
                                      os=host["os"], go=p["go"]["version"],
                                      when=p["finished"][:16].replace("T", " "), preset=p["preset"],
                                      key=result["key"][:8])


# Progress messages with figures in them. `gohandbook measure` prints them in English; the site's measure buttons
# (widgets/measure_button.py) show them in the page's language through `progress_in`. Constant ones are marked N_
# where a measurement says them.
PROGRESS_RUN = N_("{what}: run {i}/{n}")
PROGRESS_RUN_ONLY = N_("run {i}/{n}")
PROGRESS_BEFORE = N_("{what}: before the fault")
PROGRESS_DURING = N_("{what}: during the fault")
PROGRESS_AFTER = N_("{what}: after the fault")
PROGRESS_HOLDING = N_("holding {n} connections")
PROGRESS_REQUESTS = N_("{what}: {requests} requests ({i}/{n})")
PROGRESS_PASS = N_("{what}: {connections} connections (pass {i}/{n})")
PROGRESS_JAVA_BUFFERS = N_("Java direct buffers ({what})")
PROGRESS_LOOPVAR = N_("go run + go vet with {what}")
PROGRESS_STARTUP = N_("start-up {what} {i}/{n}")
PROGRESS_GOROUTINES = N_("Go: {n} goroutines ({i}/{total})")
PROGRESS_THREAD_LIMIT = N_("Python threads until creation fails (cap {cap})")
PROGRESS_TEMPLATES = (PROGRESS_RUN, PROGRESS_RUN_ONLY, PROGRESS_BEFORE, PROGRESS_DURING, PROGRESS_AFTER,
                      PROGRESS_HOLDING, PROGRESS_REQUESTS, PROGRESS_PASS, PROGRESS_JAVA_BUFFERS, PROGRESS_LOOPVAR,
                      PROGRESS_STARTUP, PROGRESS_GOROUTINES, PROGRESS_THREAD_LIMIT)


def progress_in(message: str, lang: str | None = None) -> str:
    """A progress message as a measurement printed it (English), worded in `lang`."""
    if not message or not lang or lang == "en":
        return message
    worded = _reword(message, PROGRESS_TEMPLATES, lang, lambda v: _(v, lang))
    return _(message, lang) if worded is None else worded


def _reword(text: str, templates: Sequence[str], lang: str, inner: Callable[[str], str]) -> str | None:
    """`text` as the first of `templates` that wrote it, worded in `lang` (its fields through `inner`); None if none."""
    for template in templates:
        match = _template_regex(template).fullmatch(text)
        if match:
            return _(template, lang).format(**{k: inner(v) for k, v in match.groupdict().items()})
    return None


@functools.lru_cache(maxsize=None)
def _template_regex(template: str) -> "re.Pattern":
    """A regular expression matching what `template.format(...)` writes, one named group per placeholder."""
    import re

    parts, seen = re.split(r"\{(\w+)\}", template), set()
    pattern = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pattern += re.escape(part)
        else:   # a placeholder used twice ("run `gohandbook measure {name}` … {name}") matches the same text
            pattern += f"(?P={part})" if part in seen else f"(?P<{part}>.+?)"
            seen.add(part)
    return re.compile(pattern.replace("(?P<key>.+?)", r"(?P<key>[0-9a-f]{8})"))  # a result key: 8 hex digits


# Provenance and reasons that are stored English (key figures in results.json) and worded where shown
# (`provenance_in`): the cache's reasons here, and each chapter's model provenance (`provenance_template`).
PROVENANCE_TEMPLATES: list[str] = [REFERENCE_REASON_GO, REFERENCE_REASON, MISSING_REASON, STALE_REASON, STALE_GO,
                                   STALE_SAMPLES, STALE_CODE, STALE_HOST, STALE_PARAMS, STALE_KEY]


def provenance_template(template: str) -> str:
    """Register an English provenance template (an `N_()` message) that `provenance_in` words in another language."""
    if template not in PROVENANCE_TEMPLATES:
        PROVENANCE_TEMPLATES.append(template)
    return template


def provenance_in(text: str, lang: str | None = None) -> str:
    """`text`, a provenance or reason stored English (as `provenance_line` or a registered template writes it,
    e.g. a key figure's provenance in results.json), worded in `lang`; the figures stay as they are."""
    if not text or not lang or lang == "en":
        return text
    worded = _reword(text, PROVENANCE_TEMPLATES, lang, lambda v: provenance_in(v, lang))
    if worded is not None:
        return worded
    if "; " in text:
        parts = text.split("; ")
        if len(parts) > 1 and any(provenance_in(p, lang) != p for p in parts):
            return _("; ", lang).join(provenance_in(p, lang) for p in parts)
    return _template_regex(PROVENANCE).sub(lambda m: _(PROVENANCE, lang).format(**m.groupdict()), text)

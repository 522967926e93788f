"""Batch reports: many team profiles, one set of measurements, one report each, one comparison page.

Measurements depend on the machine, not the team: the batch measures once (one at a time)
and every profile reuses the cache. Notebooks run in parallel worker processes; each worker
keeps one warm kernel per chapter and runs that chapter for every profile. A bad profile
fails alone with its message; the others go on.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from .chapters import chapter_params, chapters
from .i18n import HTML_LANG, N_, _
from .params import ParameterError
from .report import (DISK_ERRNOS, ChapterOutcome, ReportError, Say, clean_stale, convert_or_error, describe_error, finish,
                     keep_failed, measure_all, measure_services, one_line, output_lock, prepare_profile, work_dir, worker_init)


@dataclass
class ProfileResult:
    name: str
    source: str
    ok: bool
    out: Path | None = None
    error: str = ""
    recommendation: str = ""
    score: float | None = None
    chapters: list[ChapterOutcome] = field(default_factory=list)
    model_figures: list[dict[str, Any]] = field(default_factory=list)  # the team-dependent key figures
    recommendation_shown: str = ""  # the recommendation in the comparison page's language


def profile_files(sources: list[Path | str]) -> list[Path]:
    """Files as given, and every *.yaml / *.yml in folders."""
    files: list[Path] = []
    for src in map(Path, sources):
        if src.is_dir():
            files += sorted(p for p in src.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(src)
    return files


def _run_chapter_for_profiles(number: int, jobs: list[tuple[str, dict[str, Any], str]]) -> list[tuple[str, ChapterOutcome]]:
    """Worker process: one warm kernel for chapter `number`, every profile in turn."""
    from .execute import WarmKernel

    chapter = next(c for c in chapters() if c.number == number)
    results = []
    with WarmKernel(chapter.path.parent) as kernel:
        for name, profile, work in jobs:
            nb_out = Path(work) / "notebooks" / chapter.notebook
            done = kernel.run(chapter.path_for(profile.get("lang", "en")), chapter_params(chapter, profile), nb_out)
            done.error = convert_or_error(chapter, nb_out, Path(work), profile["profile_name"], done.error,
                                          profile.get("lang", "en"))
            done.ok = not done.error
            print(f"[batch] chapter {number} · {name}: {'ok' if done.ok else 'FAILED'} in {done.seconds:.1f} s",
                  file=sys.stderr, flush=True)
            results.append((name, ChapterOutcome(chapter.number, chapter.title, chapter.slug, done.ok, done.seconds,
                                                 done.error)))
    return results


def build_batch(sources: list[Path | str], out_root: Path | str = "reports/batch", *, full: bool = False,
                workers: int = 2, say: Say = print, progress_factory=None,
                lang: str | None = None) -> list[ProfileResult]:
    """`lang` (en / zh) sets every report's language and the comparison page's; without it each profile's
    own `lang` (default en) is used and the comparison page is in English."""
    out_root = Path(out_root).resolve()
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        lock = output_lock(out_root)
        lock.__enter__()
    except OSError as exc:
        raise ReportError(f"cannot write the batch at {out_root}: {exc.strerror}; nothing was written") from None
    try:
        return _build_batch_locked(sources, out_root, full=full, workers=workers, say=say,
                                   progress_factory=progress_factory, lang=lang)
    finally:
        lock.__exit__(None, None, None)


def _build_batch_locked(sources: list[Path | str], out_root: Path, *, full: bool, workers: int, say: Say,
                        progress_factory, lang: str | None) -> list[ProfileResult]:
    preset = "full" if full else "quick"
    results: list[ProfileResult] = []
    profiles: dict[str, dict[str, Any]] = {}
    for path in profile_files(sources):
        try:
            profile = prepare_profile(path, full=full, overrides={"lang": lang} if lang else None)
        except ParameterError as exc:
            say(f"profile {path}: {exc}")
            results.append(ProfileResult(path.stem, str(path), False, error=str(exc)))
            continue
        name = profile["profile_name"]
        if name in profiles:
            msg = f"profile_name {name!r} is used twice; each profile needs its own name"
            say(f"profile {path}: {msg}")
            results.append(ProfileResult(path.stem, str(path), False, error=msg))
            continue
        profiles[name] = profile
        results.append(ProfileResult(name, str(path), True))
    if not profiles:
        say("no valid profile: nothing to run")
        write_comparison(out_root, results, preset, lang or "en")
        return results

    say(f"Measuring once for {len(profiles)} profiles ({preset} preset; cached results are reused)")
    measure_all(preset, say, progress_factory)
    for profile in profiles.values():  # each team's own services (cached by definition: shared ones once)
        measure_services(profile, preset, say, progress_factory)

    works: dict[str, Path] = {}
    kept: list[Path] = []
    clean_stale(out_root, any_name=True)  # temporary folders of dead batches
    todo = [c for c in chapters() if c.path.exists()]
    total = len(todo) * len(profiles)
    say(f"Running {total} notebooks on {workers} worker(s), one warm kernel per chapter")
    outcomes: dict[str, list[ChapterOutcome]] = {name: [] for name in profiles}
    t0 = time.perf_counter()
    try:
        for name in profiles:
            works[name] = work_dir(out_root / _slug(name))
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=get_context("spawn"),
                                 initializer=worker_init) as pool:
            futures = {pool.submit(_run_chapter_for_profiles, c.number,
                                   [(n, p, str(works[n])) for n, p in profiles.items()]): c for c in todo}
            done_count = 0
            for future in as_completed(futures):
                chapter = futures[future]
                try:
                    for name, outcome in future.result():
                        outcomes[name].append(outcome)
                except Exception as exc:  # the worker died: every profile's page for this chapter fails
                    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
                        raise
                    for name in profiles:
                        outcomes[name].append(ChapterOutcome(chapter.number, chapter.title, chapter.slug, False, 0.0,
                                                             f"{type(exc).__name__}: {exc}"))
                done_count += len(profiles)
                say(f"[batch] {done_count}/{total} notebooks done ({time.perf_counter() - t0:.0f} s)")
        for r in results:
            if not r.ok:
                continue
            chs = sorted(outcomes[r.name], key=lambda o: o.number)
            outcome = finish(profiles[r.name], chs, works[r.name], out_root / _slug(r.name), preset)
            doc = json.loads((outcome.out / "results.json").read_text())
            r.ok, r.out, r.chapters = outcome.ok, outcome.out, chs
            r.recommendation, r.score = doc["decision"]["text"], doc["decision"]["score"]
            r.recommendation_shown = _recommendation_in(profiles[r.name], lang or "en", r.recommendation)
            # Measured figures are the machine's, the same in every report; models depend on the team.
            r.model_figures = [f for f in doc.get("key_figures", []) if f.get("kind") == "model"]
            if not outcome.ok:
                r.error = "; ".join(f"chapter {c.number}: {c.error.splitlines()[0]}" for c in chs if not c.ok)
    except Exception as exc:  # the batch cannot go on (a full disk): keep what was done, say where
        kept = [keep_failed(work, out_root / _slug(name)) for name, work in works.items() if work.exists()]
        raise ReportError(f"{one_line(describe_error(exc), say)}; the unfinished reports are kept in "
                          f"{', '.join(map(str, kept)) or '(none)'}; earlier reports in {out_root} were left as they were"
                          ) from exc
    finally:
        for work in works.values():
            if work not in kept:
                shutil.rmtree(work, ignore_errors=True)
    write_comparison(out_root, results, preset, lang or "en")
    return results


def _recommendation_in(profile: dict[str, Any], lang: str, english: str) -> str:
    if lang == "en":
        return english
    from . import ch1
    from .ch1 import recommendation_text

    return recommendation_text(ch1.decide(profile), lang)


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "profile"


# The comparison page's words (translated with the batch's language)
PAGE_TEXT = {
    "title": N_("Go Decision Handbook — profiles compared"),
    "intro": N_("One report per team profile; every report uses the same measurements of this machine ({preset} "
                "preset),\nso the differences below come from the teams' parameters alone."),
    "profile": N_("Profile"), "recommendation": N_("Recommendation"), "score": N_("Matrix score"), "run": N_("Run"),
    "file": N_("Profile file"), "ok": N_("ok"), "failed": N_("failed"), "generated": N_("Generated {stamp}."),
    "models": N_("What the models say for each team"),
    "models_intro": N_("Computed from each profile's parameters (the measured figures they use are this machine's, "
                       "the same for every profile). Each report shows how."),
    "how": N_("How each figure is computed:"), "chapter": N_("Ch. {n}: {name}"),
}


def write_comparison(out_root: Path, results: list[ProfileResult], preset: str, lang: str = "en") -> Path:
    t = {key: _(msg, lang) for key, msg in PAGE_TEXT.items()}
    rows = []
    for r in results:
        link = (f'<a href="{html.escape(os.path.relpath(r.out, out_root))}/index.html">{html.escape(r.name)}</a>'
                if r.out else html.escape(r.name))
        status = t["ok"] if r.ok else f'<span class="bad">{t["failed"]}</span>: {html.escape(r.error[:300])}'
        score = f"{r.score:+.2f}" if r.score is not None else ""
        shown = r.recommendation if lang == "en" else (r.recommendation_shown or r.recommendation)
        rows.append(f"<tr><td>{link}</td><td>{html.escape(shown)}</td><td>{score}</td>"
                    f"<td>{status}</td><td>{html.escape(r.source)}</td></tr>")
    models = model_table(results, lang)
    stamp = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    page = f"""<!DOCTYPE html>
<html lang="{HTML_LANG.get(lang, lang)}"><head><meta charset="utf-8"><title>{t['title']}</title>
<style>body {{font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em}}
table {{border-collapse: collapse}} td, th {{border: 1px solid #ccc; padding: 3px 8px; text-align: left}}
.bad {{color: #a4161a; font-weight: 600}} .band {{color: #555; font-size: 12px}}</style></head><body>
<h1>{t['title']}</h1>
<p>{t['intro'].format(preset=preset)}</p>
<table><tr><th>{t['profile']}</th><th>{t['recommendation']}</th><th>{t['score']}</th><th>{t['run']}</th><th>{t['file']}</th></tr>
{''.join(rows)}</table>
{models}
<p>{t['generated'].format(stamp=stamp)}</p></body></html>
"""
    path = out_root / "index.html"
    path.write_text(page)
    (out_root / "batch.json").write_text(json.dumps(
        [{"name": r.name, "source": r.source, "ok": r.ok, "error": r.error, "out": str(r.out) if r.out else None,
          "recommendation": r.recommendation, "score": r.score, "model_figures": r.model_figures} for r in results],
        indent=1))
    return path


def model_table(results: list[ProfileResult], lang: str = "en") -> str:
    """Each profile's model figures side by side (a column per figure, its 10–90 % band under the median)."""
    with_figures = [r for r in results if r.model_figures]
    if not with_figures:
        return ""
    columns: list[tuple[int, str]] = []
    for r in with_figures:
        for f in r.model_figures:
            if (f["chapter"], f["figure"]) not in columns:
                columns.append((f["chapter"], f["figure"]))
    chapter = _(PAGE_TEXT["chapter"], lang)
    head = "".join(f"<th>{chapter.format(n=n, name=html.escape(_(name, lang)))}</th>" for n, name in columns)
    body = []
    for r in with_figures:
        by = {(f["chapter"], f["figure"]): f for f in r.model_figures}
        cells = []
        for key in columns:
            f = by.get(key)
            if f is None:
                cells.append("<td></td>")
                continue
            value = "—" if f.get("value") is None else f"{f['value']:,.6g} {html.escape(f.get('unit') or '')}".strip()
            band = f'<br><span class="band">{html.escape(f["band"])}</span>' if f.get("band") else ""
            cells.append(f"<td>{value}{band}</td>")
        body.append(f"<tr><td>{html.escape(r.name)}</td>{''.join(cells)}</tr>")
    # Every figure's provenance: the model, and the measurements it used (the same run for all profiles).
    sources = []
    for n, name in columns:
        seen = dict.fromkeys(f.get("provenance", "") for r in with_figures for f in r.model_figures
                             if (f["chapter"], f["figure"]) == (n, name))
        sources.append(f"<li>{chapter.format(n=n, name=html.escape(_(name, lang)))} — "
                       f"{'; '.join(html.escape(x) for x in seen if x)}</li>")
    return (f"<h2>{_(PAGE_TEXT['models'], lang)}</h2>\n<p>{_(PAGE_TEXT['models_intro'], lang)}</p>\n"
            f"<table><tr><th>{_(PAGE_TEXT['profile'], lang)}</th>{head}</tr>{''.join(body)}</table>\n"
            f"<p>{_(PAGE_TEXT['how'], lang)}</p><ul class=\"band\">{''.join(sources)}</ul>")

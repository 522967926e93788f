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
from .params import ParameterError
from .report import ChapterOutcome, Say, convert_chapter, finish, measure_all, prepare_profile, work_dir


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
            done = kernel.run(chapter.path, chapter_params(chapter, profile), nb_out)
            convert_chapter(chapter, nb_out, Path(work), profile["profile_name"], done.error)
            print(f"[batch] chapter {number} · {name}: {'ok' if done.ok else 'FAILED'} in {done.seconds:.1f} s",
                  file=sys.stderr, flush=True)
            results.append((name, ChapterOutcome(chapter.number, chapter.title, chapter.slug, done.ok, done.seconds,
                                                 done.error)))
    return results


def build_batch(sources: list[Path | str], out_root: Path | str = "reports/batch", *, full: bool = False,
                workers: int = 2, say: Say = print, progress_factory=None) -> list[ProfileResult]:
    out_root = Path(out_root).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    preset = "full" if full else "quick"
    results: list[ProfileResult] = []
    profiles: dict[str, dict[str, Any]] = {}
    for path in profile_files(sources):
        try:
            profile = prepare_profile(path, full=full)
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
        write_comparison(out_root, results, preset)
        return results

    say(f"Measuring once for {len(profiles)} profiles ({preset} preset; cached results are reused)")
    measure_all(preset, say, progress_factory)

    works = {name: work_dir(out_root / _slug(name)) for name in profiles}
    todo = [c for c in chapters() if c.path.exists()]
    total = len(todo) * len(profiles)
    say(f"Running {total} notebooks on {workers} worker(s), one warm kernel per chapter")
    outcomes: dict[str, list[ChapterOutcome]] = {name: [] for name in profiles}
    t0 = time.perf_counter()
    try:
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(_run_chapter_for_profiles, c.number,
                                   [(n, p, str(works[n])) for n, p in profiles.items()]): c for c in todo}
            done_count = 0
            for future in as_completed(futures):
                chapter = futures[future]
                try:
                    for name, outcome in future.result():
                        outcomes[name].append(outcome)
                except Exception as exc:  # the worker died: every profile's page for this chapter fails
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
            # Measured figures are the machine's, the same in every report; models depend on the team.
            r.model_figures = [f for f in doc.get("key_figures", []) if f.get("kind") == "model"]
            if not outcome.ok:
                r.error = "; ".join(f"chapter {c.number}: {c.error.splitlines()[0]}" for c in chs if not c.ok)
    finally:
        for work in works.values():
            shutil.rmtree(work, ignore_errors=True)
    write_comparison(out_root, results, preset)
    return results


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "profile"


def write_comparison(out_root: Path, results: list[ProfileResult], preset: str) -> Path:
    rows = []
    for r in results:
        link = (f'<a href="{html.escape(os.path.relpath(r.out, out_root))}/index.html">{html.escape(r.name)}</a>'
                if r.out else html.escape(r.name))
        status = "ok" if r.ok else f'<span class="bad">failed</span>: {html.escape(r.error[:300])}'
        score = f"{r.score:+.2f}" if r.score is not None else ""
        rows.append(f"<tr><td>{link}</td><td>{html.escape(r.recommendation)}</td><td>{score}</td>"
                    f"<td>{status}</td><td>{html.escape(r.source)}</td></tr>")
    models = model_table(results)
    stamp = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Go Decision Handbook — profiles compared</title>
<style>body {{font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em}}
table {{border-collapse: collapse}} td, th {{border: 1px solid #ccc; padding: 3px 8px; text-align: left}}
.bad {{color: #a4161a; font-weight: 600}} .band {{color: #555; font-size: 12px}}</style></head><body>
<h1>Go Decision Handbook — profiles compared</h1>
<p>One report per team profile; every report uses the same measurements of this machine ({preset} preset),
so the differences below come from the teams' parameters alone.</p>
<table><tr><th>Profile</th><th>Recommendation</th><th>Matrix score</th><th>Run</th><th>Profile file</th></tr>
{''.join(rows)}</table>
{models}
<p>Generated {stamp}.</p></body></html>
"""
    path = out_root / "index.html"
    path.write_text(page)
    (out_root / "batch.json").write_text(json.dumps(
        [{"name": r.name, "source": r.source, "ok": r.ok, "error": r.error, "out": str(r.out) if r.out else None,
          "recommendation": r.recommendation, "score": r.score, "model_figures": r.model_figures} for r in results],
        indent=1))
    return path


def model_table(results: list[ProfileResult]) -> str:
    """Each profile's model figures side by side (a column per figure, its 10–90 % band under the median)."""
    with_figures = [r for r in results if r.model_figures]
    if not with_figures:
        return ""
    columns: list[tuple[int, str]] = []
    for r in with_figures:
        for f in r.model_figures:
            if (f["chapter"], f["figure"]) not in columns:
                columns.append((f["chapter"], f["figure"]))
    head = "".join(f"<th>Ch. {n}: {html.escape(name)}</th>" for n, name in columns)
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
        sources.append(f"<li>Ch. {n}: {html.escape(name)} — {'; '.join(html.escape(x) for x in seen if x)}</li>")
    return ("<h2>What the models say for each team</h2>\n<p>Computed from each profile's parameters (the measured "
            "figures they use are this machine's, the same for every profile). Each report shows how.</p>\n"
            f"<table><tr><th>Profile</th>{head}</tr>{''.join(body)}</table>\n"
            f"<p>How each figure is computed:</p><ul class=\"band\">{''.join(sources)}</ul>")

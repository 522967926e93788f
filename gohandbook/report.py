"""Headless reports: measure (or reuse the cache), run every chapter with Papermill, convert to
self-contained HTML, and write an index and results.json.

A report is built in a temporary folder beside its destination and moved into place only
when every chapter succeeded; a failed run lands in `<out>-failed-<time>` instead, so an
earlier good report is never overwritten by a failed one.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import __version__, ch1, claims as claims_mod, measure
from .cache import host_fingerprint
from .chapters import Chapter, chapter_params, chapters, load_profile
from .toolchain import find_go

TEMPLATE_DIR = Path(__file__).parent / "templates"
Say = Callable[[str], None]


@dataclass
class ChapterOutcome:
    number: int
    title: str
    slug: str
    ok: bool
    seconds: float
    error: str = ""


@dataclass
class ReportOutcome:
    out: Path
    ok: bool
    chapters: list[ChapterOutcome] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)


def measure_all(preset: str, say: Say, progress_factory=None) -> dict[str, dict]:
    """Run (or reuse from the cache) every registered measurement, one at a time."""
    results = {}
    for m in measure.all_measurements():
        bar = progress_factory(m) if progress_factory else None
        callback = bar.update_to if bar else None
        try:
            results[m.name] = measure.run(m.name, preset, progress=callback)
        finally:
            if bar:
                bar.close()
    return results


@functools.lru_cache(maxsize=1)
def html_exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def notebook_to_html(nb_path: Path, html_path: Path, *, profile_name: str, status: str) -> None:
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata.pop("widgets", None)  # widget state would pull the widget manager from a CDN
    body, _ = html_exporter().from_notebook_node(nb, resources={"gh_profile": profile_name, "gh_status": status})
    html_path.write_text(body, encoding="utf-8")


def run_chapter(chapter: Chapter, profile: dict[str, Any], work: Path, *, timeout: int = 900) -> ChapterOutcome:
    import papermill as pm

    params = chapter_params(chapter, profile)
    nb_out = work / "notebooks" / chapter.notebook
    nb_out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    error = ""
    try:
        pm.execute_notebook(str(chapter.path), str(nb_out), parameters=params, kernel_name="python3",
                            progress_bar=False, execution_timeout=timeout, cwd=str(chapter.path.parent))
    except pm.PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, timeout, …: the chapter fails, the report goes on
        error = f"{type(exc).__name__}: {exc}"
    convert_chapter(chapter, nb_out, work, profile["profile_name"], error)
    return ChapterOutcome(chapter.number, chapter.title, chapter.slug, not error, time.perf_counter() - t0, error)


def convert_chapter(chapter: Chapter, nb_out: Path, work: Path, profile_name: str, error: str) -> None:
    """The chapter's HTML page; a failed chapter still gets its page, with the error shown."""
    status = "ran without errors" if not error else "FAILED: " + error.splitlines()[0][:200]
    if nb_out.exists():
        notebook_to_html(nb_out, work / f"{chapter.slug}.html", profile_name=profile_name, status=status)
    else:
        (work / f"{chapter.slug}.html").write_text(f"<h1>{html.escape(chapter.title)}</h1><pre>{html.escape(error)}</pre>")


def _json_default(obj: Any):
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict
        return asdict(obj)
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def results_document(profile: dict[str, Any], outcomes: list[ChapterOutcome], preset: str) -> dict[str, Any]:
    from . import ch5

    lookups = {m.name: measure.lookup(m.name, preset) for m in measure.all_measurements()}
    decision = ch1.decide(profile)
    ledger = claims_mod.ledger(lambda name: lookups[name] if name in lookups else measure.lookup(name, preset))
    profile_all = ch5.PARAMS.validate({k: v for k, v in profile.items() if k in ch5.PARAMS})
    return {
        "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "gohandbook": __version__, "profile": profile, "preset": preset,
        "host": host_fingerprint(), "go": find_go().as_dict(),
        "chapters": [o.__dict__ for o in outcomes],
        "decision": {"score": decision.score, "recommendation": decision.recommendation, "text": decision.text,
                     "reasons": decision.reasons, "contributions": decision.contributions, "flips": decision.flips,
                     "gates": ch1.gates(profile, lookups)},
        "measurements": {name: {"status": lk.status, "reason": lk.reason,
                                "provenance": lk.result["provenance"] if lk.ok else None,
                                "summary": lk.result["summary"] if lk.ok else None}
                         for name, lk in lookups.items()},
        "key_figures": ch5.key_figures(profile_all),
        "claims": [v.as_dict() for v in ledger],
        "adr": ch5.decision_record(profile_all, ledger),
    }


def index_html(doc: dict[str, Any]) -> str:
    profile, decision = doc["profile"], doc["decision"]
    counts: dict[str, int] = {}
    for c in doc["claims"]:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    chapters = "".join(
        f'<li><a href="{c["slug"]}.html">Chapter {c["number"]}: {html.escape(c["title"])}</a> — '
        + ("ok" if c["ok"] else f'<b class="bad">failed</b>: {html.escape(c["error"].splitlines()[0][:200])}')
        + "</li>" for c in doc["chapters"])
    gates = "".join(f"<li>{html.escape(g.name)}: <b>{ {True: 'passed', False: 'not passed', None: 'undecided'}[g.passed]}</b> — "
                    f"{html.escape(g.detail)}</li>" for g in decision["gates"])
    verdicts = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in sorted(counts.items()))
    host, go = doc["host"], doc["go"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Go Decision Handbook — {html.escape(profile['profile_name'])}</title>
<style>
body {{font: 15px/1.5 system-ui, sans-serif; max-width: 900px; margin: 2em auto; padding: 0 1em; color: #222}}
.rec {{border-left: 5px solid #2b6cb0; background: #f1f6fb; padding: 10px 16px}}
.bad {{color: #a4161a}} table {{border-collapse: collapse}} td, th {{border: 1px solid #ccc; padding: 2px 8px}}
.prov {{color: #555; font-size: 13px}}
</style></head><body>
<h1>Go Decision Handbook</h1>
<p>Profile <b>{html.escape(profile['profile_name'])}</b> · team of {profile['team_size']} · current stack
{html.escape(profile['current_stack'])} · measurements: {doc['preset']} preset</p>
<div class="rec"><p><b>Recommendation: {html.escape(decision['text'])}</b> (decision-matrix score {decision['score']:+.2f})</p>
<ul>{''.join(f'<li>{html.escape(r)}</li>' for r in decision['reasons'])}</ul>
<p>Validation gates (measured on this machine where possible):</p><ul>{gates}</ul></div>
<h2>Chapters</h2><ul>{chapters}</ul>
<h2>Claims of the source document</h2>
<table><tr><th>Verdict / status</th><th>Claims</th></tr>{verdicts}</table>
<p>Every claim with its verdict, measured value and provenance is in <a href="results.json">results.json</a>.
The decision as an Architecture Decision Record (MADR 4.0): <a href="adr.md">adr.md</a>.</p>
<p class="prov">Generated {doc['generated']} on {html.escape(host['cpu_model'])} ({host['cores']} cores,
{host['memory_gib']} GiB, {html.escape(host['os'])}) with {go['version']} ({html.escape(go['source'])}), gohandbook {doc['gohandbook']}.</p>
</body></html>
"""


def prepare_profile(profile_source, *, full: bool, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate a profile (file or mapping) and set report mode; a bad profile fails here, before anything runs."""
    profile = load_profile(profile_source)
    if overrides:
        profile = load_profile({**profile, **overrides})
    profile["quick"] = not full
    profile["live_widgets"] = False
    return profile


def work_dir(out: Path) -> Path:
    work = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return work


def finish(profile: dict[str, Any], outcomes: list[ChapterOutcome], work: Path, out: Path, preset: str) -> ReportOutcome:
    """Write index and results.json, then move the report into place: only a fully good run replaces `out`."""
    doc = results_document(profile, outcomes, preset)
    (work / "results.json").write_text(json.dumps({k: v for k, v in doc.items() if k != "adr"}, indent=1,
                                                  default=_json_default))
    (work / "adr.md").write_text(doc["adr"])
    (work / "index.html").write_text(index_html(doc))
    ok = all(o.ok for o in outcomes)
    if ok:
        final = out
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
            os.replace(work, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, out)
    else:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        final = out.parent / f"{out.name}-failed-{stamp}"
        os.replace(work, final)
    return ReportOutcome(final, ok, outcomes, profile)


def _say_outcome(say: Say, o: ChapterOutcome) -> None:
    say(f"  chapter {o.number}: {'ok' if o.ok else 'FAILED'} in {o.seconds:.1f} s" + (f": {o.error}" if o.error else ""))


def _run_chapter_number(number: int, profile: dict[str, Any], work: str) -> ChapterOutcome:
    """Worker-process entry point: chapters are looked up by number in the child."""
    chapter = next(c for c in chapters() if c.number == number)
    return run_chapter(chapter, profile, Path(work))


def build_report(profile_source=None, out: Path | str = "reports/default", *, full: bool = False,
                 say: Say = print, progress_factory=None, overrides: dict[str, Any] | None = None,
                 workers: int = 2) -> ReportOutcome:
    profile = prepare_profile(profile_source, full=full, overrides=overrides)
    preset = "full" if full else "quick"
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    say(f"Measuring ({preset} preset; cached results are reused)")
    measure_all(preset, say, progress_factory)
    work = work_dir(out)
    todo = [c for c in chapters() if c.path.exists()]
    try:
        outcomes = []
        if workers <= 1:
            for chapter in todo:
                say(f"Running chapter {chapter.number}: {chapter.title}")
                outcomes.append(run_chapter(chapter, profile, work))
                _say_outcome(say, outcomes[-1])
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed
            from multiprocessing import get_context

            say(f"Running {len(todo)} chapters with Papermill on {workers} workers")
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
                futures = {pool.submit(_run_chapter_number, c.number, profile, str(work)): c for c in todo}
                for future in as_completed(futures):
                    chapter = futures[future]
                    try:
                        outcomes.append(future.result())
                    except Exception as exc:  # the worker itself died
                        outcomes.append(ChapterOutcome(chapter.number, chapter.title, chapter.slug, False, 0.0,
                                                       f"{type(exc).__name__}: {exc}"))
                    _say_outcome(say, outcomes[-1])
        outcomes.sort(key=lambda o: o.number)
        return finish(profile, outcomes, work, out, preset)
    finally:
        shutil.rmtree(work, ignore_errors=True)

